"""Billing test data that always names the currency."""

from datetime import date
from decimal import Decimal

from billing.models import Invoice, InvoiceState
from core.numbering import next_number
from tests.customers.factories import AccountFactory

ON = date(2026, 11, 23)


def issued_invoice_row(*, account=None, total=Decimal("100.00"), currency="USD") -> Invoice:
    """An issued invoice row with nothing else around it (no lines, no journal), for the
    settlement rules that only read its amounts."""
    account = account or AccountFactory(currency=currency)
    number = next_number(f"test-invoice-{ON.year}")
    return Invoice.objects.create(
        number=f"TST-{ON.year}-{number:06d}", account=account, currency=currency,
        state=InvoiceState.ISSUED, issue_on=ON, due_on=ON, subtotal=total, total=total,
        amount_due=total, functional_currency="USD", fx_rate=Decimal(1), functional_total=total)
