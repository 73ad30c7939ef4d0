"""Revenue contracts and recognition runs on worked examples, built through the services.

The example contract (tests.contracts.factories): from 1 December 2026 for 12 months, 5 user
seats monthly at 15% off (list 1,800.00, net 1,530.00; SSP 30 a seat-month = 1,800.00) and
onboarding at its list price 5,000.00 (SSP 5,000.00). The 270.00 discount belongs to the seats
(the onboarding sells at its SSP), so the seats are allocated 1,530.00, the onboarding 5,000.00.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.demo import seed_catalog
from catalog.models import Product
from core.dates import add_months
from ledger import chart
from ledger.models import ExchangeRate
from ledger.selectors import trial_balance
from ledger.services import close_period, ensure_period, start_close
from quotes.services import LineItem
from revrec.models import (
    PerformanceObligation,
    RecognitionItem,
    RecognitionRun,
    RevenueContract,
    RunState,
    ScheduleLine,
)
from revrec.services import create_revenue_contracts, start_recognition_run
from tests.revrec.factories import (
    START,
    active_contract,
    active_contract_of,
    invoice_lines,
    revenue_contract_of,
    system,
)

pytestmark = pytest.mark.django_db

DEC, JAN = date(2026, 12, 1), date(2027, 1, 1)


def balance(code, as_of=None):
    row = next((r for r in trial_balance(as_of).rows if r.code == code), None)
    return row.balance if row else D(0)


def obligations(rc):
    return {o.product.sku: o for o in PerformanceObligation.objects.filter(
        revenue_contract=rc).select_related("product")}


def run_month(month, *, by, captured):
    with captured(execute=True):
        run = start_recognition_run(month=month, by=by, on=add_months(month, 1))
    run.refresh_from_db()
    return run


def test_the_discount_goes_to_the_seats_and_the_onboarding_keeps_its_ssp(sales_rep, finance):
    # given
    contract = active_contract(sales_rep, by=finance)

    # when
    rc = revenue_contract_of(contract)

    # then
    found = obligations(rc)
    assert rc.transaction_price == D("6530.00")
    assert (found["SEAT-USER"].ssp, found["SEAT-USER"].allocated) == (D(1800), D(1530))
    assert (found["ONBOARDING"].ssp, found["ONBOARDING"].allocated) == (D(5000), D(5000))
    seats = list(found["SEAT-USER"].schedule.values_list("month", "amount"))
    assert len(seats) == 12 and sum(a for _, a in seats) == D("1530.00")
    assert seats[0] == (DEC, D("129.95"))  # 1,530.00 × 31 / 365 = 129.945


def test_creating_revenue_contracts_twice_changes_nothing(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    revenue_contract_of(contract)
    counts = (RevenueContract.objects.count(), PerformanceObligation.objects.count(),
              ScheduleLine.objects.count())

    assert create_revenue_contracts(by=system(), on=START) == []
    assert counts == (RevenueContract.objects.count(), PerformanceObligation.objects.count(),
                      ScheduleLine.objects.count())


def test_only_the_permitted_create_revenue_contracts(sales_rep, finance):
    with pytest.raises(PermissionDenied):
        create_revenue_contracts(by=sales_rep)


def test_a_recognition_run_posts_revenue_by_family_and_the_contract_position(
        sales_rep, finance, accountant, django_capture_on_commit_callbacks):
    # given: December's seats billed (127.50), the onboarding delivered but not billed
    contract = active_contract(sales_rep, by=finance)
    rc = revenue_contract_of(contract)
    seats = contract.lines.get(product__sku="SEAT-USER")
    invoice_lines(contract.account, [(seats, D("127.50"))], issue_on=DEC)

    # when
    run = run_month(DEC, by=accountant, captured=django_capture_on_commit_callbacks)

    # then: 129.95 seats + 5,000.00 onboarding recognized; 5,002.45 not billed is an asset
    assert run.state == RunState.COMPLETED and run.contracts_done == 1
    item = RecognitionItem.objects.get(revenue_contract=rc)
    assert item.recognized == D("5129.95")
    assert item.contract_asset == D("5002.45")
    end = date(2026, 12, 31)
    assert balance(chart.REVENUE, end) == D("-5129.95")
    assert balance(chart.UNBILLED_RECEIVABLE, end) == D("5002.45")
    assert balance(chart.DEFERRED_REVENUE, end) == D(0)
    families = dict(item.revenue.values_list("family", "amount_functional"))
    assert families == {"Seats": D("129.95"), "Services": D("5000.00")}


def test_running_the_month_again_posts_nothing_twice(sales_rep, finance, accountant,
                                                    django_capture_on_commit_callbacks):
    contract = active_contract(sales_rep, by=finance)
    revenue_contract_of(contract)
    run_month(DEC, by=accountant, captured=django_capture_on_commit_callbacks)
    before = balance(chart.REVENUE)

    again = run_month(DEC, by=accountant, captured=django_capture_on_commit_callbacks)

    assert again.state == RunState.COMPLETED
    assert balance(chart.REVENUE) == before
    assert RecognitionItem.objects.count() == 1 and RecognitionRun.objects.count() == 1


def test_billing_ahead_of_recognition_is_a_contract_liability(sales_rep, finance, accountant,
                                                              django_capture_on_commit_callbacks):
    # given: the whole year of seats and the onboarding billed in December
    contract = active_contract(sales_rep, by=finance)
    revenue_contract_of(contract)
    seats = contract.lines.get(product__sku="SEAT-USER")
    onboarding = contract.lines.get(product__sku="ONBOARDING")
    invoice_lines(contract.account, [(seats, D("1530.00")), (onboarding, D("5000.00"))],
                  issue_on=DEC)

    # when
    run_month(DEC, by=accountant, captured=django_capture_on_commit_callbacks)
    run_month(JAN, by=accountant, captured=django_capture_on_commit_callbacks)

    # then: 1,530 - 129.95 - 129.95 left deferred, no contract asset
    assert balance(chart.DEFERRED_REVENUE) == D("-1270.10")
    assert balance(chart.UNBILLED_RECEIVABLE) == D(0)
    assert balance(chart.REVENUE) == D("-5259.90")


def test_foreign_currency_is_released_at_the_booked_rate(sales_rep, finance, accountant,
                                                         django_capture_on_commit_callbacks):
    # given: billed in full at 1.10 although the rate at December's end is 1.30
    contract = active_contract(sales_rep, by=finance)
    rc = revenue_contract_of(contract)
    RevenueContract.objects.filter(pk=rc.pk).update(currency="EUR")
    ExchangeRate.objects.create(currency="EUR", valid_on=date(2026, 12, 31), rate=D("1.30"))
    lines = list(contract.lines.order_by("position"))
    invoice_lines(contract.account, [(lines[0], D("1530.00")), (lines[1], D("5000.00"))],
                  issue_on=DEC, currency="EUR", fx_rate=D("1.10"))

    # when
    run_month(DEC, by=accountant, captured=django_capture_on_commit_callbacks)

    # then: 5,129.95 EUR released at 1.10 (7,183.00 × 5,129.95 / 6,530.00)
    item = RecognitionItem.objects.get(revenue_contract=rc)
    assert item.recognized_functional == D("5642.95")
    assert balance(chart.DEFERRED_REVENUE) == D("-1540.05")  # 7,183.00 billed less released


def test_a_run_is_refused_for_a_closed_month_and_before_it_begins(sales_rep, finance,
                                                                   accountant):
    period = ensure_period(DEC)
    close_period(start_close(period, by=accountant), by=accountant)

    with pytest.raises(ValidationError, match="closed in the ledger|is closed"):
        start_recognition_run(month=DEC, by=accountant, on=date(2027, 1, 5))
    with pytest.raises(ValidationError, match="from its last day"):
        start_recognition_run(month=date(2027, 3, 1), by=accountant, on=date(2027, 1, 5))
    with pytest.raises(PermissionDenied):
        start_recognition_run(month=DEC, by=finance, on=date(2027, 1, 5))


def test_usage_is_recognized_as_billed(sales_rep, finance, accountant,
                                       django_capture_on_commit_callbacks):
    # given: seats and metered API calls; December's usage invoiced at 123.45
    seed_catalog()
    contract = active_contract_of(sales_rep, by=finance, items=[
        LineItem(product=Product.objects.get(sku="SEAT-USER"), quantity=D(2),
                 billing_period="monthly"),
        LineItem(product=Product.objects.get(sku="API-CALLS"))])
    rc = revenue_contract_of(contract)
    usage = obligations(rc)["API-CALLS"]
    assert (usage.pattern, usage.allocated) == ("as_billed", D(0))
    assert rc.transaction_price == obligations(rc)["SEAT-USER"].allocated
    api = contract.lines.get(product__sku="API-CALLS")
    invoice_lines(contract.account, [(api, D("123.45"))], issue_on=date(2026, 12, 31))

    # when
    run_month(DEC, by=accountant, captured=django_capture_on_commit_callbacks)

    # then
    item = RecognitionItem.objects.get(revenue_contract=rc)
    assert dict(item.revenue.values_list("family", "amount"))["Usage"] == D("123.45")
    assert usage.schedule.get().amount == D("123.45")


def test_a_bundles_components_are_obligations_of_their_own(sales_rep, finance):
    seed_catalog()
    contract = active_contract_of(sales_rep, by=finance, items=[
        LineItem(product=Product.objects.get(sku="BUNDLE-GROWTH"))])
    rc = revenue_contract_of(contract)

    found = obligations(rc)
    assert "BUNDLE-GROWTH" not in found
    assert {"PLAT-PRO", "SEAT-USER", "ONBOARDING"} <= set(found)
    assert sum(o.allocated for o in found.values()) == rc.transaction_price
    assert rc.transaction_price == sum(
        line.net_amount for line in contract.lines.all())
