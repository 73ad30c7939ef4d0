"""Write-off from the payments side: billing's mark_uncollectible posts bad debt against the
receivable for what is still due and moves the invoice to uncollectible."""

from datetime import date

from billing.models import Invoice
from billing.services import mark_uncollectible
from core.actors import require


def write_off_invoice(*, invoice: Invoice, by, note: str, on: date | None = None) -> Invoice:
    """Write off what is still due on an issued or partially paid invoice."""
    require(by, "payments.write_off_invoice", "You are not allowed to write off invoices.")
    return mark_uncollectible(invoice=invoice, by=by, on=on, note=note)
