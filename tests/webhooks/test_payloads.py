"""What a webhook carries for the events of issue 19's list whose documents had no payload yet
(contract.activated / amended / terminated, order.held, period.closed, dunning.escalated): the
API's own object for the document, as the API answers for it. The events are recorded here as
the stages' services are to record them (the hook points are in the branch's report); the
dunning run records its own."""

from datetime import date

import pytest

from core.events import record_event
from core.models import Event
from payments.models import DunningEvent
from tests.api.conftest import KeyClient
from tests.contracts.factories import active_contract
from tests.ledger.factories import close_month
from tests.orders.factories import order_for
from tests.payments.factories import issued_invoice
from tests.payments.test_dunning import ISSUED, dun
from webhooks.payloads import body_of

pytestmark = pytest.mark.django_db


def test_a_contract_event_carries_the_contract_as_the_api_reads_it(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    event = record_event("contract.amended", contract, amendment=7)

    body = body_of(event)

    api = KeyClient(finance).get(f"/api/v1/contracts/{contract.pk}/").json()
    assert body["type"] == "contract.amended" and body["data"]["amendment"] == 7
    assert body["data"]["object"] == api and api["lines"]


def test_an_order_event_carries_the_order_with_its_lines(sales_rep, finance):
    order = order_for(sales_rep, finance=finance)
    event = record_event("order.held", order, reason="Over the credit limit")

    body = body_of(event)

    api = KeyClient(finance).get(f"/api/v1/orders/{order.pk}/").json()
    assert body["data"]["object"] == api and api["lines"]
    assert body["data"]["reason"] == "Over the credit limit"


def test_a_period_event_carries_the_closed_period(accountant):
    period = close_month(date(2026, 10, 15), by=accountant)
    body = body_of(record_event("period.closed", period))
    assert body["data"]["object_type"] == "ledger.accountingperiod"
    assert {key: body["data"]["object"][key] for key in ("start_on", "end_on", "state",
                                                         "closed_by")} == {
        "start_on": "2026-10-01", "end_on": "2026-10-31", "state": "closed",
        "closed_by": accountant.username}


def test_a_dunning_event_carries_the_step_taken_for_the_invoice():
    invoice = issued_invoice(on=ISSUED)
    dun(date(2026, 11, 21))  # 21 days late: the escalation step
    step = DunningEvent.objects.get(invoice=invoice)
    [event] = Event.objects.filter(type="dunning.escalated")  # recorded by the run
    assert event.document == step

    body = body_of(event)

    assert body["data"]["object"]["invoice"] == invoice.pk
    assert (body["data"]["object"]["step_key"], body["data"]["object"]["days_past_due"]) == (
        "escalate", 21)
