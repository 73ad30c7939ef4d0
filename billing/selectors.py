"""Billing's questions: which invoices a user may see, which are open for an account, and the
lock helpers (ordered by pk)."""

from django.db.models import QuerySet

from billing.models import Invoice, InvoiceRun
from billing.models.invoices import OPEN_STATES
from core.visibility import visible_to


def invoices_visible_to(user) -> QuerySet[Invoice]:
    """Finance and accountants see every invoice; sales roles those of the accounts they own
    (managers: their team's too), as core.visibility decides for accounts."""
    return visible_to(Invoice.objects.select_related("account"), user,
                      view="billing.view_invoice", view_team="billing.view_team_invoices",
                      view_all="billing.view_all_invoices", owner="account__owner")


def open_invoices_for(account, currency: str | None = None) -> QuerySet[Invoice]:
    """Issued invoices of the account with an amount still due, oldest due first (the order cash
    is applied in)."""
    invoices = Invoice.objects.filter(account=account, state__in=OPEN_STATES,
                                      amount_due__gt=0)
    if currency:
        invoices = invoices.filter(currency=currency.upper())
    return invoices.order_by("due_on", "issue_on", "pk")


def invoice_for_update(pk: int) -> Invoice:
    """The invoice, its row locked for the rest of the transaction."""
    return Invoice.objects.select_for_update().get(pk=pk)


def invoices_for_update(pks) -> list[Invoice]:
    """Several invoices locked in pk order (the lock order every billing service keeps)."""
    return list(Invoice.objects.select_for_update().filter(pk__in=list(pks)).order_by("pk"))


def run_for_update(pk: int) -> InvoiceRun:
    return InvoiceRun.objects.select_for_update().get(pk=pk)
