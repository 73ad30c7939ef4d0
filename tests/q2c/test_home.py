"""Each role's home page shows figures from its own stage, and only what the user may see."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from catalog.demo import seed_catalog
from catalog.models import PriceBook, Product
from ledger import chart
from ledger.services import post_entry
from q2c import dashboards
from quotes import services as quote_services
from tests.customers.factories import AccountFactory
from tests.ledger.factories import balanced
from tests.quotes.factories import account_for, draft_quote

pytestmark = pytest.mark.django_db


def test_sales_home_shows_the_reps_own_pipeline_expiring_and_waiting_quotes(sales_rep,
                                                                             other_rep):
    # given: a discounted quote waiting for finance, a sent quote expiring in 8 days, and
    # another rep's draft (noise)
    seed_catalog()
    waiting = draft_quote(sales_rep, lines=[("SEAT-USER", 40, "30")])
    quote_services.submit_for_approval(quote=waiting, by=sales_rep)
    account = account_for(sales_rep)
    expiring = draft_quote(sales_rep, account=account, contact=account.contacts.get(),
                           lines=[("SEAT-USER", 2, "0")], expires_on=date(2026, 12, 1))
    quote_services.submit_for_approval(quote=expiring, by=sales_rep)
    quote_services.send_quote(quote=expiring, by=sales_rep)
    draft_quote(other_rep, lines=[("SEAT-USER", 1, "0")])

    # when
    figures = dashboards.sales_home(sales_rep, on=date(2026, 11, 23))

    # then
    counts = {label: count for label, count, _ in figures["pipeline"]}
    assert counts == {"Draft": 0, "Pending approval": 1, "Approved": 0, "Sent": 1}
    assert list(figures["waiting_quotes"]) == [waiting]
    assert list(figures["expiring_quotes"]) == [expiring]
    assert figures["pipeline_total"] > 0 and "<svg" in figures["pipeline_chart"]


def test_team_home_lists_the_managers_reports_with_their_counts(sales_manager, sales_rep,
                                                                teammate_rep, other_rep):
    AccountFactory.create_batch(2, owner=sales_rep)
    AccountFactory(owner=other_rep)

    team = {m.username: m.account_count for m in dashboards.team_home(sales_manager)["team"]}

    assert team == {"rep_a": 2, "rep_a2": 0}


def test_catalog_home_finds_products_without_prices_and_books_ending_soon(catalog_admin):
    Product.objects.create(sku="LONELY-1", name="Unpriced widget", kind="physical")
    PriceBook.objects.create(name="Promo 2026", currency="USD", effective_from=date(2026, 1, 1),
                             effective_to=date(2026, 12, 15), is_standard=False)
    PriceBook.objects.create(name="Later", currency="USD", effective_from=date(2026, 1, 1),
                             effective_to=date(2027, 6, 30), is_standard=False)

    figures = dashboards.catalog_home(catalog_admin, on=date(2026, 11, 23))

    assert [p.sku for p in figures["unpriced_products"]] == ["LONELY-1"]
    assert [b.name for b in figures["ending_books"]] == ["Promo 2026"]


@pytest.mark.parametrize("role", ["sales_rep", "sales_manager", "finance", "accountant",
                                  "catalog_admin"])
def test_home_page_query_count_does_not_grow_with_data(role, role_users, client,
                                                       django_assert_max_num_queries):
    user = role_users[role]
    client.force_login(user)
    client.get("/")
    AccountFactory.create_batch(15, owner=role_users["sales_rep"],
                                overdue_since=date.today() - timedelta(days=5), is_overdue=True)

    with django_assert_max_num_queries(27):  # the home's 24, stalled and refused runs, unread
        response = client.get("/")

    assert response.status_code == 200


def test_finance_home_shows_the_approvals_waiting_and_overdue_accounts(sales_rep, finance):
    seed_catalog()
    waiting = draft_quote(sales_rep, lines=[("SEAT-USER", 40, "30")])
    quote_services.submit_for_approval(quote=waiting, by=sales_rep)
    late = AccountFactory(owner=sales_rep, is_overdue=True, overdue_since=date(2026, 10, 1))

    figures = dashboards.finance_home(finance, on=date(2026, 11, 23))

    assert figures["approval_count"] == 1
    assert [r.quote for r in figures["approvals"]] == [waiting]
    assert list(figures["overdue_accounts"]) == [late]
    assert (figures["draft_count"], figures["credit_hold_count"]) == (0, 0)
    assert figures["dunning_count"] == 0


def test_accountant_home_shows_contract_balances_from_the_ledger(accountant, finance):
    # given an invoice billed ahead of revenue (deferred) and revenue recognized ahead of
    # billing (unbilled), posted through the ledger
    post_entry(balanced("1200.00", debit=chart.ACCOUNTS_RECEIVABLE,
                        credit=chart.DEFERRED_REVENUE), by=finance)
    post_entry(balanced("300.00", debit=chart.UNBILLED_RECEIVABLE, credit=chart.REVENUE),
               by=finance)

    figures = dashboards.accountant_home(accountant, on=date(2026, 11, 23))

    assert figures["deferred_revenue"] == Decimal("1200.00")
    assert figures["unbilled_receivable"] == Decimal("300.00")
    assert figures["last_run"] is None


def test_finance_home_names_accounts_with_charges_due_and_not_billed(finance, client):
    # given a contract whose December charge no run has billed
    from tests.billing.factories import active_contract

    account = AccountFactory(bill_day=1, name="Unbilled Ltd")
    active_contract(account=account, start_on=date(2026, 11, 1), end_on=date(2027, 10, 31),
                    lines=[{"amount": "100.00"}])

    figures = dashboards.finance_home(finance, on=date(2026, 11, 23))
    client.force_login(finance)
    page = client.get("/").content.decode()

    assert figures["unbilled_count"] == 1
    [row] = figures["unbilled"]
    assert (row.account, row.charges, row.first_due, row.reason) == (
        account, 1, date(2026, 11, 1), "")
    assert "Unbilled Ltd" in page and f"?accounts={account.pk}" in page


def test_finance_home_counts_open_receivables_as_the_aging_does(finance, client):
    """One definition of open receivables (issue 16): the home's figure is the aging's unpaid
    amounts at their booked rates, not a figure of its own."""
    from payments.aging import ar_aging
    from tests.payments.factories import account, issued_invoice, rate

    rate("EUR", "1.10")
    euro = issued_invoice(account_=account(currency="EUR"), net=Decimal("200.00"))
    dollars = issued_invoice(net=Decimal("55.55"))
    today = date(2026, 11, 23)

    figures = dashboards.finance_home(finance, on=today)

    aging = {row.currency: row.total for row in ar_aging(as_of=today).totals()}
    assert aging == {"EUR": Decimal("200.00"), "USD": Decimal("55.55")}
    assert figures["receivable_functional"] == (
        aging["EUR"] * euro.fx_rate + aging["USD"] * (dollars.fx_rate or 1)).quantize(
        Decimal("0.01"))
    assert figures["receivable_functional"] == Decimal("275.55")


def test_a_refused_bill_day_run_waits_on_finances_home(client, finance):
    # given an unfinished run for every account, the next day's scheduled run is refused
    from billing.models import InvoiceRun
    from operations import services as operations_services

    InvoiceRun.objects.create(as_of=date(2026, 12, 6), created_by=finance)
    assert operations_services.start_bill_day_run(on=date(2026, 12, 7)) is None

    client.force_login(finance)
    page = client.get("/").content.decode()

    assert "Refused runs" in page and "2026-12-07" in page and "Retry now" in page
