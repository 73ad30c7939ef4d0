"""The analytics questions: aggregate queries only (sums, counts and one median by offset),
grouped by currency and converted to the functional currency at the stored rate of the period's
last day. Who sees what: managers their team's figures, finance and accountants everyone's."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from analytics import metrics
from analytics.models import AGING_FIELDS, ReceivableMonth
from analytics.models import MrrMonth as MrrMonthRow
from billing.aging import BUCKETS, days_sales_outstanding
from core.dates import add_months, month_start
from core.money import round_money
from core.visibility import visible_to
from ledger.fx import MissingRate
from ledger.services import rate_book
from quotes.models import Quote, QuoteKind, QuoteState

ZERO = Decimal("0")
OUTCOMES = [QuoteState.ACCEPTED, QuoteState.DECLINED, QuoteState.EXPIRED]


@dataclass(frozen=True)
class Filters:
    """The page's filters: whole months from `start` to `end` (first days), one currency or all,
    one owner or all the viewer may see."""

    start: date
    end: date
    currency: str = ""
    owner_id: int | None = None

    @property
    def last_day(self) -> date:
        return add_months(self.end, 1) - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.last_day - self.start).days + 1

    @property
    def months(self) -> list[date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
        return months


class Converter:
    """Sums per currency to the functional currency at each day's stored rate (one query)."""

    def __init__(self, currencies, up_to: date):
        self.book = rate_book(currencies, up_to=up_to)
        self.missing: set[str] = set()

    def total(self, by_currency: dict[str, Decimal], on: date) -> Decimal:
        total = ZERO
        for currency, amount in by_currency.items():
            try:
                total += self.book.to_functional(amount or ZERO, currency, on)[0]
            except MissingRate:
                self.missing.add(currency)
        return total


def _owned(queryset: QuerySet, user, filters: Filters, owner: str = "owner") -> QuerySet:
    queryset = visible_to(queryset, user, view="analytics.view_analytics",
                          view_team="customers.view_team_accounts",
                          view_all="customers.view_all_accounts", owner=owner)
    if filters.currency:
        queryset = queryset.filter(currency=filters.currency)
    if filters.owner_id:
        queryset = queryset.filter(**{f"{owner}_id": filters.owner_id})
    return queryset


class MedianSeconds(Aggregate):
    """PostgreSQL's median of a duration, in seconds (the mean of the two middle values when
    there are two, as below): one sort inside an aggregate, no rows out."""

    template = ("PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM "
                "%(expressions)s))")
    output_field = FloatField()


def _span(later: str, earlier: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())


def _hours(seconds: float | None) -> Decimal | None:
    if seconds is None:
        return None
    return (Decimal(seconds) / 3600).quantize(metrics.RATIO_PLACES)


def _median_hours(queryset: QuerySet, later: str, earlier: str) -> Decimal | None:
    """Median of `later - earlier` in hours: the middle one or two rows by rank (a window
    function in one query, no rows in Python), where the database has no median aggregate."""
    span = _span(later, earlier)
    middle = list(queryset.annotate(
        span=span, rank=Window(RowNumber(), order_by=[span.asc(), F("pk").asc()]),
        count=Window(Count("pk")),
    ).filter(Q(rank=(F("count") + 1) / 2) | Q(rank=F("count") / 2 + 1))
        .values_list("span", flat=True))
    return _hours(sum(one.total_seconds() for one in middle) / len(middle) if middle else None)


def _turnarounds(quotes: QuerySet, sent: Q, won: Q) -> tuple[Decimal | None, Decimal | None]:
    """Median hours from creation to sending (the quotes matching `sent`) and from sending to
    acceptance (those matching `won`): one aggregate query on PostgreSQL, one window query
    each elsewhere."""
    if connection.vendor != "postgresql":
        return (_median_hours(quotes.filter(sent), "sent_at", "created_at"),
                _median_hours(quotes.filter(won), "decided_at", "sent_at"))
    medians = quotes.filter(sent | won).aggregate(
        send=MedianSeconds(_span("sent_at", "created_at"), filter=sent),
        accept=MedianSeconds(_span("decided_at", "sent_at"), filter=won))
    return _hours(medians["send"]), _hours(medians["accept"])


def _within(field: str, filters: Filters) -> Q:
    """`field` (a date and time) on one of the period's days, in the current time zone, as a
    range the database can compare without converting every row."""
    start = timezone.make_aware(datetime.combine(filters.start, time.min))
    after = timezone.make_aware(datetime.combine(filters.last_day + timedelta(days=1), time.min))
    return Q(**{f"{field}__gte": start, f"{field}__lt": after})


@dataclass(frozen=True)
class QuoteFigures:
    hours_to_send: Decimal | None
    hours_to_accept: Decimal | None
    sent: int
    accepted: int
    declined: int
    expired: int
    win_rate: Decimal | None
    average_discount: Decimal | None
    average_deal_size: Decimal | None
    booked_acv: Decimal


def quote_figures(user, filters: Filters, converter: Converter) -> QuoteFigures:
    """Outcomes of the quotes sent in the period and values of the new-business quotes won in
    it (one grouped query), and the two median turnarounds (see `_turnarounds`)."""
    quotes = _owned(Quote.objects.all(), user, filters)
    sent_in, won_in = _within("sent_at", filters), _within("decided_at", filters)
    won_new = won_in & Q(state=QuoteState.ACCEPTED, kind=QuoteKind.NEW)
    rows = list(quotes.filter(sent_in | won_in).values("currency").annotate(
        sent=Count("pk", filter=sent_in),
        **{state: Count("pk", filter=sent_in & Q(state=state)) for state in OUTCOMES},
        list_total=Sum("list_total", filter=won_new),
        discount=Sum("discount_total", filter=won_new),
        acv=Sum("annual_contract_value", filter=won_new),
        deals=Count("pk", filter=won_new)).order_by())
    values = {row["currency"]: row for row in rows}
    outcomes = {name: sum(row[name] for row in rows) for name in ("sent", *OUTCOMES)}
    decided = sum(outcomes[state] for state in OUTCOMES)
    on = filters.last_day
    list_total = converter.total({c: r["list_total"] for c, r in values.items()}, on)
    discount = converter.total({c: r["discount"] for c, r in values.items()}, on)
    acv = converter.total({c: r["acv"] for c, r in values.items()}, on)
    deals = sum(r["deals"] for r in values.values())
    hours_to_send, hours_to_accept = _turnarounds(
        quotes, sent_in, won_in & Q(state=QuoteState.ACCEPTED, sent_at__isnull=False))
    return QuoteFigures(
        hours_to_send=hours_to_send, hours_to_accept=hours_to_accept,
        sent=outcomes["sent"], accepted=outcomes[QuoteState.ACCEPTED],
        declined=outcomes[QuoteState.DECLINED], expired=outcomes[QuoteState.EXPIRED],
        win_rate=metrics.percent(outcomes[QuoteState.ACCEPTED], decided),
        average_discount=metrics.percent(discount, list_total),
        average_deal_size=(acv / deals).quantize(Decimal("0.01")) if deals else None,
        booked_acv=acv,
    )


@dataclass(frozen=True)
class MrrMonth:
    month: date
    movement: metrics.MrrMovement
    accounts: int
    churned_accounts: int

    @property
    def mrr(self) -> Decimal:
        return self.movement.closing

    @property
    def arr(self) -> Decimal:
        return self.movement.closing * 12


def _monthly(model, user, filters: Filters, first: date, last: date, sums: dict) -> dict:
    """{month: [row per currency]} of a snapshot model's sums over the visible owners."""
    rows = (_owned(model.objects.all(), user, filters)
            .filter(month__gte=first, month__lte=last)
            .values("month", "currency").annotate(as_of=Max("as_of"), **sums).order_by())
    by_month: dict[date, list[dict]] = {}
    for row in rows:
        by_month.setdefault(row["month"], []).append(row)
    return by_month


def _summed(names) -> dict:
    return {name: Sum(name) for name in names}


def mrr_months(user, filters: Filters, converter: Converter) -> list[MrrMonth]:
    """MRR at each month's end with its movements against the month before, from the monthly
    snapshots (one grouped query); each currency's sums converted at the month's last-day
    rate, so exchange rates do not show as movements."""
    by_month = _monthly(MrrMonthRow, user, filters, filters.start, filters.end, _summed(
        ("opening", "closing", "new", "expansion", "contraction", "churn", "accounts",
         "churned_accounts")))
    months = []
    for month in filters.months:
        groups, on = by_month.get(month, []), add_months(month, 1) - timedelta(days=1)

        def total(name, groups=groups, on=on):
            return converter.total({g["currency"]: g[name] for g in groups}, on)

        months.append(MrrMonth(month, metrics.MrrMovement(
            total("opening"), total("new"), total("expansion"), total("contraction"),
            total("churn")), sum(g["accounts"] for g in groups),
            sum(g["churned_accounts"] for g in groups)))
    return months


@dataclass(frozen=True)
class Retention:
    starting: Decimal
    net: Decimal | None
    gross: Decimal | None


def retention(user, filters: Filters, converter: Converter) -> Retention:
    """NRR and GRR over the twelve months to the period's end month: the accounts with MRR at
    the end of the month a year before, against their MRR now (both at the end month's rate),
    from the end month's snapshot rows (one grouped query)."""
    groups = _monthly(MrrMonthRow, user, filters, filters.end, filters.end, _summed(
        ("year_ago", "retained", "retained_capped"))).get(filters.end, [])
    on = filters.last_day

    def total(name):
        return converter.total({g["currency"]: g[name] for g in groups}, on)

    starting = total("year_ago")
    return Retention(starting, metrics.net_revenue_retention(starting, total("retained")),
                     metrics.gross_revenue_retention(starting, total("retained_capped")))


@dataclass(frozen=True)
class AgingBucket:
    label: str
    amount: Decimal


@dataclass(frozen=True)
class ReceivableFigures:
    opening: Decimal
    closing: Decimal
    billed: Decimal
    closing_not_due: Decimal
    dso: Decimal | None
    collection_effectiveness: Decimal | None
    aging: list[AgingBucket]
    as_of: date | None  # the day the closing figures hold on (None: no snapshot yet)

    @property
    def aging_total(self) -> Decimal:
        return sum((bucket.amount for bucket in self.aging), ZERO)


def receivable_figures(user, filters: Filters) -> ReceivableFigures:
    """Billed in the period, the receivables ledger's balance on the day before it and on its
    last day (or the snapshot's day in the current month), what was not yet due then and the
    AR aging then, from the monthly snapshots (one grouped query; amounts already in the
    functional currency at the booked rates)."""
    before = add_months(filters.start, -1)
    by_month = _monthly(ReceivableMonth, user, filters, before, filters.end,
                        _summed(("billed", "receivable", *AGING_FIELDS, "not_due")))
    currency = settings.FUNCTIONAL_CURRENCY

    def total(month, name):
        return round_money(sum((g[name] or ZERO for g in by_month.get(month, [])), ZERO),
                           currency)

    opening, closing = total(before, "receivable"), total(filters.end, "receivable")
    billed = sum((total(month, "billed") for month in filters.months), ZERO)
    not_due = total(filters.end, "not_due")
    end_rows = by_month.get(filters.end, [])
    as_of = max((g["as_of"] for g in end_rows), default=None)
    days = ((as_of or filters.last_day) - filters.start).days + 1
    return ReceivableFigures(
        opening=opening, closing=closing, billed=billed, closing_not_due=not_due,
        dso=days_sales_outstanding(closing, billed, days),
        collection_effectiveness=metrics.collection_effectiveness(opening, billed, closing,
                                                                  not_due),
        aging=[AgingBucket(bucket.label, total(filters.end, bucket.name)) for bucket in BUCKETS],
        as_of=as_of,
    )


def default_filters(today: date) -> Filters:
    """The last twelve whole months and the current one."""
    end = month_start(today)
    return Filters(start=add_months(end, -11), end=end)


def report_currencies() -> list[str]:
    return list(settings.CURRENCIES)


def functional_currency() -> str:
    return settings.FUNCTIONAL_CURRENCY
