"""What each role's home page shows: aggregate questions over the stages, no writes."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum

from analytics import charts
from analytics.selectors import Converter, report_currencies
from catalog.models import PriceBook, PriceBookEntry, Product
from contracts.models import ContractState
from contracts.selectors import contracts_visible_to
from core.dates import business_date, month_start
from customers.selectors import accounts_visible_to, team_members
from ledger.models import AccountingPeriod, PeriodState
from ledger.selectors import journal_entries, receivable_balances, trial_balance
from quotes.models import OPEN_STATES, QuoteState
from quotes.selectors import quotes_visible_to

RECENT = 8


EXPIRING_DAYS = 14
RENEWAL_WINDOW_DAYS = 90


def pipeline(user, on=None) -> dict:
    """Open quotes by state: how many and their annual contract value, converted to the
    functional currency at today's rates (one grouped query)."""
    today = business_date(on)
    rows = (quotes_visible_to(user).filter(state__in=OPEN_STATES).values("state", "currency")
            .annotate(count=Count("pk"), acv=Sum("annual_contract_value")).order_by())
    converter = Converter(report_currencies(), today)
    by_state = {state: {"count": 0, "acv": {}} for state in OPEN_STATES}
    for row in rows:
        by_state[row["state"]]["count"] += row["count"]
        by_state[row["state"]]["acv"][row["currency"]] = row["acv"]
    states = [(QuoteState(state).label, data["count"], converter.total(data["acv"], today))
              for state, data in by_state.items()]
    chart = charts.bar_chart("Open pipeline by state (ACV)", [label for label, _, _ in states],
                             [charts.Series("ACV", tuple(acv for _, _, acv in states))])
    return {"pipeline": states, "pipeline_chart": chart,
            "pipeline_total": sum((acv for _, _, acv in states), Decimal("0")),
            "functional_currency": settings.FUNCTIONAL_CURRENCY}


def sales_home(user, on=None) -> dict:
    """My pipeline, quotes about to expire, quotes waiting for approval, renewals coming."""
    today = business_date(on)
    quotes = quotes_visible_to(user).select_related("account")
    expiring = quotes.filter(state__in=[QuoteState.APPROVED, QuoteState.SENT],
                             expires_on__gte=today,
                             expires_on__lte=today + timedelta(days=EXPIRING_DAYS))
    waiting = quotes.filter(state=QuoteState.PENDING_APPROVAL)
    renewals = contracts_visible_to(user).filter(
        state=ContractState.ACTIVE, end_on__gte=today,
        end_on__lte=today + timedelta(days=RENEWAL_WINDOW_DAYS))
    return {
        **pipeline(user, on),
        "expiring_quotes": expiring.order_by("expires_on", "pk")[:RECENT],
        "expiring_days": EXPIRING_DAYS,
        "waiting_quotes": waiting.order_by("submitted_at", "pk")[:RECENT],
        "renewals_due": renewals.order_by("end_on", "pk")[:RECENT],
        "renewal_days": RENEWAL_WINDOW_DAYS,
        "recent_accounts": accounts_visible_to(user).order_by("-updated_at")[:RECENT],
    }


def team_home(manager, on=None) -> dict:
    members = team_members(manager).annotate(
        account_count=Count("owned_accounts", distinct=True),
        overdue_count=Count("owned_accounts", filter=Q(owned_accounts__is_overdue=True),
                            distinct=True),
        open_quotes=Count("quotes", filter=Q(quotes__state__in=OPEN_STATES), distinct=True),
    )
    return {"team": members, **sales_home(manager, on)}


def finance_home(user) -> dict:
    accounts = accounts_visible_to(user)
    overdue = accounts.filter(is_overdue=True).order_by("overdue_since", "name")
    balances = receivable_balances()
    by_currency: dict[str, Decimal] = {}
    for balance in balances.values():
        for currency, amount in balance.by_currency.items():
            by_currency[currency] = by_currency.get(currency, Decimal("0")) + amount
    functional = sum((b.functional for b in balances.values()), Decimal("0"))
    return {
        "overdue_accounts": overdue[:RECENT],
        "overdue_count": overdue.count(),
        "receivable_by_currency": sorted(by_currency.items()),
        "receivable_functional": functional,
        "functional_currency": settings.FUNCTIONAL_CURRENCY,
    }


def accountant_home(user, on=None) -> dict:
    today = business_date(on)
    current = AccountingPeriod.objects.filter(start_on=month_start(today)).first()
    return {
        "today": today,
        "current_period": current,
        "periods_not_closed": AccountingPeriod.objects.exclude(state=PeriodState.CLOSED)
        .filter(start_on__lt=month_start(today)).order_by("start_on"),
        "trial_balance": trial_balance(),
        "recent_entries": journal_entries()[:RECENT],
        "functional_currency": settings.FUNCTIONAL_CURRENCY,
    }


ENDING_SOON_DAYS = 45


def catalog_home(user, on=None) -> dict:
    """Active products without any price, and price books whose end date is near."""
    today = business_date(on)
    priced = PriceBookEntry.objects.filter(product=OuterRef("pk"), price_book__active=True)
    unpriced = (Product.objects.filter(active=True, is_bundle=False)
                .exclude(Exists(priced)).order_by("sku"))
    ending = PriceBook.objects.filter(
        active=True, effective_to__gte=today,
        effective_to__lte=today + timedelta(days=ENDING_SOON_DAYS),
    ).order_by("effective_to")
    counts = Product.objects.aggregate(active_count=Count("pk", filter=Q(active=True)),
                                       inactive_count=Count("pk", filter=Q(active=False)))
    return {
        "unpriced_products": unpriced[:20], "unpriced_count": unpriced.count(),
        "ending_books": ending, "ending_days": ENDING_SOON_DAYS, "product_counts": counts,
        "book_count": PriceBook.objects.filter(active=True).count(),
    }
