"""What each role's home page shows: aggregate questions over the stages, no writes."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q

from catalog.models import PriceBook, PriceBookEntry, Product
from core.dates import business_date, month_start
from customers.models import AccountStatus
from customers.selectors import accounts_visible_to, team_members
from ledger.models import AccountingPeriod, PeriodState
from ledger.selectors import journal_entries, receivable_balances, trial_balance

RECENT = 8


def sales_home(user) -> dict:
    accounts = accounts_visible_to(user)
    by_status = accounts.order_by().aggregate(
        total=Count("pk"),
        **{status: Count("pk", filter=Q(status=status)) for status in AccountStatus.values},
        overdue=Count("pk", filter=Q(is_overdue=True)),
    )
    return {
        "account_counts": by_status,
        "status_rows": [(label, by_status[value]) for value, label in AccountStatus.choices],
        "recent_accounts": accounts.order_by("-updated_at")[:RECENT],
    }


def team_home(manager) -> dict:
    members = team_members(manager).annotate(
        account_count=Count("owned_accounts"),
        overdue_count=Count("owned_accounts", filter=Q(owned_accounts__is_overdue=True)),
    )
    return {"team": members, **sales_home(manager)}


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
