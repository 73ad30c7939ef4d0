"""The stages record the events integrators subscribe to (issue 19's list): a contract
activated, amended (see tests/api) and terminated, an order held by the credit check, a period
closed. Each is an `Event` row the outbox publishes to the endpoints."""

from datetime import date

import pytest

from contracts import services as contract_services
from core.models import Event
from ledger import services as ledger_services
from tests.contracts.factories import active_contract
from tests.orders.factories import order_for

pytestmark = pytest.mark.django_db


def types_for(document) -> list[str]:
    return list(Event.objects.filter(object_id=document.pk).order_by("pk")
                .values_list("type", flat=True))


def test_a_contract_records_its_activation_and_termination(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)

    contract_services.terminate_contract(contract=contract, by=finance,
                                         effective_on=date(2027, 3, 1), reason="Closing down")

    assert [t for t in types_for(contract) if t.startswith("contract.")] == [
        "contract.activated", "contract.terminated"]
    terminated = Event.objects.get(type="contract.terminated")
    assert terminated.data["effective_on"] == "2027-03-01"


def test_an_order_held_by_the_credit_check_is_an_event_with_the_reason(sales_rep, finance):
    order = order_for(sales_rep, finance=finance, limit="100")

    held = Event.objects.get(type="order.held", object_id=order.pk)

    assert held.data["reason"] == order.credit_hold_reason


def test_closing_a_period_is_an_event(accountant):
    period = ledger_services.ensure_period(date(2026, 10, 1))
    ledger_services.start_close(period, by=accountant)

    ledger_services.close_period(period, by=accountant)

    assert types_for(period) == ["period.closed"]


def test_the_dunning_run_publishes_one_dunning_event_per_step_to_its_subscribers(finance):
    from payments.models import DunningEvent
    from tests.payments.factories import issued_invoice
    from tests.payments.test_dunning import ISSUED, dun
    from webhooks import services as webhook_services
    from webhooks.models import Delivery, Endpoint

    # given: an endpoint for dunning steps only, and two late invoices
    endpoint = Endpoint.objects.create(url="http://127.0.0.1:9/dunning", owner=finance,
                                       event_types=["dunning.escalated"])
    issued_invoice(on=ISSUED), issued_invoice(on=ISSUED)
    # when
    dun(date(2026, 11, 21))
    webhook_services.publish_events()
    # then: one delivery per step, carrying the step
    steps = set(DunningEvent.objects.values_list("pk", flat=True))
    deliveries = Delivery.objects.filter(endpoint=endpoint).select_related("event")
    assert len(steps) == 2 and {d.event.object_id for d in deliveries} == steps
    assert {d.event.type for d in deliveries} == {"dunning.escalated"}
