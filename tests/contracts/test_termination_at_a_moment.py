"""A termination at a moment (issue 17): as an amendment may, a termination takes an optional
effective time, read in each line's time zone. A line priced by the second stops at that moment
of the effective date and its row holding the moment is split by seconds; the credit for the
rest of a billed period is computed from that split. Lines priced by day ignore the time: they
serve the day before whole, as without a time.

Worked example. Stripe cancels a subscription "immediately" with `prorate: true`, crediting
"unused time" counted "down to the second based on the starting timestamp of the billing period
and the timestamp of the proration's triggering event" (docs.stripe.com/billing/subscriptions/
cancel, docs.stripe.com/billing/scripts/prorations); Chargebee's immediate cancellation credits
"the unused period prorated" (chargebee.com/docs/2.0/cancellations.html). Here 5 seats at $30.00
less 15 % ($127.50 a month), March billed in advance, end at 12:00 UTC on 16 March 2027: of
March's 2,678,400 seconds 1,339,200 are not served, a credit of $63.75 (half of $127.50). By day
from 16 March the credit would be 16 of 31 days, $65.81.
"""

from datetime import UTC, date, datetime, time
from decimal import Decimal as D

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import ContractState, LineStatus, Termination
from tests.contracts.factories import active_contract
from tests.contracts.test_schedule_by_second import _by_second
from tests.contracts.test_termination import bill

pytestmark = pytest.mark.django_db

DAY = date(2027, 3, 16)
NOON = datetime(2027, 3, 16, 12, tzinfo=UTC)


def _terminated(contract, finance, at=time(12)):
    return services.terminate_contract(contract=contract, by=finance, effective_on=DAY,
                                       effective_time=at, reason="Closed the office")


def test_a_line_priced_by_the_second_stops_at_the_moment_and_is_credited_its_seconds(
        sales_rep, finance, django_capture_on_commit_callbacks):
    # given: seats priced by the second, March billed in advance
    _by_second()
    contract = active_contract(sales_rep, by=finance)
    bill(date(2027, 3, 1), finance, django_capture_on_commit_callbacks)

    # when: the contract ends at noon on 16 March
    termination = _terminated(contract, finance)

    # then: the seats served until noon, and the rest of March is credited by the second
    seat = contract.lines.get(product__sku="SEAT-USER")
    assert (seat.status, seat.end_on, seat.ends_at) == (LineStatus.ENDED, DAY, NOON)
    assert (termination.effective_time, termination.credit_amount) == (time(12), D("63.75"))
    [credit] = termination.schedule_change.rows.all()
    assert (credit.kind, credit.amount, credit.seconds, credit.period_seconds, credit.due_on) == (
        "credit", D("-63.75"), 1_339_200, 2_678_400, DAY)
    assert credit.explanation == "Credit for 1,339,200 seconds not served: −$63.75 of $127.50"
    contract.refresh_from_db()
    assert (contract.state, contract.ended_on) == (ContractState.TERMINATED, DAY)


def test_the_preview_at_a_moment_is_what_the_termination_stores(sales_rep, finance):
    # given: March not billed yet
    _by_second()
    contract = active_contract(sales_rep, by=finance)

    # when
    preview = services.termination_preview(contract, DAY, time(12))
    termination = _terminated(contract, finance)

    # then: March is charged up to noon, half of it
    [shorter] = termination.schedule_change.rows.all()
    assert [(r.kind, r.period_end, r.amount, r.seconds) for r in preview] == [
        (shorter.kind, shorter.period_end, shorter.amount, shorter.seconds)] == [
        ("recurring", DAY, D("63.75"), 1_339_200)]


def test_a_line_priced_by_day_ignores_the_time(sales_rep, finance,
                                               django_capture_on_commit_callbacks):
    # given: seats priced by day, March billed
    from catalog.demo import seed_catalog

    seed_catalog()
    contract = active_contract(sales_rep, by=finance)
    bill(date(2027, 3, 1), finance, django_capture_on_commit_callbacks)

    # when
    termination = _terminated(contract, finance)

    # then: 15 March is the last day served; 16 of March's 31 days are credited
    seat = contract.lines.get(product__sku="SEAT-USER")
    assert (seat.end_on, seat.ends_at) == (date(2027, 3, 15), None)
    [credit] = termination.schedule_change.rows.all()
    assert (credit.amount, credit.days, credit.period_days, credit.seconds) == (
        D("-65.81"), 16, 31, None)
    contract.refresh_from_db()
    assert contract.ended_on == date(2027, 3, 15)


def test_the_terminate_form_takes_the_time(client, sales_rep, finance):
    # given
    _by_second()
    contract = active_contract(sales_rep, by=finance)
    client.force_login(finance)

    # when
    preview = client.get(reverse("contracts:termination_preview", args=[contract.pk]),
                         {"effective_on": "2027-03-16", "effective_time": "12:00"})
    response = client.post(reverse("contracts:terminate", args=[contract.pk]),
                           {"effective_on": "2027-03-16", "effective_time": "12:00",
                            "reason": "Closed the office"})

    # then
    assert "1,339,200 of 2,678,400 seconds" in preview.content.decode()
    assert response.status_code == 302
    termination = Termination.objects.get(contract=contract)
    assert termination.effective_time == time(12)
    page = client.get(reverse("contracts:detail", args=[contract.pk])).content.decode()
    assert "2027-03-16 at 12:00" in page
    assert 'name="effective_time"' in client.get(
        reverse("contracts:detail", args=[active_contract(sales_rep, by=finance).pk])
    ).content.decode()
