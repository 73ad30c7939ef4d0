"""The SSP table (revrec.StandalonePrice): per product, currency and term basis, a point
estimate, a range and the method, read by allocation before the catalog's single SSP; the
residual approach; allocations outside a range flagged on the revenue contract; through the
database path (revenue contract → schedules → run → journal → report).

Worked examples: IFRS 15.79(c) and IE Example 34 (IE250-IE257). Case B: a product whose price is
highly variable takes the residual, the price less the other goods' standalone prices; Case C:
a residual below the range of prices observed for it is not a reasonable estimate, so the
revenue contract flags it. The example contract (tests.contracts.factories) sells 5 seats for a
year at 1,530.00 (SSP 30 a seat-month, observed 27 to 33: 1,800.00, range 1,620.00 to
1,980.00) and onboarding at 5,000.00, for 6,530.00.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog.models import Product
from core.dates import add_months
from ledger import chart
from ledger.selectors import trial_balance
from revrec.models import PerformanceObligation, RecognitionItem, StandalonePrice
from revrec.reports import Filters, recognized_revenue
from revrec.services import start_recognition_run
from tests.conftest import PASSWORD
from tests.revrec.factories import active_contract, revenue_contract_of

pytestmark = pytest.mark.django_db

DEC = date(2026, 12, 1)


def price(sku, basis, method, amount=None, low=None, high=None):
    return StandalonePrice.objects.create(
        product=Product.objects.get(sku=sku), currency="USD", basis=basis, method=method,
        amount=amount, low=low, high=high, evidence="Sales of 2026 analysed")


def obligations(rc):
    return {o.product.sku: o for o in PerformanceObligation.objects.filter(
        revenue_contract=rc).select_related("product")}


def test_the_residual_takes_what_the_other_ssps_leave_and_is_recognized(
        sales_rep, finance, accountant, django_capture_on_commit_callbacks):
    # given: seats observed at 30 (27 to 33) a month; onboarding's price varies: residual,
    # expected between 4,500 and 5,500 (adjusted market assessment of competitors)
    contract = active_contract(sales_rep, by=finance)
    price("SEAT-USER", "per_month", "observable", D(30), D(27), D(33))
    price("ONBOARDING", "one_time", "residual", low=D(4500), high=D(5500))

    # when
    rc = revenue_contract_of(contract)
    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=DEC, by=accountant, on=add_months(DEC, 1))

    # then: onboarding's SSP is 6,530.00 - 1,800.00 = 4,730.00, within its range; the seats
    # keep their SSP (the discount is the residual's), both recorded with their method
    found = obligations(rc)
    seats, onboarding = found["SEAT-USER"], found["ONBOARDING"]
    assert (onboarding.ssp, onboarding.allocated, onboarding.ssp_method) == (
        D("4730.00"), D("4730.00"), "residual")
    assert (seats.ssp, seats.allocated, seats.ssp_method) == (D("1800.00"), D("1800.00"),
                                                              "observable")
    assert (seats.ssp_low, seats.ssp_high) == (D("1620.00"), D("1980.00"))
    assert not seats.outside_range and not onboarding.outside_range
    # December: 1,800.00 × 31/365 = 152.88 of seats and the onboarding, to the ledger
    item = RecognitionItem.objects.get(revenue_contract=rc, month=DEC)
    assert item.recognized == D("4882.88")
    revenue = next(r for r in trial_balance(date(2026, 12, 31)).rows if r.code == chart.REVENUE)
    assert revenue.balance == D("-4882.88")
    report = recognized_revenue(first=DEC, last=DEC, filters=Filters(family="Services"))
    assert [row[4] for row in report.rows] == [D("4730.00")]


def test_a_residual_below_the_observed_range_is_flagged(sales_rep, finance):
    # IE Example 34 Case C: the residual (4,730.00) falls below the prices observed (4,900+)
    contract = active_contract(sales_rep, by=finance)
    price("SEAT-USER", "per_month", "observable", D(30), D(27), D(33))
    price("ONBOARDING", "one_time", "residual", low=D(4900), high=D(5500))

    onboarding = obligations(revenue_contract_of(contract))["ONBOARDING"]

    assert onboarding.allocated == D("4730.00") and onboarding.outside_range


def test_an_allocation_outside_the_range_is_flagged_on_the_revenue_contract_page(
        client, sales_rep, finance, accountant):
    # given: seats observed between 29 and 33 a month (1,740.00 to 1,980.00 over the year);
    # the onboarding has no entry in the table and keeps the catalog's SSP (5,000.00)
    contract = active_contract(sales_rep, by=finance)
    price("SEAT-USER", "per_month", "observable", D(30), D(29), D(33))

    # when
    rc = revenue_contract_of(contract)

    # then: the seats get 1,530.00 (the discount is theirs), below 1,740.00
    found = obligations(rc)
    assert found["SEAT-USER"].allocated == D("1530.00") and found["SEAT-USER"].outside_range
    assert found["ONBOARDING"].ssp_method == "" and not found["ONBOARDING"].outside_range
    client.login(username=finance.username, password=PASSWORD)
    page = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()
    assert "1 allocation outside its SSP range" in page
    assert "Observable price; range $1,740.00 to $1,980.00" in page
    assert page.count("Outside the SSP range") == 1


def test_the_table_refuses_a_point_outside_its_range(sales_rep, finance):
    active_contract(sales_rep, by=finance)  # the catalog
    with pytest.raises(IntegrityError), transaction.atomic():
        price("SEAT-USER", "per_month", "observable", D(40), D(27), D(33))
