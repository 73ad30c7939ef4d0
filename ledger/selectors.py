"""The ledger's questions: trial balance, journal, manual journals, receivables, periods and
rates. No writes."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth

from core.dates import month_start
from core.money import round_money
from ledger import chart
from ledger.models import (
    AccountingPeriod,
    AccountMovement,
    ClosingBalance,
    ExchangeRate,
    GLAccount,
    JournalEntry,
    JournalLine,
    LedgerExport,
    ManualJournal,
    ManualJournalState,
)
from ledger.period_rules import landing_month, month_end

ZERO = Decimal("0")
# a line without a document amount is a functional-currency document
DOCUMENT_AMOUNT = Coalesce("document_amount", F("debit") - F("credit"))


def _functional(amount) -> Decimal:
    # SQLite sums decimals in floating point: round every aggregate to the currency before use.
    return round_money(amount or ZERO, settings.FUNCTIONAL_CURRENCY)


# Trial balance -----------------------------------------------------------------------------

@dataclass(frozen=True)
class TrialBalanceRow:
    code: str
    name: str
    type: str
    debit: Decimal
    credit: Decimal

    @property
    def balance(self) -> Decimal:
        """Debit positive, credit negative."""
        return self.debit - self.credit


@dataclass(frozen=True)
class TrialBalance:
    as_of: date | None
    currency: str
    rows: list[TrialBalanceRow] = field(default_factory=list)

    @property
    def total_debit(self) -> Decimal:
        return sum((row.debit for row in self.rows), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((row.credit for row in self.rows), ZERO)

    @property
    def total_balance(self) -> Decimal:
        return self.total_debit - self.total_credit

    @property
    def is_balanced(self) -> bool:
        return self.total_debit == self.total_credit


def trial_balance(as_of: date | None = None, *, since: date | None = None) -> TrialBalance:
    """Debits and credits per GL account of every entry posted on or before `as_of` (all when
    None), in one aggregate query over the accounts' movements (a few rows per posting, not
    every line); each account's sums rounded to the functional currency. With `since`, only
    entries posted from that day: the movement of a period."""
    totals = (
        _movements(through=as_of, since=since)
        .values("gl_account__code", "gl_account__name", "gl_account__type")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by("gl_account__code")
    )
    rows = [
        TrialBalanceRow(code=t["gl_account__code"], name=t["gl_account__name"],
                        type=t["gl_account__type"], debit=_functional(t["debit"]),
                        credit=_functional(t["credit"]))
        for t in totals
    ]
    return TrialBalance(as_of=as_of, currency=settings.FUNCTIONAL_CURRENCY, rows=rows)


def _movements(*, gl_codes=None, through: date | None = None, since: date | None = None,
               source_type_ids=None) -> QuerySet:
    movements = AccountMovement.objects.order_by()
    if gl_codes is not None:
        movements = movements.filter(gl_account__code__in=list(gl_codes))
    if through is not None:
        movements = movements.filter(posted_on__lte=through)
    if since is not None:
        movements = movements.filter(posted_on__gte=since)
    if source_type_ids is not None:
        movements = movements.filter(source_type_id__in=list(source_type_ids))
    return movements


def monthly_movements(gl_codes, *, through: date, since: date | None = None,
                      source_type_ids=None) -> dict[date, Decimal]:
    """Per month posted (its first day), credits less debits on these GL accounts (of entries
    from these kinds of source document when given), in one query over the movements; each
    month's sum rounded to the functional currency."""
    rows = (_movements(gl_codes=gl_codes, through=through, since=since,
                       source_type_ids=source_type_ids)
            .annotate(month=TruncMonth("posted_on")).values_list("month")
            .annotate(credit=Sum("credit"), debit=Sum("debit")))
    months: dict[date, Decimal] = {}
    for month, credit, debit in rows:
        month = month.date() if isinstance(month, datetime) else month
        months[month] = months.get(month, ZERO) + _functional(credit) - _functional(debit)
    return months


def credit_balance(gl_codes, *, through: date | None = None, since: date | None = None,
                   source_type_ids=None) -> Decimal:
    """Credits less debits on these GL accounts posted in the days given (of entries from
    these kinds of source document when given), one query over the movements."""
    totals = _movements(gl_codes=gl_codes, through=through, since=since,
                        source_type_ids=source_type_ids).aggregate(
        debit=Sum("debit"), credit=Sum("credit"))
    return _functional(totals["credit"]) - _functional(totals["debit"])


# Journal -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class JournalFilters:
    date_from: date | None = None
    date_to: date | None = None
    gl_code: str = ""
    source: str = ""  # matched against the source label and the memo


def _entries_with_lines() -> QuerySet:
    lines = JournalLine.objects.select_related("gl_account", "customer_account")
    return JournalEntry.objects.select_related(
        "period", "posted_by", "reverses", "reversed_by"
    ).prefetch_related(Prefetch("lines", queryset=lines))


def journal_entries(filters: JournalFilters | None = None) -> QuerySet:
    """Entries newest first, lines and their accounts prefetched (two queries for any count),
    each annotated with `total` (its debits, to be rounded when shown). The total is a
    subquery per entry shown, not a GROUP BY, which would total every entry before the page's
    LIMIT (23 s on a million entries)."""
    filters = filters or JournalFilters()
    debits = (JournalLine.objects.filter(entry=OuterRef("pk")).order_by().values("entry")
              .annotate(total=Sum("debit")).values("total"))
    entries = _entries_with_lines().annotate(total=Subquery(debits))
    if filters.date_from:
        entries = entries.filter(posted_on__gte=filters.date_from)
    if filters.date_to:
        entries = entries.filter(posted_on__lte=filters.date_to)
    if filters.gl_code:
        entries = entries.filter(Exists(JournalLine.objects.filter(
            entry=OuterRef("pk"), gl_account__code=filters.gl_code)))
    if filters.source:
        entries = entries.filter(Q(source_label__icontains=filters.source)
                                 | Q(memo__icontains=filters.source))
    return entries.order_by("-posted_on", "-number")


def entry_for_detail(pk: int) -> JournalEntry:
    return _entries_with_lines().select_related("source_type").get(pk=pk)


def entries_for_source(source) -> QuerySet:
    """Every entry posted from one source document, oldest first."""
    from django.contrib.contenttypes.models import ContentType

    return _entries_with_lines().filter(
        source_type=ContentType.objects.get_for_model(source), source_id=source.pk
    ).order_by("number")


# Receivables -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ReceivableBalance:
    """An account's open receivable: in the functional currency and per document currency."""

    functional: Decimal = ZERO
    by_currency: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class _Kept:
    """GL accounts' ids, and the latest period whose closing balances are kept: its id, its
    last day and the first id of the entries posted after that day (None when there is none
    yet); (None, date.min, None) when no period is kept."""

    gl_ids: list[int]
    period_id: int | None = None
    last_day: date = date.min
    first_after: int | None = None


def _latest_kept(gl_codes, as_of: date | None) -> _Kept:
    """The accounts of `gl_codes` and the latest period kept by `as_of` (see `_Kept`), in one
    query: the period beside each account. Readers put the ids and the day in their queries as
    values, so the planner reads only those accounts' lines of the entries posted after it (by
    the GL account and entry index; through the accounts' codes it guessed their share of the
    lines and read every line of the month)."""
    kept = AccountingPeriod.objects.filter(balances_kept=True).order_by("-start_on")
    if as_of is not None:
        kept = kept.filter(end_on__lte=as_of)
    last_day = Subquery(kept.values("end_on")[:1])
    # the smallest of each posting day's first entry: a plain MIN(id) is planned as a walk of
    # the primary key from the oldest entry (2.3 million of them before the last month)
    first_after = (JournalEntry.objects.filter(posted_on__gt=last_day)
                   .values("posted_on").annotate(first=Min("pk")).order_by("first")
                   .values("first")[:1])
    rows = list(GLAccount.objects.filter(code__in=list(gl_codes))
                .annotate(period=Subquery(kept.values("pk")[:1]), last_day=last_day,
                          first_after=Subquery(first_after))
                .values_list("pk", "period", "last_day", "first_after"))
    if not rows or rows[0][1] is None:
        return _Kept([row[0] for row in rows])
    _, period_id, last_day, first_after = rows[0]
    return _Kept([row[0] for row in rows], period_id, last_day, first_after)


def _posted_between(lines: QuerySet, after: date, through: date | None,
                    first_after: int | None) -> QuerySet:
    """The lines of the entries posted after `after` (a kept period's last day, or date.min)
    and up to `through` (None: any day). After a kept period only the entries from
    `first_after` on are looked at: their lines lie together in the entry index, one range
    read, where finding them entry by entry read 0.4 million lines one probe each (and a join
    on the posting day alone was planned as a scan of every line). The posting day still
    decides: an entry numbered after it but posted on or before `after` is left out."""
    if after > date.min:
        if first_after is None:
            return lines.none()  # nothing posted since the kept period
        lines = lines.filter(entry_id__gte=first_after, entry__posted_on__gt=after)
    if through is not None:
        lines = lines.filter(entry__posted_on__lte=through)
    return lines


def _balance_sources(gl_codes, as_of, customer_account_ids) -> tuple[QuerySet, QuerySet]:
    """What customers' balances on these GL accounts are made of: the lines posted after the
    latest kept period, and that period's closing balances (`ClosingBalance`). One query."""
    kept = _latest_kept(gl_codes, as_of)
    lines = _posted_between(JournalLine.objects.filter(gl_account_id__in=kept.gl_ids,
                                                       customer_account__isnull=False),
                            kept.last_day, as_of, kept.first_after)
    balances = ClosingBalance.objects.filter(period_id=kept.period_id,
                                             gl_account_id__in=kept.gl_ids)
    if customer_account_ids is not None:
        wanted = list(customer_account_ids)
        lines = lines.filter(customer_account_id__in=wanted)
        balances = balances.filter(customer_account_id__in=wanted)
    return lines.order_by(), balances.order_by()


def _receivable_rows(gl_codes, as_of, customer_account_ids):
    """Per customer account and document currency: the closing balances of the latest kept
    period, and the sums of the lines posted after it. Two queries."""
    lines, balances = _balance_sources(gl_codes, as_of, customer_account_ids)
    by_customer = ("customer_account_id", "document_currency")
    return (lines.values(*by_customer)
            .annotate(functional=Sum(F("debit") - F("credit")), document=Sum(DOCUMENT_AMOUNT))
            .union(balances.values(*by_customer)
                   .annotate(functional=Sum("functional"), document=Sum("document")),
                   all=True))


def receivable_balances(customer_account_ids=None, *, gl_codes=(chart.ACCOUNTS_RECEIVABLE,),
                        as_of: date | None = None) -> dict[int, ReceivableBalance]:
    """Open receivable per customer account (only those with lines), in two queries. Lines
    without a document currency count as functional-currency documents."""
    currency = settings.FUNCTIONAL_CURRENCY
    functional: dict[int, Decimal] = {}
    by_currency: dict[int, dict[str, Decimal]] = {}
    for row in _receivable_rows(gl_codes, as_of, customer_account_ids):
        account, doc_currency = row["customer_account_id"], row["document_currency"] or currency
        functional[account] = functional.get(account, ZERO) + _functional(row["functional"])
        per = by_currency.setdefault(account, {})
        per[doc_currency] = per.get(doc_currency, ZERO) + round_money(row["document"] or ZERO,
                                                                       doc_currency)
    return {account: ReceivableBalance(functional[account], by_currency[account])
            for account in functional}


def receivable_balance(customer_account_id: int, *, gl_codes=(chart.ACCOUNTS_RECEIVABLE,),
                       as_of: date | None = None) -> ReceivableBalance:
    """One account's open receivable in the functional currency and in each document
    currency, in two queries."""
    balances = receivable_balances([customer_account_id], gl_codes=gl_codes, as_of=as_of)
    return balances.get(customer_account_id, ReceivableBalance())


@dataclass(frozen=True)
class BalanceDifference:
    """A customer account and currency where a sub-ledger and the ledger disagree, each side
    rounded to the currency."""

    customer_account_id: int
    currency: str
    ledger: Decimal
    sub_ledger: Decimal


def balance_differences(sub_ledger, *, gl_code: str,
                        credit: bool = False) -> list[BalanceDifference]:
    """Where a sub-ledger and the ledger's balance on one customer GL account (`credit`: a
    credit balance, read as positive) disagree, per customer account and document currency,
    in account then currency order. `sub_ledger` is querysets of rows (customer account id,
    currency, amount), summed in the database beside the ledger's balances (see
    `receivable_balances`), so that only the keys that differ come back: a tie of 100,000
    customers that holds reads no row. Each side is then rounded to the currency (SQLite sums
    in floating point) and compared again. Two queries."""
    lines, balances = _balance_sources((gl_code,), None, None)
    ledger = (lines.annotate(document=DOCUMENT_AMOUNT)
              .values_list("customer_account_id", "document_currency", "document")
              .union(balances.values_list("customer_account_id", "document_currency",
                                          "document"), all=True))
    ledger_sql, params = ledger.query.sql_with_params()
    parts = [f"SELECT customer_account_id AS account_id, "
             f"COALESCE(NULLIF(document_currency, ''), %s) AS currency, 0 AS sub_ledger, "
             f"{'-' if credit else ''}document AS ledger FROM ({ledger_sql}) ledger_rows"]
    params = [settings.FUNCTIONAL_CURRENCY, *params]
    for queryset in sub_ledger:
        part_sql, part_params = queryset.query.sql_with_params()
        parts.append(f"SELECT part.*, 0 FROM ({part_sql}) part")
        params += part_params
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_id, currency, COALESCE(SUM(sub_ledger), 0), COALESCE(SUM(ledger), 0) "
            f"FROM ({' UNION ALL '.join(parts)}) sides GROUP BY account_id, currency "
            "HAVING COALESCE(SUM(sub_ledger), 0) <> COALESCE(SUM(ledger), 0) "
            "ORDER BY account_id, currency", params)
        rows = cursor.fetchall()
    differences = []
    for account_id, currency, on_sub_ledger, in_ledger in rows:
        difference = BalanceDifference(account_id, currency, round_money(in_ledger, currency),
                                       round_money(on_sub_ledger, currency))
        if difference.ledger != difference.sub_ledger:
            differences.append(difference)
    return differences


# Periods -----------------------------------------------------------------------------------

def manual_journals() -> QuerySet:
    """Manual journals, those waiting for approval first, then the newest."""
    waiting = Case(When(state=ManualJournalState.PENDING_APPROVAL, then=Value(0)),
                   default=Value(1), output_field=IntegerField())
    return (ManualJournal.objects.select_related("prepared_by", "entry")
            .annotate(waiting=waiting).order_by("waiting", "-created_at", "-pk"))


def periods_with_counts() -> QuerySet:
    return AccountingPeriod.objects.annotate(entry_count=Count("entries")).order_by("-start_on")


def period_for_update(pk: int) -> AccountingPeriod:
    """The period, locked for the rest of the transaction."""
    return AccountingPeriod.objects.select_for_update().get(pk=pk)


def open_period_for(day: date) -> AccountingPeriod:
    """The period a document dated `day` would post into: an existing open period, or an unsaved
    one for a month that does not exist yet (posting creates it)."""
    later = AccountingPeriod.objects.filter(start_on__gte=month_start(day))
    periods = {p.start_on: p for p in later}
    month = landing_month(day, {start: p.state for start, p in periods.items()})
    return periods.get(month) or AccountingPeriod(start_on=month, end_on=month_end(month))


# General ledger exports ----------------------------------------------------------------------

def ledger_exports(period: AccountingPeriod | None = None) -> QuerySet:
    """Exports newest first, with who made them; those of one period when given."""
    exports = LedgerExport.objects.select_related("period", "created_by").order_by("-number")
    return exports.filter(period=period) if period is not None else exports


def unexported_entries(period: AccountingPeriod | None = None) -> QuerySet:
    """Entries no export holds yet (of one period when given), oldest first."""
    entries = JournalEntry.objects.filter(export_link__isnull=True)
    if period is not None:
        entries = entries.filter(period=period)
    return entries.order_by("number")


EXPORT_LINE_FIELDS = (
    "entry__number", "entry__document_date", "entry__posted_on", "entry__created_at",
    "entry__memo", "entry__source_label", "entry__source_type__app_label",
    "entry__source_type__model", "entry__source_id", "entry__posted_by__username",
    "gl_account__code", "gl_account__name", "debit", "credit", "description",
    "customer_account_id", "customer_account__name", "document_currency", "document_amount",
    "rate", "pk",
)


def export_lines(export: LedgerExport):
    """The lines of an export's entries as dicts, in entry number then line order: one query,
    read in chunks, whatever the size."""
    return (JournalLine.objects.filter(entry__export_link__export=export)
            .order_by("entry__number", "pk").values(*EXPORT_LINE_FIELDS)
            .iterator(chunk_size=2000))


# Reference data ----------------------------------------------------------------------------

def exchange_rates(currency: str = "") -> QuerySet:
    rates = ExchangeRate.objects.order_by("-valid_on", "currency")
    return rates.filter(currency=currency.upper()) if currency else rates
