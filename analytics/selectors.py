"""The analytics questions: aggregate queries only (sums, counts and one median by offset),
grouped by currency and converted to the functional currency at the stored rate of the period's
last day. Who sees what: managers their team's figures, finance and accountants everyone's."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least

from analytics import metrics
from analytics.models import MrrSnapshot
from billing.models import Invoice, InvoiceState
from core.dates import add_months, month_start
from core.money import round_money
from core.visibility import visible_to
from customers.models import Account
from ledger.fx import MissingRate
from ledger.selectors import receivable_total
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


def _median_hours(queryset: QuerySet, later: str, earlier: str) -> Decimal | None:
    """Median of `later - earlier` in hours, by ordering and offset (no rows in Python)."""
    span = ExpressionWrapper(F(later) - F(earlier), output_field=DurationField())
    count = queryset.count()
    if not count:
        return None
    middle = list(queryset.annotate(span=span).order_by("span", "pk")
                  .values_list("span", flat=True)[(count - 1) // 2: count // 2 + 1])
    seconds = sum(one.total_seconds() for one in middle) / len(middle)
    return (Decimal(seconds) / 3600).quantize(metrics.RATIO_PLACES)


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
    quotes = _owned(Quote.objects.all(), user, filters)
    sent = quotes.filter(sent_at__date__gte=filters.start, sent_at__date__lte=filters.last_day)
    won = quotes.filter(state=QuoteState.ACCEPTED, decided_at__date__gte=filters.start,
                        decided_at__date__lte=filters.last_day)
    outcomes = sent.aggregate(
        sent=Count("pk"), **{state: Count("pk", filter=Q(state=state)) for state in OUTCOMES})
    decided = sum(outcomes[state] for state in OUTCOMES)
    values = {row["currency"]: row for row in won.filter(kind=QuoteKind.NEW).values("currency")
              .annotate(list_total=Sum("list_total"), discount=Sum("discount_total"),
                        acv=Sum("annual_contract_value"), deals=Count("pk")).order_by()}
    on = filters.last_day
    list_total = converter.total({c: r["list_total"] for c, r in values.items()}, on)
    discount = converter.total({c: r["discount"] for c, r in values.items()}, on)
    acv = converter.total({c: r["acv"] for c, r in values.items()}, on)
    deals = sum(r["deals"] for r in values.values())
    return QuoteFigures(
        hours_to_send=_median_hours(sent, "sent_at", "created_at"),
        hours_to_accept=_median_hours(won.exclude(sent_at=None), "decided_at", "sent_at"),
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


def _snapshots(user, filters: Filters) -> QuerySet:
    return _owned(MrrSnapshot.objects.all(), user, filters)


def mrr_months(user, filters: Filters, converter: Converter) -> list[MrrMonth]:
    """MRR at each month's end with its movements against the month before (in SQL: one
    grouped query; each currency's sums converted at the month's last-day rate)."""
    current, previous = F("mrr"), F("previous_mrr")
    rows = (_snapshots(user, filters)
            .filter(month__gte=filters.start, month__lte=filters.end)
            .values("month", "currency")
            .annotate(
                opening=Sum(previous), closing=Sum(current),
                new=Sum(current, filter=Q(previous_mrr=0, mrr__gt=0)),
                churn=Sum(previous, filter=Q(mrr=0, previous_mrr__gt=0)),
                expansion=Sum(current - previous, filter=Q(previous_mrr__gt=0,
                                                           mrr__gt=previous)),
                contraction=Sum(previous - current, filter=Q(mrr__gt=0, mrr__lt=previous)),
                accounts=Count("account", filter=Q(mrr__gt=0), distinct=True),
                churned=Count("account", filter=Q(mrr=0, previous_mrr__gt=0), distinct=True),
            ).order_by("month"))
    by_month: dict[date, list[dict]] = {month: [] for month in filters.months}
    for row in rows:
        by_month.setdefault(row["month"], []).append(row)
    months = []
    for month, groups in by_month.items():
        on = add_months(month, 1) - timedelta(days=1)

        def total(name, groups=groups, on=on):
            return converter.total({g["currency"]: g[name] for g in groups}, on)

        opening, new, expansion = total("opening"), total("new"), total("expansion")
        contraction, churn = total("contraction"), total("churn")
        # Converted parts may differ from the converted closing by rounding; closing is exact.
        months.append(MrrMonth(month, metrics.MrrMovement(opening, new, expansion,
                                                          contraction, churn),
                               sum(g["accounts"] for g in groups),
                               sum(g["churned"] for g in groups)))
    return months


@dataclass(frozen=True)
class Retention:
    starting: Decimal
    net: Decimal | None
    gross: Decimal | None


def retention(user, filters: Filters, converter: Converter) -> Retention:
    """NRR and GRR over the twelve months to the period's end month: the accounts with MRR at
    the end of the month a year before, against their MRR now (both at the end month's rate)."""
    year_ago = add_months(filters.end, -12)
    now = _snapshots(user, filters).filter(month=filters.end, account=OuterRef("account"),
                                           currency=OuterRef("currency")).values("mrr")[:1]
    rows = (_snapshots(user, filters).filter(month=year_ago, mrr__gt=0)
            .annotate(now=Coalesce(Subquery(now), Value(ZERO)))
            .values("currency")
            .annotate(start=Sum("mrr"), kept=Sum("now"), capped=Sum(Least("now", "mrr")))
            .order_by())
    on = add_months(filters.end, 1) - timedelta(days=1)
    starting = converter.total({r["currency"]: r["start"] for r in rows}, on)
    kept = converter.total({r["currency"]: r["kept"] for r in rows}, on)
    capped = converter.total({r["currency"]: r["capped"] for r in rows}, on)
    return Retention(starting, metrics.net_revenue_retention(starting, kept),
                     metrics.gross_revenue_retention(starting, capped))


BILLED_STATES = [InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID, InvoiceState.PAID,
                 InvoiceState.UNCOLLECTIBLE]


@dataclass(frozen=True)
class ReceivableFigures:
    opening: Decimal
    closing: Decimal
    billed: Decimal
    closing_not_due: Decimal
    dso: Decimal | None
    collection_effectiveness: Decimal | None


def receivable_figures(user, filters: Filters) -> ReceivableFigures:
    """Receivables from the ledger's sub-ledger (as of the day before the period and its last
    day) and what was billed in the period (issued invoices at their booked rate)."""
    accounts = _owned(Account.objects.all(), user, Filters(filters.start, filters.end,
                                                            owner_id=filters.owner_id))
    opening = receivable_total(customer_accounts=accounts, currency=filters.currency,
                               as_of=filters.start - timedelta(days=1))
    closing = receivable_total(customer_accounts=accounts, currency=filters.currency,
                               as_of=filters.last_day)
    invoices = Invoice.objects.filter(account__in=accounts.values("pk"))
    if filters.currency:
        invoices = invoices.filter(currency=filters.currency)
    billed = invoices.filter(state__in=BILLED_STATES, issue_on__gte=filters.start,
                             issue_on__lte=filters.last_day).aggregate(
        total=Sum("functional_total"))["total"] or ZERO
    not_due = invoices.filter(state__in=[InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID],
                              issue_on__lte=filters.last_day,
                              due_on__gt=filters.last_day).aggregate(
        total=Sum(F("amount_due") * F("fx_rate")))["total"] or ZERO
    currency = settings.FUNCTIONAL_CURRENCY
    billed, not_due = round_money(billed, currency), round_money(not_due, currency)
    return ReceivableFigures(
        opening=opening, closing=closing, billed=billed, closing_not_due=not_due,
        dso=metrics.days_sales_outstanding(closing, billed, filters.days),
        collection_effectiveness=metrics.collection_effectiveness(opening, billed, closing,
                                                                  not_due),
    )


def default_filters(today: date) -> Filters:
    """The last twelve whole months and the current one."""
    end = month_start(today)
    return Filters(start=add_months(end, -11), end=end)


def report_currencies() -> list[str]:
    return list(settings.CURRENCIES)


def functional_currency() -> str:
    return settings.FUNCTIONAL_CURRENCY
