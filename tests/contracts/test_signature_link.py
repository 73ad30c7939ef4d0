"""The customer's signature link: read and sign without login, and every way a link is refused
with a page that says why."""

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from contracts.models import ContractState
from contracts.services.links import LINK_SALT, contract_link_token
from core.actors import ActorKind
from core.transitions import history_for
from tests.contracts.factories import out_for_signature, signed_contract

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chromium/140"


@pytest.fixture
def contract(sales_rep, other_rep):
    out_for_signature(other_rep)  # noise: another customer's contract out for signature
    return out_for_signature(sales_rep)


def sign_url(token):
    return reverse("contract_flows:sign", args=[token])


def post_signature(client, token, **fields):
    data = {"name": "Ada Buyer", "title": "CFO", "consent": "on", **fields}
    return client.post(sign_url(token), data, REMOTE_ADDR="203.0.113.9",
                       HTTP_USER_AGENT=BROWSER)


def test_the_link_shows_the_contract_and_its_hash_without_login(client, contract):
    page = client.get(sign_url(contract_link_token(contract)))

    body = page.content.decode()
    assert page.status_code == 200
    assert f"Contract {contract.number} for {contract.account.name}" in body
    assert contract.document_sha256 in body and 'name="consent"' in body


def test_signing_records_name_title_ip_agent_and_hash(client, contract):
    # when
    response = post_signature(client, contract_link_token(contract))

    # then
    assert response.status_code == 200 and "Thank you, Ada Buyer" in response.content.decode()
    contract.refresh_from_db()
    assert contract.state == ContractState.SIGNED
    assert (contract.signer_name, contract.signer_title, contract.signer_ip,
            contract.signer_user_agent) == ("Ada Buyer", "CFO", "203.0.113.9", BROWSER)
    assert contract.signed_document_sha256 == contract.document_sha256
    entry = list(history_for(contract))[-1]
    assert (entry.transition, entry.actor_kind, entry.actor_name, entry.actor_ip) == (
        "sign", ActorKind.CUSTOMER, "Ada Buyer", "203.0.113.9")


def test_signing_without_consent_shows_the_form_again(client, contract):
    response = post_signature(client, contract_link_token(contract), consent="")

    assert response.status_code == 400
    assert "Tick the box to confirm you sign this contract." in response.content.decode()
    contract.refresh_from_db()
    assert contract.state == ContractState.OUT_FOR_SIGNATURE


@pytest.mark.parametrize("tamper", ["edit-signature", "other-contract", "other-document"])
def test_a_tampered_link_gets_a_clear_page_and_signs_nothing(client, contract, tamper):
    # given
    token = contract_link_token(contract)
    if tamper == "edit-signature":
        token = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    elif tamper == "other-contract":
        token = signing.dumps({"c": contract.pk + 1, "h": contract.document_sha256[:32]},
                              salt="someone-else", compress=True)
    else:
        token = signing.dumps({"c": contract.pk, "h": "0" * 32}, salt=LINK_SALT, compress=True)

    # when
    page, answer = client.get(sign_url(token)), post_signature(client, token)

    # then
    for response in (page, answer):
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    contract.refresh_from_db()
    assert contract.state == ContractState.OUT_FOR_SIGNATURE


def test_a_used_link_says_the_contract_is_already_signed(client, sales_rep):
    contract = signed_contract(sales_rep)

    response = client.get(sign_url(contract_link_token(contract)))

    assert response.status_code == 410
    assert "This contract is already signed" in response.content.decode()


def test_an_old_link_has_expired(client, contract):
    token = contract_link_token(contract)

    with time_machine.travel("2027-02-01 10:00 +00:00", tick=False):
        response = post_signature(client, token)

    assert response.status_code == 410
    assert "This signature link has expired" in response.content.decode()
    contract.refresh_from_db()
    assert contract.state == ContractState.OUT_FOR_SIGNATURE
