"""What each role's home page shows: aggregate questions over the stages, no writes."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum

from analytics import charts
from analytics.selectors import Converter, report_currencies
from billing.models import InvoiceState
from billing.selectors import invoices_visible_to
from billing.services.planning import unbilled_accounts
from catalog.models import PriceBook, PriceBookEntry, Product
from contracts.models import ContractState
from contracts.selectors import contracts_visible_to
from core.dates import business_date, month_start
from customers.selectors import accounts_visible_to, team_members
from ledger import chart
from ledger.models import AccountingPeriod, PeriodState
from ledger.selectors import journal_entries, trial_balance
from operations.selectors import refused_run_alerts, stalled_runs
from orders.selectors import credit_hold_queue
from payments.aging import open_receivables
from payments.services.dunning import preview_dunning
from quotes.models import OPEN_STATES, QuoteState
from quotes.selectors import approvals_queue, quotes_visible_to
from revrec.selectors import recognition_runs, run_totals

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


def finance_home(user, on=None) -> dict:
    """Finance's desk: approvals waiting, drafts to issue, orders on credit hold, what is owed
    and overdue, the dunning steps today's run will take, and the scheduled runs that were
    refused."""
    today = business_date(on)
    accounts = accounts_visible_to(user)
    overdue = accounts.filter(is_overdue=True).order_by("overdue_since", "name")
    drafts = invoices_visible_to(user).filter(state=InvoiceState.DRAFT)
    draft_totals = {row["currency"]: row for row in drafts.values("currency").annotate(
        count=Count("pk"), total=Sum("total")).order_by()}
    converter = Converter(report_currencies(), today)
    approvals = approvals_queue(user)
    holds = credit_hold_queue(user).select_related("account")
    dunning = preview_dunning(on=today)
    unbilled_count, unbilled = unbilled_accounts(accounts, on=today, limit=RECENT)
    return {
        "unbilled": unbilled, "unbilled_count": unbilled_count,
        "dunning_today": dunning[:RECENT], "dunning_count": len(dunning),
        "approvals": approvals[:RECENT], "approval_count": approvals.count(),
        "draft_count": sum(row["count"] for row in draft_totals.values()),
        "draft_total": converter.total({c: r["total"] for c, r in draft_totals.items()}, today),
        "credit_holds": holds[:RECENT], "credit_hold_count": holds.count(),
        "overdue_accounts": overdue[:RECENT],
        "overdue_count": overdue.count(),
        "receivable_functional": open_receivables(as_of=today, accounts=accounts),
        "functional_currency": settings.FUNCTIONAL_CURRENCY,
        "stalled": stalled_runs(),
        "refused_runs": refused_run_alerts(),
    }


CONTRACT_BALANCES = (chart.DEFERRED_REVENUE, chart.UNBILLED_RECEIVABLE)


def accountant_home(user, on=None) -> dict:
    """The books: period status, the last recognition run, deferred revenue (contract
    liability) and unbilled receivable (contract asset), balanced or not."""
    today = business_date(on)
    current = AccountingPeriod.objects.filter(start_on=month_start(today)).first()
    balances = trial_balance()
    by_code = {row.code: row for row in balances.rows}
    last_run = recognition_runs().first()
    return {
        "last_run": last_run,
        "last_run_totals": run_totals(last_run) if last_run else None,
        # Deferred revenue is a credit balance, unbilled receivable a debit one: shown positive.
        "deferred_revenue": -by_code[chart.DEFERRED_REVENUE].balance
        if chart.DEFERRED_REVENUE in by_code else Decimal("0"),
        "unbilled_receivable": by_code[chart.UNBILLED_RECEIVABLE].balance
        if chart.UNBILLED_RECEIVABLE in by_code else Decimal("0"),
        "today": today,
        "current_period": current,
        "periods_not_closed": AccountingPeriod.objects.exclude(state=PeriodState.CLOSED)
        .filter(start_on__lt=month_start(today)).order_by("start_on"),
        "trial_balance": balances,
        "recent_entries": journal_entries()[:RECENT],
        "functional_currency": settings.FUNCTIONAL_CURRENCY,
        "stalled": stalled_runs(),
        "refused_runs": refused_run_alerts(),
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
