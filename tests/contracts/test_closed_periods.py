"""A contract does not go live, and an amendment does not take effect, in a month the books have
closed (red-team finding: documents dated in a closed period were accepted silently). The
refusal names the month at its field, on the page and over the API; nothing is half-saved."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts import services
from contracts.models import Amendment, ContractLine, ContractState, LineStatus
from core.actors import Actor
from q2c import flows
from quotes import services as quote_services
from quotes.models import QuoteState
from quotes.services.sending import quote_link_token
from tests.api.conftest import KeyClient, errors_of
from tests.contracts.factories import ON, countersigned_contract
from tests.ledger.factories import close_month

pytestmark = pytest.mark.django_db
OCTOBER = date(2026, 10, 15)
SEPTEMBER = date(2026, 9, 1)
REFUSAL = "October 2026 is closed in the books"


@pytest.fixture
def october_contract(sales_rep, other_rep, finance, accountant):
    """Countersigned, starting 15 October (agreed while October was open), and October since
    closed; another rep's contract is due on the same day (noise)."""
    countersigned_contract(other_rep, by=finance, start_on=date(2026, 11, 2))
    contract = countersigned_contract(sales_rep, by=finance, start_on=OCTOBER)
    close_month(OCTOBER, by=accountant)
    return contract


@pytest.fixture
def september_contract(sales_rep, finance, accountant):
    """Active since 1 September; October closed afterwards."""
    contract = countersigned_contract(sales_rep, by=finance, start_on=SEPTEMBER)
    contract = services.activate(contract=contract, by=finance, on=ON)
    close_month(OCTOBER, by=accountant)
    return contract


def test_a_contract_starting_in_a_closed_month_is_not_activated(october_contract, finance):
    with pytest.raises(ValidationError) as error:
        services.activate(contract=october_contract, by=finance, on=ON)

    assert REFUSAL in error.value.message_dict["start_on"][0]
    october_contract.refresh_from_db()
    assert october_contract.state == ContractState.SIGNED
    assert not october_contract.lines.exclude(status=LineStatus.PENDING).exists()


def test_the_activate_button_says_why(client, october_contract, finance):
    client.force_login(finance)

    response = client.post(reverse("contract_flows:activate", args=[october_contract.pk]))

    assert response.status_code == 302
    assert any(REFUSAL in str(m) for m in get_messages(response.wsgi_request))
    october_contract.refresh_from_db()
    assert october_contract.state == ContractState.SIGNED


def test_the_daily_activation_leaves_it_signed_and_activates_the_others(october_contract):
    activated = services.activate_due_contracts(by=Actor.task("activate_due_contracts"),
                                                on=date(2026, 11, 2))

    assert october_contract not in activated and len(activated) == 1
    october_contract.refresh_from_db()
    assert october_contract.state == ContractState.SIGNED


def test_an_amendment_cannot_take_effect_in_a_closed_month(september_contract, sales_rep):
    with pytest.raises(ValidationError) as error:
        services.start_amendment(contract=september_contract, by=sales_rep,
                                 effective_on=OCTOBER, on=ON)

    assert REFUSAL in error.value.message_dict["effective_on"][0]
    assert not Amendment.objects.exists()


def test_the_amend_form_says_why(client, september_contract, sales_rep):
    client.force_login(sales_rep)

    response = client.post(reverse("contracts:amend", args=[september_contract.pk]),
                           {"effective_on": OCTOBER.isoformat()})

    assert response.status_code == 302
    assert any(REFUSAL in str(m) for m in get_messages(response.wsgi_request))
    assert not Amendment.objects.exists()


def test_the_api_refuses_the_effective_date_by_its_field(september_contract, sales_rep):
    response = KeyClient(sales_rep).post_json(
        f"/api/v1/contracts/{september_contract.pk}/amendments/",
        {"effective_on": OCTOBER.isoformat()})

    assert response.status_code == 400
    assert REFUSAL in errors_of(response)["effective_on"][0]
    assert not Amendment.objects.exists()


def test_an_amendment_whose_month_closed_before_acceptance_changes_nothing(
        sales_rep, finance, accountant):
    # given: an amendment from 15 October, sent while October was open, then October closed
    contract = countersigned_contract(sales_rep, by=finance, start_on=SEPTEMBER)
    contract = services.activate(contract=contract, by=finance, on=ON)
    amendment = services.start_amendment(contract=contract, by=sales_rep,
                                         effective_on=OCTOBER, on=ON)
    quote = amendment.quote
    quote_services.submit_for_approval(quote=quote, by=sales_rep, on=ON)
    flows.send_quote_flow(quote=quote, by=sales_rep, on=ON)
    lines_before = list(ContractLine.objects.order_by("pk").values_list("pk", "end_on"))
    close_month(OCTOBER, by=accountant)

    # when
    quote.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        flows.accept_quote_flow(token=quote_link_token(quote),
                                signer_name="Ada Buyer", signer_title="CFO", consent=True,
                                ip="203.0.113.9", user_agent="pytest", on=ON)

    # then
    assert REFUSAL in error.value.message_dict["start_on"][0]
    quote.refresh_from_db()
    amendment.refresh_from_db()
    assert quote.state == QuoteState.SENT and amendment.applied_on is None
    assert list(ContractLine.objects.order_by("pk").values_list("pk", "end_on")) == lines_before
