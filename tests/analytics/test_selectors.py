"""Each figure against a small dataset computed by hand."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Q
from django.utils import timezone

from analytics import selectors
from analytics.models import MrrMonth, MrrSnapshot
from analytics.services import refresh_mrr_snapshots
from analytics.services.mrr import summarize_mrr_months
from analytics.services.receivables import refresh_receivable_months
from catalog.demo import seed_catalog
from ledger.models import ExchangeRate
from payments.aging import ar_aging, open_receivables
from payments.services import Application, record_payment
from q2c import flows
from quotes import services as quote_services
from quotes.models import Quote
from quotes.services.sending import quote_link_token
from tests.contracts.factories import active_contract, sent_quote
from tests.customers.factories import AccountFactory
from tests.payments.factories import account as pay_account
from tests.payments.factories import issued_invoice
from tests.payments.test_dunning import dun
from tests.payments.test_late_charges import charging_policy, eur_invoice  # noqa: F401
from tests.quotes.factories import account_for, draft_quote

pytestmark = pytest.mark.django_db

NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)


def snapshot(account, month, mrr, previous, currency="USD"):
    return MrrSnapshot.objects.create(account=account, owner=account.owner, month=month,
                                      currency=currency, mrr=Decimal(mrr),
                                      previous_mrr=Decimal(previous))


def summarize(*months):
    """The beat task's second step: the month rows the page reads, from the account rows."""
    summarize_mrr_months(list(months), as_of=date(2027, 1, 15))


def report(user, start=NOV, end=DEC, **filters):
    converter = selectors.Converter(["USD", "EUR"], end + timedelta(days=40))
    f = selectors.Filters(start=start, end=end, **filters)
    return f, converter


@pytest.fixture
def accounts(sales_rep, other_rep):
    return [AccountFactory(owner=sales_rep) for _ in range(4)] + [AccountFactory(owner=other_rep)]


def test_mrr_movements_of_a_month_match_the_hand_computed_sums(finance, accounts):
    # given December: a new account, an expansion, a contraction and a churn
    a, b, c, d, e = accounts
    snapshot(a, DEC, "100", "0")       # new 100
    snapshot(b, DEC, "250", "200")     # expansion 50
    snapshot(c, DEC, "120", "150")     # contraction 30
    snapshot(d, DEC, "0", "80")        # churn 80
    snapshot(e, DEC, "300", "300")     # unchanged
    summarize(DEC)
    filters, converter = report(finance)

    # when
    december = selectors.mrr_months(finance, filters, converter)[-1]

    # then
    move = december.movement
    assert (move.opening, move.new, move.expansion, move.contraction, move.churn) == (
        Decimal("730"), Decimal("100"), Decimal("50"), Decimal("30"), Decimal("80"))
    assert december.mrr == Decimal("770") and december.arr == Decimal("9240")
    assert (december.accounts, december.churned_accounts) == (4, 1)


def test_foreign_currency_mrr_is_converted_at_the_month_end_rate(finance, accounts):
    ExchangeRate.objects.create(currency="EUR", valid_on=date(2026, 12, 1), rate=Decimal("1.1"))
    snapshot(accounts[0], DEC, "100", "0", currency="EUR")
    summarize(DEC)
    filters, converter = report(finance)

    assert selectors.mrr_months(finance, filters, converter)[-1].mrr == Decimal("110.00")


def test_a_rep_filter_and_a_managers_team_limit_what_is_counted(sales_manager, accounts):
    for account in accounts:
        snapshot(account, DEC, "100", "100")
    summarize(DEC)
    filters, converter = report(sales_manager)

    # the manager sees their team's four accounts, not the other team's
    assert selectors.mrr_months(sales_manager, filters, converter)[-1].mrr == Decimal("400")
    only_rep = selectors.Filters(start=NOV, end=DEC, owner_id=accounts[0].owner_id)
    assert selectors.mrr_months(sales_manager, only_rep, converter)[-1].mrr == Decimal("400")


def test_retention_compares_the_accounts_of_a_year_before(finance, accounts):
    a, b, c, _, _ = accounts
    year_ago = date(2025, 12, 1)
    snapshot(a, year_ago, "100", "100")
    snapshot(b, year_ago, "100", "100")
    snapshot(c, year_ago, "100", "100")
    snapshot(a, DEC, "150", "150")  # expanded
    snapshot(b, DEC, "50", "50")    # contracted; c churned
    summarize(DEC)
    filters, converter = report(finance)

    retention = selectors.retention(finance, filters, converter)

    assert retention.starting == Decimal("300")
    assert retention.net == Decimal("66.7")    # (150 + 50) / 300
    assert retention.gross == Decimal("50.0")  # (100 + 50) / 300


def test_refresh_builds_snapshots_from_active_contract_lines(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)  # starts 2026-12-01
    monthly = sum(line.amount_per_period for line in contract.lines.all()
                  if line.billing_period == "monthly")

    refresh_mrr_snapshots(on=date(2027, 1, 15), months=3)
    refresh_mrr_snapshots(on=date(2027, 1, 15), months=3)  # idempotent

    rows = {(s.month, s.mrr, s.previous_mrr) for s in MrrSnapshot.objects.all()}
    assert rows == {(DEC, monthly, Decimal(0)), (date(2027, 1, 1), monthly, monthly)}
    months = {(m.month, m.opening, m.new, m.closing, m.accounts, m.as_of)
              for m in MrrMonth.objects.all()}
    assert months == {(DEC, 0, monthly, monthly, 1, date(2026, 12, 31)),
                      (date(2027, 1, 1), monthly, 0, monthly, 1, date(2027, 1, 15))}


def _send_quotes(rep, *hours_after_creation):
    seed_catalog()
    start = timezone.make_aware(datetime(2026, 11, 2, 9, 0))
    for hours in hours_after_creation:
        with time_machine.travel(start, tick=False):
            account = account_for(rep)
            quote = draft_quote(rep, account=account, lines=[("SEAT-USER", 5, "10")],
                                contact=account.contacts.get(), expires_on=date(2026, 12, 31))
        with time_machine.travel(start + timedelta(hours=hours), tick=False):
            quote_services.submit_for_approval(quote=quote, by=rep)
            quote.refresh_from_db()
            quote_services.send_quote(quote=quote, by=rep)


def test_quote_turnaround_win_rate_and_deal_size(sales_rep, finance):
    # given two quotes sent 30 and 50 hours after being created; none decided yet
    _send_quotes(sales_rep, 30, 50)
    filters, converter = report(finance)

    figures = selectors.quote_figures(finance, filters, converter)

    assert figures.sent == 2
    assert figures.hours_to_send == Decimal("40.0")
    assert figures.win_rate is None  # no outcome yet
    assert figures.accepted == 0


def test_accepted_quote_counts_toward_win_rate_discount_and_acv(sales_rep, finance):
    quote = sent_quote(sales_rep)
    flows.accept_quote_flow(token=quote_link_token(quote), signer_name="Ada", signer_title="CFO",
                            consent=True, ip="203.0.113.9", user_agent="pytest")
    quote.refresh_from_db()
    filters, converter = report(finance)

    figures = selectors.quote_figures(finance, filters, converter)

    assert (figures.sent, figures.accepted, figures.win_rate) == (1, 1, Decimal("100.0"))
    assert figures.average_deal_size == quote.annual_contract_value.quantize(Decimal("0.01"))
    expected = (quote.discount_total * 100 / quote.list_total).quantize(Decimal("0.1"))
    assert figures.average_discount == expected


def test_receivable_figures_and_aging_match_the_hand_computed_values(finance, sales_rep,
                                                                     other_rep):
    # given net-30 USD invoices (rate 1): A 100 issued 09-10 (due 10-10, open), B 200 issued
    # 10-05 (due 11-04, paid 11-15), D 400 issued 10-20 (due 11-19, open, other rep's) and
    # C 300 issued 11-10 (due 12-10, open); the snapshot taken on 2026-11-23
    mine, theirs = pay_account(owner=sales_rep), pay_account(owner=other_rep)
    issued_invoice(account_=mine, net=Decimal("100.00"), on=date(2026, 9, 10))
    paid = issued_invoice(account_=mine, net=Decimal("200.00"), on=date(2026, 10, 5))
    issued_invoice(account_=theirs, net=Decimal("400.00"), on=date(2026, 10, 20))
    issued_invoice(account_=mine, net=Decimal("300.00"), on=date(2026, 11, 10))
    record_payment(account=mine, method="check", amount=Decimal("200.00"), currency="USD",
                   received_on=date(2026, 11, 15), by=finance,
                   applications=[Application(paid.pk, Decimal("200.00"))])
    refresh_receivable_months(on=date(2026, 11, 23), months=3)
    refresh_receivable_months(on=date(2026, 11, 23), months=3)  # idempotent
    oct_nov = selectors.Filters(start=date(2026, 10, 1), end=NOV)

    # when
    figures = selectors.receivable_figures(finance, oct_nov)

    # then: Sep end 100; Nov 23: 100 + 400 + 300; billed 200 + 400 + 300
    assert (figures.opening, figures.closing, figures.billed) == (100, 800, 900)
    assert figures.closing_not_due == 300 and figures.as_of == date(2026, 11, 23)
    assert [(b.label, b.amount) for b in figures.aging] == [
        ("Current", 300), ("1–30 days", 400), ("31–60 days", 100), ("61–90 days", 0),
        ("Over 90 days", 0)]
    assert figures.dso == Decimal("48.0")  # 800 / 900 × 54 days (Oct 1 – Nov 23)
    assert figures.collection_effectiveness == Decimal("28.6")  # (100+900−800)/(100+900−300)
    only_mine = selectors.Filters(start=date(2026, 10, 1), end=NOV, owner_id=sales_rep.pk)
    mine_only = selectors.receivable_figures(finance, only_mine)
    assert (mine_only.opening, mine_only.closing, mine_only.billed) == (100, 400, 500)
    assert selectors.receivable_figures(finance, selectors.Filters(
        start=date(2026, 10, 1), end=NOV, currency="EUR")).closing == 0


def test_an_instalment_invoice_ages_alike_on_the_aging_page_and_in_analytics(finance):
    # given a 50/50 plan issued 2026-09-01: 100 due 09-01 (83 days late on 11-23) and 100 due
    # 10-01 (53 days late), with 30 paid, which pays the earliest instalment first
    # (code review 2026-12, duplicate 1: analytics bucketed the whole invoice by its last
    # instalment's date)
    customer = pay_account(terms_code="50-50-30")
    invoice = issued_invoice(account_=customer, net=Decimal("200.00"), on=date(2026, 9, 1))
    record_payment(account=customer, method="check", amount=Decimal("30.00"), currency="USD",
                   received_on=date(2026, 9, 5), by=finance,
                   applications=[Application(invoice.pk, Decimal("30.00"))])
    refresh_receivable_months(on=date(2026, 11, 23), months=1)

    # when
    figures = selectors.receivable_figures(finance, selectors.Filters(start=NOV, end=NOV))
    (row,) = ar_aging(as_of=date(2026, 11, 23)).rows

    # then both pages put 70 in 61–90 days and 100 in 31–60 days
    assert [b.amount for b in figures.aging] == row.cells() == [0, 0, 100, 70, 0]
    assert figures.closing_not_due == 0


@pytest.mark.usefixtures("charging_policy")
def test_unpaid_late_charges_age_alike_on_the_aging_page_and_in_analytics(finance):
    # given EUR 10,000 due 31 October, a EUR 40 fee charged on 1 November and 38.93 of
    # interest on 14 November (tests/payments/test_late_charges), booked at 1.10 USD/EUR
    # (issue 16: analytics left late charges out of its aging while the aging page and the
    # ledger count them)
    invoice = eur_invoice()
    dun(date(2026, 11, 1))
    dun(date(2026, 11, 14))
    refresh_receivable_months(on=date(2026, 11, 14), months=1)

    # when
    figures = selectors.receivable_figures(finance, selectors.Filters(start=NOV, end=NOV))
    (row,) = [r for r in ar_aging(as_of=date(2026, 11, 14)).rows
              if r.account_id == invoice.account_id]

    # then the same buckets, in USD at the booked rate: the interest current, the fee and the
    # invoice 13 and 14 days late; the aging adds up to the ledger's receivable
    assert row.cells() == [Decimal("38.93"), Decimal("10040.00"), 0, 0, 0]
    assert [b.amount for b in figures.aging] == [Decimal("42.82"), Decimal("11044.00"), 0, 0, 0]
    assert figures.aging_total == figures.closing == open_receivables(
        as_of=date(2026, 11, 14)) == Decimal("11086.82")


def test_a_managers_receivables_are_their_teams(sales_manager, sales_rep, other_rep):
    issued_invoice(account_=pay_account(owner=sales_rep), net=Decimal("70.00"),
                   on=date(2026, 11, 2))
    issued_invoice(account_=pay_account(owner=other_rep), net=Decimal("30.00"),
                   on=date(2026, 11, 2))
    refresh_receivable_months(on=date(2026, 11, 23), months=1)

    figures = selectors.receivable_figures(sales_manager, selectors.Filters(start=NOV, end=NOV))

    assert (figures.billed, figures.closing, figures.aging[0].amount) == (70, 70, 70)


@pytest.mark.postgres("the median aggregate is PostgreSQL's; SQLite uses the window median")
@pytest.mark.parametrize(("hours", "median"), [((10, 50, 30), "30.0"), ((10, 50, 30, 41), "35.5")])
def test_the_median_aggregate_agrees_with_the_window_median(sales_rep, finance, hours, median):
    _send_quotes(sales_rep, *hours)
    quotes, sent = Quote.objects.all(), Q(sent_at__isnull=False)

    aggregate, _ = selectors._turnarounds(quotes, sent, Q(pk=None))
    window = selectors._median_hours(quotes.filter(sent), "sent_at", "created_at")

    assert aggregate == window == Decimal(median)
