"""Billing's questions: which invoices a user may see, which are open for an account, and the
lock helpers (ordered by pk)."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from billing.models import Invoice, InvoiceRun, InvoiceState
from billing.models.invoices import OPEN_STATES
from core.money import round_money
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


def invoice_for_detail(*, pk, user) -> Invoice:
    """The invoice if the user may see it (404 otherwise), with what its page shows."""
    from django.shortcuts import get_object_or_404

    invoices = invoices_visible_to(user).select_related(
        "account", "run", "journal_entry", "void_entry", "write_off_entry", "issued_by")
    return get_object_or_404(invoices, pk=pk)


def lines_of(invoice: Invoice) -> QuerySet:
    return invoice.lines.select_related("contract_line__contract", "product").order_by(
        "position", "pk")


def runs_visible_to(user) -> QuerySet[InvoiceRun]:
    if not user.has_perm("billing.view_invoicerun"):
        return InvoiceRun.objects.none()
    return InvoiceRun.objects.select_related("created_by").order_by("-created_at", "-pk")


@dataclass(frozen=True)
class RunSummary:
    chunks_done: int
    chunks_total: int
    invoices: int
    drafts: int
    issued: int
    failures: int
    totals: dict  # currency -> total of the run's invoices

    @property
    def percent(self) -> int:
        return 100 if not self.chunks_total else round(100 * self.chunks_done / self.chunks_total)


def run_summary(run: InvoiceRun) -> RunSummary:
    """Progress and totals of a run: counts from its chunks and invoices; totals by currency
    summed by the database and rounded to the currency before use (SQLite sums in floating
    point)."""
    chunks = run.chunks.aggregate(total=Count("pk"), done=Count("finished_at"))
    rows = run.invoices.values("currency").annotate(
        total=Sum("total"), count=Count("pk"),
        drafts=Count("pk", filter=Q(state=InvoiceState.DRAFT))).order_by("currency")
    totals = {row["currency"]: round_money(row["total"], row["currency"]) for row in rows}
    count = sum(row["count"] for row in rows)
    drafts = sum(row["drafts"] for row in rows)
    return RunSummary(chunks["done"], chunks["total"], count, drafts, count - drafts,
                      run.failures.count(), totals)


def failures_of(run: InvoiceRun) -> QuerySet:
    return run.failures.select_related("account").order_by("account__name", "pk")

