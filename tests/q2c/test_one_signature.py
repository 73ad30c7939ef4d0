"""One signature when one is enough (review 2026-12, gap 8: the customer signed the quote, then
the contract): under a contract template that says so, accepting the quote signs the contract,
which then waits for countersignature."""

import pytest
from django.core import mail

from contracts.models import Contract, ContractState, ContractTemplate
from core.actors import ActorKind
from core.transitions import history_for
from notifications.models import Notification
from tests.contracts.factories import accepted_quote

pytestmark = pytest.mark.django_db


def test_accepting_the_quote_signs_the_contract_when_its_template_says_so(
        sales_rep, finance, django_capture_on_commit_callbacks):
    # given
    ContractTemplate.objects.create(name="Click to sign", is_default=True, acceptance_signs=True,
                                    body="Accepting quote {{ quote_number }} signs this contract.")

    # when
    with django_capture_on_commit_callbacks(execute=True):
        quote = accepted_quote(sales_rep)

    # then: signed once, by the acceptance's signer, bound to the contract PDF's hash
    contract = Contract.objects.get(quote=quote)
    assert contract.state == ContractState.SIGNED
    assert (contract.signer_name, contract.signer_title) == ("Ada Buyer", "CFO")
    assert contract.signed_document_sha256 == contract.document_sha256 != ""
    entries = [(e.transition, e.actor_kind) for e in history_for(contract)]
    assert entries[-2:] == [("send_for_signature", ActorKind.CUSTOMER),
                            ("sign", ActorKind.CUSTOMER)]
    # nobody asks the customer to sign again; finance is told to countersign
    assert not [m for m in mail.outbox if "please sign" in m.subject]
    assert Notification.objects.filter(user=finance, kind="contract.signed").exists()


def test_without_the_template_saying_so_the_contract_waits_for_its_own_signature(sales_rep):
    ContractTemplate.objects.create(name="Signed apart", is_default=True,
                                    body="This contract is signed on its own.")
    quote = accepted_quote(sales_rep)
    assert Contract.objects.get(quote=quote).state == ContractState.DRAFT
