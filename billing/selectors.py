"""Billing's questions: which invoices and credit notes a user may see, which are open for an
account, how old their unpaid money is, what is left to credit, and the lock helpers (ordered by
pk)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.shortcuts import get_object_or_404

from billing.aging import BUCKETS
from billing.crediting import Credited, LineLeft, TaxKey
from billing.models import (
    CreditNote,
    CreditNoteLine,
    CreditNoteReason,
    CreditNoteState,
    DueInstalment,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    InvoiceState,
    PostalCopy,
    PostalState,
)
from billing.models.invoices import OPEN_STATES
from catalog.policies import time_zone_of
from core.bulk_rows import among
from core.money import round_money
from core.visibility import visible_to
from customers.models import Account


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


def open_invoices(accounts=None) -> QuerySet[Invoice]:
    """Issued invoices with money still due (of the given accounts' queryset, if any)."""
    invoices = Invoice.objects.filter(state__in=OPEN_STATES, amount_due__gt=0)
    return invoices if accounts is None else invoices.filter(account__in=accounts)


MONEY = DecimalField(max_digits=19, decimal_places=4)
ZERO = Decimal("0")


def account_zones(account_ids) -> dict[int, ZoneInfo]:
    """The time zone each account's days begin and end in (its own, else the company's), by
    account id (one query)."""
    return {account.pk: ZoneInfo(time_zone_of(account)) for account in
            Account.objects.filter(among("pk", account_ids)).only("pk", "time_zone")}


def _age_sums(due_on: str, amount, as_of: date) -> dict:
    """Sum(amount) per aging bucket of days past `due_on` on `as_of`, and of what falls due
    after `as_of` ("not_due")."""
    sums = {"not_due": Sum(amount, filter=Q(**{f"{due_on}__gt": as_of}))}
    for bucket in BUCKETS:
        edge = Q()
        if bucket.first is not None:
            edge &= Q(**{f"{due_on}__lte": as_of - timedelta(days=bucket.first)})
        if bucket.last is not None:
            edge &= Q(**{f"{due_on}__gte": as_of - timedelta(days=bucket.last)})
        sums[bucket.name] = Sum(amount, filter=edge)
    return sums


def open_amounts_by_age(invoices: QuerySet[Invoice], *, as_of: date, by: tuple[str, ...],
                        functional: bool = False) -> dict[tuple, dict[str, Decimal]]:
    """The unpaid money of `invoices` per group of the invoice fields `by` (e.g.
    ("account_id", "currency")), in the aging buckets of billing.aging plus "not_due".

    An invoice with a due schedule ages instalment by instalment: what was settled (total less
    amount due) pays the instalments in due-date order (payments.due_position), so an
    instalment's unpaid part is min(amount, max(0, cumulative amount up to it - settled)). An
    invoice without one ages by its due date. Sums are raw (in the document currency, or the
    functional one at the booked rate when `functional`): round them per currency. Two queries.
    """
    cumulative = Subquery(
        DueInstalment.objects.filter(invoice=OuterRef("invoice"),
                                     sequence__lte=OuterRef("sequence"))
        .order_by().values("invoice").annotate(s=Sum("amount")).values("s"),
        output_field=MONEY)
    settled = F("invoice__total") - F("invoice__amount_due")
    unpaid = Least(F("amount"), Greatest(Coalesce(cumulative, Value(ZERO)) - settled,
                                         Value(ZERO), output_field=MONEY), output_field=MONEY)
    open_amount = F("amount_due")
    if functional:
        unpaid = unpaid * Coalesce("invoice__fx_rate", Value(Decimal("1")))
        open_amount = open_amount * Coalesce("fx_rate", Value(Decimal("1")))
    scheduled = (DueInstalment.objects.filter(invoice__in=invoices).order_by()
                 .values(*(f"invoice__{name}" for name in by))
                 .annotate(**_age_sums("due_on", unpaid, as_of)))
    unscheduled = (invoices.filter(instalments__isnull=True).order_by().values(*by)
                   .annotate(**_age_sums("due_on", open_amount, as_of)))
    names = ("not_due", *(bucket.name for bucket in BUCKETS))
    groups: dict[tuple, dict[str, Decimal]] = {}
    for rows, prefix in ((scheduled, "invoice__"), (unscheduled, "")):
        for row in rows:
            sums = groups.setdefault(tuple(row[f"{prefix}{name}"] for name in by),
                                     dict.fromkeys(names, ZERO))
            for name in names:
                sums[name] += row[name] or ZERO
    return groups


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
        "account", "run", "journal_entry", "void_entry", "write_off_entry", "issued_by",
        "postal_copy")
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


# --- credit notes: what is left to credit, what was credited, who sees them -------------------

def _tax_key(detail: dict) -> TaxKey:
    return detail["name"], Decimal(detail["percent"]).normalize()


def lines_left_of(invoice_ids) -> dict[int, list[LineLeft]]:
    """Each positive line of each invoice with what issued credit notes already took back
    (two queries for any number of invoices)."""
    credited_amount, credited_taxes = defaultdict(lambda: ZERO), defaultdict(dict)
    for line_id, amount, detail in CreditNoteLine.objects.filter(
            credit_note__invoice_id__in=invoice_ids, credit_note__state=CreditNoteState.ISSUED,
            invoice_line__isnull=False).values_list("invoice_line_id", "amount", "tax_detail"):
        credited_amount[line_id] += amount
        for tax in detail:
            key = _tax_key(tax)
            credited_taxes[line_id][key] = credited_taxes[line_id].get(key, ZERO) \
                + Decimal(tax["amount"])
    lines = {pk: [] for pk in invoice_ids}
    for invoice_id, line_id, amount, detail in InvoiceLine.objects.filter(
            invoice_id__in=invoice_ids, amount__gt=0).order_by(
            "invoice_id", "position", "pk").values_list("invoice_id", "pk", "amount",
                                                        "tax_detail"):
        taxes: dict[TaxKey, Decimal] = {}
        for tax in detail or ():
            key = _tax_key(tax)
            taxes[key] = taxes.get(key, ZERO) + Decimal(tax["amount"])
        lines[invoice_id].append(LineLeft(line_id, amount, taxes, credited_amount[line_id],
                                          credited_taxes[line_id]))
    return lines


def lines_left(invoice: Invoice) -> list[LineLeft]:
    return lines_left_of([invoice.pk])[invoice.pk]


def creditable_lines(invoice: Invoice) -> list[tuple[InvoiceLine, LineLeft]]:
    """The invoice's lines with something left to credit, each with what is left, in the
    invoice's order (the credit note form's rows)."""
    left = {line.line_id: line for line in lines_left(invoice)}
    return [(line, left[line.pk]) for line in InvoiceLine.objects.filter(
        pk__in=list(left)).order_by("position", "pk") if left[line.pk].gross_left > 0]


def rooms_left(invoices) -> dict[int, Decimal]:
    """What each invoice's total leaves to credit after its issued credit notes (an invoice
    with negative lines, such as amendment credits, is credited at most its net total); one
    query."""
    credited = defaultdict(lambda: ZERO)
    for invoice_id, total in CreditNote.objects.filter(
            invoice__in=[i.pk for i in invoices], state=CreditNoteState.ISSUED
            ).values_list("invoice_id", "total"):
        credited[invoice_id] += total
    return {i.pk: max(i.total - credited[i.pk], ZERO) for i in invoices}


def room_left(invoice: Invoice) -> Decimal:
    return rooms_left([invoice])[invoice.pk]


def credited_of(invoices) -> dict[int, Credited]:
    """Per invoice, what its issued credit notes took back (one query)."""
    sums = defaultdict(lambda: [ZERO, ZERO])
    for invoice_id, subtotal, tax, rounding in CreditNote.objects.filter(
            invoice__in=[i.pk for i in invoices], state=CreditNoteState.ISSUED).values_list(
            "invoice_id", "subtotal", "tax_total", "cash_rounding"):
        sums[invoice_id][0] += subtotal + tax
        sums[invoice_id][1] += rounding
    return {i.pk: Credited(*sums[i.pk]) for i in invoices}


def credit_notes_visible_to(user) -> QuerySet[CreditNote]:
    """As invoices: finance and accountants see every one, sales roles their accounts'."""
    return visible_to(CreditNote.objects.select_related("account", "invoice"), user,
                      view="billing.view_creditnote", view_team="billing.view_team_invoices",
                      view_all="billing.view_all_invoices", owner="account__owner")


def credit_note_for_detail(*, pk, user) -> CreditNote:
    return get_object_or_404(credit_notes_visible_to(user).select_related(
        "journal_entry", "created_by", "issued_by", "postal_copy"), pk=pk)


def search_credit_notes(credit_notes: QuerySet[CreditNote], text: str) -> QuerySet[CreditNote]:
    text = (text or "").strip()
    if not text:
        return credit_notes
    return credit_notes.filter(Q(number__icontains=text) | Q(invoice__number__icontains=text)
                               | Q(account__name__icontains=text))


def returned_goods_credits(*, contract_ids, through: date | None = None
                           ) -> QuerySet[CreditNoteLine]:
    """The issued credit note lines whose reason is "goods returned", for lines of the given
    contracts (contracts.Contract ids), issued on or before `through` when given; oldest first.
    Each line names its invoice line's contract line, the quantity and the net amount credited
    (the credit note carries the currency, rate and date): what revenue recognition needs to
    settle a right of return's refund liability. A concession (any other reason) is not here."""
    lines = CreditNoteLine.objects.filter(
        credit_note__state=CreditNoteState.ISSUED,
        credit_note__reason=CreditNoteReason.RETURNED_GOODS,
        invoice_line__contract_line__contract_id__in=contract_ids)
    if through is not None:
        lines = lines.filter(credit_note__issue_on__lte=through)
    return lines.select_related("credit_note", "invoice_line").order_by(
        "credit_note__issue_on", "credit_note_id", "position", "pk")


# --- documents sent by post -------------------------------------------------------------------

def postal_copies_to_post() -> QuerySet[PostalCopy]:
    """Finance's list to print and post, oldest first, with each document and its account."""
    return PostalCopy.objects.filter(state=PostalState.TO_POST).select_related(
        "invoice", "credit_note", "account").order_by("pk")
