"""Contract modifications as IFRS 15.20-21 decide them, with the evidence recorded on the
modification and the accountant's override with a reason, through the database path
(amendment → revenue contract → schedules → run → journal).

- IFRS 15.20 (IE Example 5, Case A): distinct goods added at their standalone prices are a
  separate contract.
- IFRS 15.21(a) (IE Example 7: the rest of a services contract is distinct): prospective.
- IFRS 15.21(b) (IE Example 8: the rest is not distinct, part of one obligation partly
  satisfied): cumulative catch-up, the revenue recognized to date redone under the new price at
  the modification.

The contract (tests.contracts.factories): 5 seats for a year from 1 December 2026 (1,530.00
allocated) and onboarding (5,000.00); from 15 March 2027 8 seats (653.95 more).
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from catalog import revenue_schedule as schedules
from catalog.models import Product
from core.dates import add_months
from ledger import chart
from ledger.selectors import trial_balance
from quotes import services as quote_services
from revrec.models import Modification, PerformanceObligation, RecognitionItem
from revrec.services import create_revenue_contracts, start_recognition_run
from revrec.services.contracts import override_modification
from tests.conftest import PASSWORD
from tests.contracts.test_amendments import EFFECTIVE, amended_to
from tests.revrec.factories import START, active_contract, revenue_contract_of, system

pytestmark = pytest.mark.django_db

MAR = date(2027, 3, 1)
WHOLE = D("1530.00") + D("653.95")


def amended(sales_rep, finance, quantity=D(8), extra=()):
    """The example contract amended to `quantity` seats plus products of the `extra` SKUs."""
    contract = active_contract(sales_rep, by=finance)
    rc = revenue_contract_of(contract)
    amended_to(contract, sales_rep, quantity, extra=[
        quote_services.LineItem(product=Product.objects.get(sku=sku)) for sku in extra])
    create_revenue_contracts(by=system(), on=START)
    return contract, rc


def by_month(rc):
    months = {}
    for obligation in PerformanceObligation.objects.filter(revenue_contract=rc,
                                                           product__sku="SEAT-USER"):
        for line in obligation.schedule.all():
            months[line.month] = months.get(line.month, D(0)) + line.amount
    return dict(sorted(months.items()))


def test_more_seats_are_prospective_with_the_tests_on_record(sales_rep, finance):
    _, rc = amended(sales_rep, finance)

    modification = Modification.objects.get(revenue_contract=rc)
    assert (modification.treatment, modification.effective_on) == ("prospective", EFFECTIVE)
    assert not modification.adds_distinct and modification.remaining_distinct
    assert "Changes 1 existing line(s)" in modification.evidence
    assert "SEAT-USER: price" in modification.evidence


def test_a_distinct_item_at_its_ssp_is_recorded_as_a_separate_contract(sales_rep, finance):
    contract, _ = amended(sales_rep, finance, quantity=D(5), extra=["TRAINING-DAY"])

    modification = Modification.objects.get(revenue_contract__contract=contract)
    assert modification.revenue_contract.kind == "separate"
    assert (modification.treatment, modification.adds_distinct,
            modification.priced_at_ssp) == ("separate", True, True)


def test_a_cumulative_catch_up_redoes_revenue_to_date_at_the_modification(
        sales_rep, finance, accountant, django_capture_on_commit_callbacks):
    # given: the seats amended prospectively; the accountant judges the rest not distinct
    _, rc = amended(sales_rep, finance)
    modification = Modification.objects.get(revenue_contract=rc)

    # when
    override_modification(modification=modification, treatment="catch_up", by=accountant,
                          reason="Seats are one integrated service: IE Example 8 applies")
    with django_capture_on_commit_callbacks(execute=True):
        start_recognition_run(month=MAR, by=accountant, on=add_months(MAR, 1))

    # then: to the end of March, the seats earned what 2,183.95 over the whole year earns
    # (cumulative), and every month after as that year's schedule
    full = schedules.ratable_schedule(WHOLE, "USD", START, date(2027, 12, 1))
    months = by_month(rc)
    assert sum(months.values()) == WHOLE
    through_march = sum(amount for month, amount in months.items() if month <= MAR)
    assert through_march == sum(line.amount for line in full if line.month <= MAR)
    assert {m: a for m, a in months.items() if m > MAR} == {
        line.month: line.amount for line in full if line.month > MAR}
    # the run (December to March at once) posts it with the onboarding
    item = RecognitionItem.objects.get(revenue_contract=rc, month=MAR)
    assert item.recognized == D("5000.00") + through_march
    revenue = next(r for r in trial_balance(date(2027, 3, 31)).rows if r.code == chart.REVENUE)
    assert revenue.balance == -item.recognized
    modification.refresh_from_db()
    assert (modification.treatment, modification.overridden_by) == ("catch_up", accountant)

    # and back to prospective: the prospective months return from April (March is recognized)
    override_modification(modification=modification, treatment="prospective", by=accountant,
                          reason="Reviewed: the periods are distinct after all")
    assert sum(by_month(rc).values()) == WHOLE


def test_an_override_needs_the_permission_a_reason_and_no_separate_contract(
        sales_rep, finance, accountant):
    _, rc = amended(sales_rep, finance)
    modification = Modification.objects.get(revenue_contract=rc)

    with pytest.raises(PermissionDenied):
        override_modification(modification=modification, treatment="catch_up", by=finance,
                              reason="why not")
    with pytest.raises(ValidationError, match="Say why"):
        override_modification(modification=modification, treatment="catch_up",
                              by=accountant, reason=" ")
    with pytest.raises(ValidationError, match="separate contract stays one"):
        override_modification(modification=modification, treatment="separate",
                              by=accountant, reason="distinct")
    modification.refresh_from_db()
    assert modification.treatment == "prospective" and not modification.override_reason


def test_the_page_shows_the_evidence_and_the_accountant_overrides_there(
        client, sales_rep, finance, accountant):
    _, rc = amended(sales_rep, finance)
    modification = Modification.objects.get(revenue_contract=rc)
    url = reverse("revrec:modification_override", args=[modification.pk])

    client.login(username=finance.username, password=PASSWORD)
    page = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()
    assert "Prospective (IFRS 15.21(a))" in page and "Changes 1 existing line(s)" in page
    assert client.post(url, {"treatment": "catch_up", "reason": "x"}).status_code == 403

    client.login(username=accountant.username, password=PASSWORD)
    assert client.post(url, {"treatment": "catch_up", "reason": ""}).status_code == 200
    assert client.post(url, {"treatment": "catch_up",
                             "reason": "One integrated service"}).status_code == 302
    page = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()
    assert "Cumulative catch-up (IFRS 15.21(b))" in page and "One integrated service" in page
