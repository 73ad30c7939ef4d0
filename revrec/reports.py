"""The accountant's reports, as plain tables (title, headers, rows) that pages show and CSV/XLSX
exports write alike. Questions only; each report is a few aggregate queries whatever the volume.

- Revenue waterfall: what the schedules will recognize in each of the next months.
- Deferred revenue roll-forward: opening + billed - recognized - refunds expected + financing
  interest = closing, per month, next to the ledger's net contract balance (deferred revenue
  less unbilled receivable) to show it ties.
- Recognized revenue by period, customer and product family.
- Disaggregation of revenue (IFRS 15.114, B87-B89): by product family, pattern of transfer and
  currency, its functional total next to the revenue revrec posted in the ledger; and by the
  customers' country.
- Remaining performance obligations: allocated and not yet recognized, per revenue contract;
  reconciled per currency to what was billed and not recognized plus the price not yet
  billed, the contract balances tied to the ledger.
- Journal: revrec's entries of a month, line by line, for an ERP.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth

from billing.models import CreditNote, CreditNoteLine, CreditNoteState, Invoice, InvoiceLine
from core.dates import add_months, month_start
from core.money import round_money
from ledger import chart
from ledger.models import JournalLine
from ledger.period_rules import month_end
from ledger.selectors import credit_balance, monthly_movements
from revrec.models import (
    GoodsReturn,
    ObligationStatus,
    Pattern,
    PerformanceObligation,
    RecognitionRun,
    RecognizedRevenue,
    RecognizedTotal,
    ReturnEstimate,
    RevenueContract,
    ScheduleLine,
)
from revrec.selectors import BILLED_STATES

ZERO = Decimal(0)
NAMED = 5  # revenue contracts named in a reconciliation's note; the rest are counted


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    numeric_from: int = 1  # columns from this index on are amounts
    note: str = ""


def _fun(amount) -> Decimal:
    return round_money(amount or ZERO, settings.FUNCTIONAL_CURRENCY)


@dataclass(frozen=True)
class Filters:
    currency: str = ""
    family: str = ""
    account: str = ""  # matched against the customer's name

    def schedule(self, lines):
        if self.currency:
            lines = lines.filter(obligation__revenue_contract__currency=self.currency.upper())
        if self.family:
            lines = lines.filter(obligation__family=self.family)
        if self.account:
            lines = lines.filter(
                obligation__revenue_contract__account__name__icontains=self.account)
        return lines


# Waterfall ---------------------------------------------------------------------------------

def revenue_waterfall(*, start: date, months: int = 12, filters: Filters = Filters()) -> Table:
    """Unrecognized schedule lines per currency and family, one column per month from `start`,
    then what comes later and what waits for fulfilment (no date yet)."""
    start = month_start(start)
    columns = [add_months(start, n) for n in range(months)]
    lines = filters.schedule(ScheduleLine.objects.filter(run__isnull=True, month__gte=start))
    sums = (lines.values_list("obligation__revenue_contract__currency", "obligation__family",
                              "month").annotate(total=Sum("amount")).order_by())
    cells: dict[tuple[str, str], dict] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for currency, family, month, total in sums:
        key = month if month in columns else "later"
        cells[(currency, family)][key] += round_money(total, currency)
    pending = _unscheduled(filters)
    for (currency, family), amount in pending.items():
        cells[(currency, family)]["waiting"] += amount
    table = Table("Revenue waterfall", ["Currency", "Family",
                                        *[f"{m:%Y-%m}" for m in columns], "Later",
                                        "Awaiting fulfilment", "Total"], numeric_from=2)
    for (currency, family), row in sorted(cells.items()):
        amounts = [row[m] for m in columns] + [row["later"], row["waiting"]]
        table.rows.append([currency, family or "No family", *amounts, sum(amounts, ZERO)])
    return table


# Amounts are stored to four places, so an obligation's price and its schedule differ by at
# least 0.0001 when they differ at all; less is SQLite adding the schedule in floating point
# (three lines of 0.10 make 0.30000000000000004), not a price waiting for delivery.
FLOAT_NOISE = Decimal("0.00005")


def _awaiting_delivery(filters: Filters, by: str) -> list[tuple[str, object, Decimal]]:
    """Open point-in-time obligations' allocated price not yet scheduled (units not
    delivered), and material rights' not yet earned (rights not exercised nor lapsed):
    (currency, `by`, amount) per currency and obligation field `by`, in one aggregate
    query."""
    obligations = PerformanceObligation.objects.filter(
        pattern__in=(Pattern.POINT_IN_TIME, Pattern.ON_REDEMPTION),
        status=ObligationStatus.OPEN)
    if filters.currency:
        obligations = obligations.filter(revenue_contract__currency=filters.currency.upper())
    if filters.family:
        obligations = obligations.filter(family=filters.family)
    if filters.account:
        obligations = obligations.filter(
            revenue_contract__account__name__icontains=filters.account)
    # the obligations whose price exceeds their schedule (a grouped join), then the sum of
    # the difference per group over those alone (the schedule summed again only for them)
    waiting = (obligations.order_by().values("pk")
               .annotate(scheduled=Coalesce(Sum("schedule__amount"), ZERO))
               .filter(allocated__gt=F("scheduled") + FLOAT_NOISE).values("pk"))
    scheduled = Subquery(ScheduleLine.objects.filter(obligation=OuterRef("pk")).order_by()
                         .values("obligation").annotate(total=Sum("amount")).values("total"))
    rows = (PerformanceObligation.objects.filter(pk__in=waiting).order_by()
            .values_list("revenue_contract__currency", by)
            .annotate(total=Sum(F("allocated") - Coalesce(scheduled, ZERO),
                                output_field=DecimalField())))
    # rounded: SQLite sums in floating point
    return [(currency, key, round_money(total, currency)) for currency, key, total in rows]


def _unscheduled(filters: Filters) -> dict[tuple[str, str], Decimal]:
    """Point-in-time obligations still waiting for delivery, per currency and family."""
    return {(currency, family): amount
            for currency, family, amount in _awaiting_delivery(filters, "family")}


# Roll-forward ------------------------------------------------------------------------------

CONTRACT_BALANCE_ACCOUNTS = (chart.DEFERRED_REVENUE, chart.UNBILLED_RECEIVABLE)


def _billed_by_month(first: date, last_end: date) -> dict[date | None, Decimal]:
    """What invoices, their voids and credit notes moved on the contract balance accounts, per
    month posted, as booked (functional, each line rounded as billing posted it: a document's
    functional total is split over its lines by largest remainder, so converting the subtotal
    again would be off by a cent). Opening-balance invoices never touch these accounts. Earlier
    months add up under None."""
    sources = [kind.pk for kind in ContentType.objects.get_for_models(Invoice,
                                                                       CreditNote).values()]
    return _from(first, monthly_movements(CONTRACT_BALANCE_ACCOUNTS, through=last_end,
                                          source_type_ids=sources))


def _from(first: date, months: dict[date, Decimal]) -> dict[date | None, Decimal]:
    """The months from `first` on, and the earlier ones together under None."""
    result: dict[date | None, Decimal] = defaultdict(lambda: ZERO)
    for month, amount in months.items():
        result[month if month >= first else None] += amount
    return result


def _recognized_by_month(first: date, last_end: date) -> tuple[dict, dict, dict, dict]:
    """Functional revenue, exchange differences, refunds expected and financing interest
    recognized per month (earlier months as None): the runs' totals, one row per month."""
    revenue: dict[date | None, Decimal] = defaultdict(lambda: ZERO)
    fx: dict[date | None, Decimal] = defaultdict(lambda: ZERO)
    refunds: dict[date | None, Decimal] = defaultdict(lambda: ZERO)
    interest: dict[date | None, Decimal] = defaultdict(lambda: ZERO)
    for month, total, difference, refund, financing in (
            RecognitionRun.objects.filter(month__lte=last_end)
            .values_list("month", "recognized_functional", "fx_difference", "refund_functional",
                         "financing_functional").order_by()):
        key = month if month >= first else None
        revenue[key] += _fun(total)
        fx[key] += _fun(difference)
        refunds[key] += _fun(refund)
        interest[key] += _fun(financing)
    return revenue, fx, refunds, interest


def _settled_by_month(first: date, last_end: date) -> dict[date | None, Decimal]:
    """Refund liability settled back into deferred revenue by goods returned, per month (the
    credit notes for them debit it as billed)."""
    settled: dict[date | None, Decimal] = defaultdict(lambda: ZERO)
    for month, amount in (GoodsReturn.objects.filter(returned_on__lte=last_end)
                          .annotate(month=TruncMonth("returned_on")).values_list("month")
                          .annotate(total=Sum("refund_functional")).order_by()):
        settled[month if month >= first else None] += _fun(amount)
    return settled


def deferred_revenue_rollforward(*, first: date, last: date) -> Table:
    """Per month from `first` to `last`: opening + billed - recognized - exchange differences -
    refunds expected (moved to the refund liability, less those goods returned settled back) +
    financing interest = closing, in the functional currency, with the ledger's balance at the
    month's end and the difference. Five aggregate queries whatever the months and the
    volume."""
    first, last = month_start(first), month_start(last)
    billed = _billed_by_month(first, month_end(last))
    recognized, fx, refunds, interest = _recognized_by_month(first, month_end(last))
    for month, amount in _settled_by_month(first, month_end(last)).items():
        refunds[month] -= amount
    in_ledger = _from(first, monthly_movements(CONTRACT_BALANCE_ACCOUNTS,
                                               through=month_end(last)))
    opening = (billed.pop(None, ZERO) - recognized.pop(None, ZERO) - fx.pop(None, ZERO)
               - refunds.pop(None, ZERO) + interest.pop(None, ZERO))
    ledger_balance = in_ledger.pop(None, ZERO)
    table = Table("Deferred revenue roll-forward",
                  ["Month", "Opening", "Billed", "Recognized", "Exchange differences",
                   "To refund liability", "Financing interest", "Closing", "Ledger",
                   "Difference"],
                  note=f"In {settings.FUNCTIONAL_CURRENCY}; net contract liability (deferred "
                       "revenue less unbilled receivable). Billed: invoices issued less voids "
                       "and credit notes. Exchange differences: on revenue recognized in an "
                       "earlier month at another rate than it was billed at. To refund "
                       "liability: consideration for products expected back (IFRS 15.B21), "
                       "less that of products returned (B25). "
                       "Financing interest: accrued on advances (adds to the liability) less "
                       "on amounts due in arrears (IFRS 15.60-65).")
    month = first
    while month <= last:
        closing = (opening + billed[month] - recognized[month] - fx[month] - refunds[month]
                   + interest[month])
        ledger_balance += in_ledger[month]
        table.rows.append([f"{month:%Y-%m}", opening, billed[month], recognized[month],
                           fx[month], refunds[month], interest[month], closing, ledger_balance,
                           ledger_balance - closing])
        opening, month = closing, add_months(month, 1)
    return table


# Recognized revenue ------------------------------------------------------------------------

def recognized_revenue(*, first: date, last: date, filters: Filters = Filters()) -> Table:
    """Recognized revenue per month, customer, family and currency (and in the functional)."""
    rows = RecognizedRevenue.objects.filter(item__month__range=(month_start(first),
                                                                month_start(last)))
    if filters.currency:
        rows = rows.filter(item__revenue_contract__currency=filters.currency.upper())
    if filters.family:
        rows = rows.filter(family=filters.family)
    if filters.account:
        rows = rows.filter(item__revenue_contract__account__name__icontains=filters.account)
    sums = (rows.values_list("item__month", "item__revenue_contract__account__name", "family",
                             "item__revenue_contract__currency")
            .annotate(amount=Sum("amount"), functional=Sum("amount_functional"))
            .order_by("item__month", "item__revenue_contract__account__name", "family"))
    table = Table("Recognized revenue", ["Month", "Customer", "Family", "Currency", "Amount",
                                         f"Amount ({settings.FUNCTIONAL_CURRENCY})"],
                  numeric_from=4)
    for month, customer, family, currency, amount, functional in sums:
        table.rows.append([f"{month:%Y-%m}", customer, family or "No family", currency,
                           round_money(amount, currency), _fun(functional)])
    return table


# Disaggregation ----------------------------------------------------------------------------

def ledger_revenue(first: date, last_end: date) -> Decimal:
    """Revenue (credit positive) of revrec's entries posted from `first` to `last_end`."""
    kind = ContentType.objects.get_for_model(RevenueContract)
    return credit_balance([chart.REVENUE], since=first, through=last_end,
                          source_type_ids=[kind.pk])


def recognized_functional(first: date, last: date) -> Decimal:
    """Revenue the runs of these months recorded, in the functional currency (their totals of
    revenue rows)."""
    total = RecognitionRun.objects.filter(
        month__range=(month_start(first), month_start(last))).aggregate(
        total=Sum("revenue_functional"))["total"]
    return _fun(total)


def revenue_disaggregation(*, first: date, last: date, filters: Filters = Filters()) -> Table:
    """Revenue recognized in the months from `first` to `last` by product family, pattern of
    transfer (over time, at a point in time, as billed) and currency, in each contract's
    currency; the note ties its functional total to the ledger."""
    first, last = month_start(first), month_start(last)
    sums = _recognized_kinds(first, last, filters)
    patterns = dict(PerformanceObligation._meta.get_field("pattern").choices)
    posted = ledger_revenue(first, month_end(last))
    recorded = recognized_functional(first, last)
    table = Table("Disaggregation of revenue", ["Family", "Pattern", "Currency", "Revenue"],
                  numeric_from=3,
                  note=f"Recognized {first:%Y-%m} to {last:%Y-%m} in each contract's currency. "
                       f"In {settings.FUNCTIONAL_CURRENCY}: {recorded} recognized by the runs, "
                       f"{posted} posted to revenue ({chart.REVENUE}) by revrec's entries.")
    for family, pattern, currency, total in sums:
        table.rows.append([family or "No family", patterns.get(pattern, pattern), currency,
                           round_money(total, currency)])
    return table


def _recognized_kinds(first: date, last: date, filters: Filters):
    """(family, pattern, currency, amount) recognized by the runs of these months, one query:
    from the runs' totals, or, for one customer, from the schedule lines the runs marked."""
    if filters.account:
        lines = filters.schedule(ScheduleLine.objects.filter(run__month__range=(first, last)))
        return (lines.values_list("obligation__family", "obligation__pattern",
                                  "obligation__revenue_contract__currency")
                .annotate(total=Sum("amount"))
                .order_by("obligation__family", "obligation__pattern",
                          "obligation__revenue_contract__currency"))
    totals = RecognizedTotal.objects.filter(run__month__range=(first, last))
    if filters.currency:
        totals = totals.filter(currency=filters.currency.upper())
    if filters.family:
        totals = totals.filter(family=filters.family)
    return (totals.values_list("family", "pattern", "currency").annotate(total=Sum("amount"))
            .order_by("family", "pattern", "currency"))


def revenue_by_geography(*, first: date, last: date, filters: Filters = Filters()) -> Table:
    """Revenue recognized in the months from `first` to `last` by the customers' country and
    currency (IFRS 15.B89(b), geographical region), from the runs' totals: one query."""
    first, last = month_start(first), month_start(last)
    totals = RecognizedTotal.objects.filter(run__month__range=(first, last))
    if filters.currency:
        totals = totals.filter(currency=filters.currency.upper())
    if filters.family:
        totals = totals.filter(family=filters.family)
    table = Table("Revenue by geography", ["Country", "Currency", "Revenue"], numeric_from=2,
                  note=f"Recognized {first:%Y-%m} to {last:%Y-%m} in each contract's currency, "
                       "by the customer's country when the revenue contract was made.")
    for country, currency, total in (totals.values_list("country", "currency")
                                     .annotate(total=Sum("amount"))
                                     .order_by("country", "currency")):
        table.rows.append([country or "Unknown", currency, round_money(total, currency)])
    return table


@dataclass(frozen=True)
class TieOut:
    done: bool
    detail: str


def _returns_and_financing_tie(month: date) -> list[str]:
    """The refund liability and the return asset revrec posted up to the month's end against
    the return estimates the runs posted less the goods returned settled, and its financing
    interest against the runs' totals (six queries)."""
    end, kind = month_end(month), ContentType.objects.get_for_model(RevenueContract)
    estimates = ReturnEstimate.objects.filter(posted_in__month__lte=month).aggregate(
        refund=Sum("refund_functional"), asset=Sum("asset_functional"))
    returned = GoodsReturn.objects.filter(returned_on__lte=end).aggregate(
        refund=Sum("refund_functional"), asset=Sum("cost_functional"))
    interest = _fun(RecognitionRun.objects.filter(month__lte=month).aggregate(
        total=Sum("financing_functional"))["total"] or ZERO)
    books = {
        "refund liability": (credit_balance([chart.REFUND_LIABILITY], through=end,
                                            source_type_ids=[kind.pk]),
                             _fun(estimates["refund"]) - _fun(returned["refund"])),
        "return asset": (-credit_balance([chart.RETURN_ASSET], through=end,
                                         source_type_ids=[kind.pk]),
                         _fun(estimates["asset"]) - _fun(returned["asset"])),
        "financing interest": (-credit_balance([chart.INTEREST_INCOME, chart.INTEREST_EXPENSE],
                                               through=end, source_type_ids=[kind.pk]),
                               interest),
    }
    return [f"{name} posted {ledger}, recorded {recorded}"
            for name, (ledger, recorded) in books.items() if ledger != recorded]


def disclosures_tie_out(month: date) -> TieOut:
    """The month's disclosures against the ledger: the revenue disaggregated (what the runs
    recorded) equals the revenue revrec posted, the contract balances roll-forward's closing
    equals the ledger's deferred revenue less unbilled receivable, and the refund liability,
    return asset and financing interest revrec posted equal what its runs recorded."""
    month = month_start(month)
    recorded = recognized_functional(month, month)
    posted = ledger_revenue(month, month_end(month))
    (row,) = deferred_revenue_rollforward(first=month, last=month).rows
    closing, in_ledger = row[7], row[8]
    problems = []
    if recorded != posted:
        problems.append(f"revenue disaggregated {recorded}, posted {posted}")
    if closing != in_ledger:
        problems.append(f"contract balances closing {closing}, ledger {in_ledger}")
    problems += _returns_and_financing_tie(month)
    if problems:
        return TieOut(False, "; ".join(problems))
    return TieOut(True, f"Revenue {posted} and contract balances {closing} agree with the "
                        "ledger")


# Remaining performance obligations ---------------------------------------------------------

def _in_rpo(lines):
    """Usage is variable and left out, but not a guaranteed minimum (fixed, IFRS 15.B63)."""
    return lines.exclude(obligation__pattern=Pattern.AS_BILLED,
                         obligation__guaranteed_minimum__isnull=True)


def _remaining_by_contract(as_of: date, filters: Filters) -> tuple[dict, dict, dict]:
    """Per revenue contract: recognized, and what remains within 12 months of `as_of`'s month
    and beyond (three aggregate queries)."""
    horizon = add_months(month_start(as_of), 12)
    lines = filters.schedule(_in_rpo(ScheduleLine.objects.all()))
    recognized, within, beyond = (defaultdict(lambda: ZERO) for _ in range(3))
    for rc_id, recognized_flag, month, total in _schedule_sums(lines):
        if recognized_flag:
            recognized[rc_id] += total
        elif month < horizon:
            within[rc_id] += total
        else:
            beyond[rc_id] += total
    for rc_id, amount in _unscheduled_by_contract(filters).items():
        within[rc_id] += amount
    return recognized, within, beyond


def remaining_obligations(*, as_of: date, filters: Filters = Filters()) -> Table:
    """Per revenue contract: price allocated, recognized, and what remains, within 12 months
    of `as_of`'s month and beyond (ASC 606-10-50-13); usage is variable and left out."""
    recognized, within, beyond = _remaining_by_contract(as_of, filters)
    contracts = (RevenueContract.objects.filter(pk__in=set(recognized) | set(within)
                                                | set(beyond))
                 .select_related("account", "contract").order_by("account__name", "number"))
    table = Table("Remaining performance obligations",
                  ["Revenue contract", "Customer", "Currency", "Transaction price",
                   "Recognized", "Within 12 months", "Beyond 12 months", "Remaining"],
                  numeric_from=3)
    for rc in contracts:
        remaining = within[rc.pk] + beyond[rc.pk]
        if not remaining:
            continue
        table.rows.append([rc.number, rc.account.name, rc.currency, rc.transaction_price,
                           round_money(recognized[rc.pk], rc.currency),
                           round_money(within[rc.pk], rc.currency),
                           round_money(beyond[rc.pk], rc.currency),
                           round_money(remaining, rc.currency)])
    return table


def _billed_in_rpo(through: date, filters: Filters) -> dict[int, Decimal]:
    """Per revenue contract, in its currency: its obligations' lines on invoices issued by
    `through` less credit note lines, usage aside as in the RPO (two aggregate queries)."""
    billed: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for prefix, sign, rows in (
            ("contract_line__revenue_obligation__", 1, InvoiceLine.objects.filter(
                invoice__state__in=BILLED_STATES, invoice__issue_on__lte=through)),
            ("invoice_line__contract_line__revenue_obligation__", -1,
             CreditNoteLine.objects.filter(credit_note__state=CreditNoteState.ISSUED,
                                           credit_note__issue_on__lte=through))):
        rc = f"{prefix}revenue_contract"
        rows = rows.filter(**{f"{rc}__isnull": False}).exclude(
            **{f"{prefix}pattern": Pattern.AS_BILLED,
               f"{prefix}guaranteed_minimum__isnull": True})
        if filters.currency:
            rows = rows.filter(**{f"{rc}__currency": filters.currency.upper()})
        if filters.family:
            rows = rows.filter(**{f"{prefix}family": filters.family})
        if filters.account:
            rows = rows.filter(**{f"{rc}__account__name__icontains": filters.account})
        for rc_id, total in (rows.order_by().values_list(f"{rc}_id")
                             .annotate(total=Sum("amount"))):
            billed[rc_id] += sign * total
    return billed


def rpo_reconciliation(*, as_of: date, filters: Filters = Filters()) -> Table:
    """The remaining performance obligations against the contract balances (IFRS 15.116,
    15.120; ASC 606-10-50-8, 50-13), per currency: what remains equals what was billed and not
    recognized (contract liabilities less contract assets) plus the price not yet billed;
    each revenue contract that does not is named. The note ties the contract balances to the
    ledger's deferred revenue less unbilled receivable through the roll-forward, all at the
    end of the last month recognized (what the RPO's recognized amounts are), else `as_of`'s."""
    month = (RecognitionRun.objects.order_by("-month").values_list("month", flat=True).first()
             or month_start(as_of))
    recognized, within, beyond = _remaining_by_contract(as_of, filters)
    billed = _billed_in_rpo(month_end(month), filters)
    ids = set(recognized) | set(within) | set(beyond) | set(billed)
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    differing = []
    for rc in RevenueContract.objects.filter(pk__in=ids).order_by("number"):
        cur = rc.currency
        remaining = round_money(within[rc.pk] + beyond[rc.pk], cur)
        balance = round_money(billed[rc.pk], cur) - round_money(recognized[rc.pk], cur)
        unbilled = round_money(rc.total_price, cur) - round_money(billed[rc.pk], cur)
        for n, amount in enumerate((remaining, balance, unbilled)):
            totals[cur][n] += amount
        if remaining != balance + unbilled:
            differing.append(f"{rc.number} {cur} {remaining - balance - unbilled}")
    table = Table("Remaining performance obligations against the contract balances",
                  ["Currency", "Remaining performance obligations",
                   "Billed not recognized (contract liabilities less assets)",
                   "Price not yet billed", "Difference"])
    for cur, (remaining, balance, unbilled) in sorted(totals.items()):
        table.rows.append([cur, remaining, balance, unbilled, remaining - balance - unbilled])
    (row,) = deferred_revenue_rollforward(first=month, last=month).rows
    closing, in_ledger = row[7], row[8]
    notes = [f"At {month_end(month):%Y-%m-%d}, the end of the last month recognized; usage "
             "is variable and left out."
             f" In {settings.FUNCTIONAL_CURRENCY}, the contract balances are {closing} by the "
             f"documents and {in_ledger} in the ledger (deferred revenue less unbilled "
             "receivable)" + ("." if closing == in_ledger
                              else f": a difference of {in_ledger - closing}.")]
    if differing:
        notes.append("Revenue contracts that differ: " + ", ".join(differing[:NAMED])
                     + (f" and {len(differing) - NAMED} more" if len(differing) > NAMED
                        else "") + ".")
    table.note = " ".join(notes)
    return table


def _schedule_sums(lines):
    """(revenue contract, recognized?, month, amount) per schedule group, one query."""
    rows = (lines.values_list("obligation__revenue_contract_id", "run_id", "month")
            .annotate(total=Sum("amount")).order_by())
    return [(rc_id, run_id is not None, month, total) for rc_id, run_id, month, total in rows]


def _unscheduled_by_contract(filters: Filters) -> dict[int, Decimal]:
    return {rc_id: amount
            for _, rc_id, amount in _awaiting_delivery(filters, "revenue_contract_id")}


# Journal for an ERP ------------------------------------------------------------------------

def revrec_journal(*, month: date) -> Table:
    """Every line of revrec's entries posted in the month, for import into an ERP."""
    month = month_start(month)
    kind = ContentType.objects.get_for_model(RevenueContract)
    lines = (JournalLine.objects.filter(entry__source_type=kind,
                                        entry__posted_on__range=(month, month_end(month)))
             .select_related("entry", "gl_account", "customer_account")
             .order_by("entry__number", "pk"))
    table = Table("Revenue journal", ["Entry", "Posted on", "Document date", "Memo", "Account",
                                      "Account name", "Debit", "Credit", "Customer",
                                      "Document currency", "Document amount", "Rate",
                                      "Description"], numeric_from=6)
    for line in lines:
        entry = line.entry
        table.rows.append([entry.reference, entry.posted_on.isoformat(),
                           entry.document_date.isoformat(), entry.memo, line.gl_account.code,
                           line.gl_account.name, _fun(line.debit), _fun(line.credit),
                           line.customer_account.name if line.customer_account else "",
                           line.document_currency, line.document_amount, line.rate,
                           line.description])
    return table
