"""The contract's life through its services: every path of the state machine, who may move it,
and what each step records."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts import services
from contracts.models import Contract, ContractLine, ContractState, ContractTemplate, LineStatus
from core.actors import Actor, ActorKind, system_user
from core.transitions import history_for, run_transition
from quotes.models import QuoteState
from tests.contracts.factories import (
    CUSTOMER,
    ON,
    START,
    accepted_quote,
    active_contract,
    countersigned_contract,
    draft_contract,
    out_for_signature,
    signed_contract,
)

pytestmark = pytest.mark.django_db


def test_accepting_a_quote_drafts_one_contract_whose_lines_copy_the_frozen_prices(sales_rep):
    # when
    quote = accepted_quote(sales_rep, seat_lines=2)

    # then
    contract = Contract.objects.get(quote=quote)
    assert quote.state == QuoteState.ACCEPTED and contract.state == ContractState.DRAFT
    assert contract.number == "C-2026-00001"
    assert (contract.account, contract.owner, contract.currency) == (
        quote.account, sales_rep, "USD")
    assert (contract.start_on, contract.end_on, contract.term_months) == (
        START, date(2027, 11, 30), 12)
    assert contract.total_contract_value == quote.total_contract_value > 0
    quote_lines = list(quote.lines.order_by("position"))
    lines = list(contract.lines.order_by("position"))
    assert len(lines) == len(quote_lines) == 3
    for line, quote_line in zip(lines, quote_lines, strict=True):
        assert line.quote_line == quote_line
        assert line.price_snapshot == quote_line.price_snapshot != {}
        assert (line.product, line.quantity, line.billing_period, line.net_amount) == (
            quote_line.product, quote_line.quantity, quote_line.billing_period,
            quote_line.net_amount)
        assert line.status == LineStatus.PENDING
    assert [(line.start_on, line.end_on) for line in lines] == [
        (START, date(2027, 11, 30)), (START, date(2027, 11, 30)), (START, START)]
    [created] = history_for(contract)
    assert (created.transition, created.target, created.actor_kind, created.actor_name) == (
        "create", ContractState.DRAFT, ActorKind.CUSTOMER, "Ada Buyer")


def test_creating_the_contract_again_returns_the_same_one(sales_rep, finance):
    quote = accepted_quote(sales_rep)
    first = Contract.objects.get(quote=quote)

    again = services.create_contract_from_quote(quote=quote, by=finance, on=ON)

    assert again == first and Contract.objects.count() == 1
    assert ContractLine.objects.count() == quote.lines.count()


def test_a_quote_not_accepted_does_not_become_a_contract(sales_rep, finance):
    quote = Contract.objects.get(quote=accepted_quote(sales_rep)).quote
    Contract.objects.all().delete()
    Quote = type(quote)
    Quote.objects.filter(pk=quote.pk).update(state=QuoteState.SENT)

    with pytest.raises(ValidationError, match="Only an accepted quote becomes a contract"):
        services.create_contract_from_quote(quote=Quote.objects.get(pk=quote.pk), by=finance)


def test_sales_rep_cannot_create_a_contract_directly(sales_rep):
    quote = accepted_quote(sales_rep)

    with pytest.raises(PermissionDenied, match="not allowed to create contracts"):
        services.create_contract_from_quote(quote=quote, by=sales_rep)


def test_terms_and_renewal_defaults_come_from_the_default_template(sales_rep):
    # given
    ContractTemplate.objects.create(
        name="Standard", is_default=True, auto_renew=False, renewal_term_months=24,
        uplift_percent=Decimal("5"), renewal_notice_days=90,
        body="{{ account }} buys for {{ term_months }} months from {{ start_on }}; "
             "{{ total_contract_value }}; uplift {{ uplift_percent }}%; {{ unknown }}")

    # when
    contract = draft_contract(sales_rep)

    # then
    assert (contract.auto_renew, contract.renewal_term_months, contract.uplift_percent,
            contract.renewal_notice_days) == (False, 24, Decimal("5"), 90)
    assert contract.terms.startswith(f"{contract.account.name} buys for 12 months from "
                                     "01 December 2026; $")
    assert contract.terms.endswith("uplift 5%; {{ unknown }}")


def test_a_template_with_an_unknown_placeholder_is_refused():
    template = ContractTemplate(name="Bad", body="Hello {{ acount }}")

    with pytest.raises(ValidationError, match="Unknown placeholders: acount"):
        template.full_clean()


def test_draft_to_active_records_signature_countersignature_and_each_step(sales_rep, finance):
    # given
    contract = out_for_signature(sales_rep)
    assert contract.state == ContractState.OUT_FOR_SIGNATURE and len(contract.document_sha256) == 64

    # when
    contract = services.sign(contract=contract, by=CUSTOMER, title="CFO", consent=True,
                             user_agent="Chromium", on=ON)
    contract = services.countersign(contract=contract, by=finance, on=ON)
    contract = services.activate(contract=contract, by=finance, on=START)

    # then
    contract.refresh_from_db()
    assert contract.state == ContractState.ACTIVE and contract.activated_on == START
    assert (contract.signer_name, contract.signer_title, contract.signer_ip) == (
        "Ada Buyer", "CFO", "203.0.113.9")
    assert contract.signed_document_sha256 == contract.document_sha256
    assert contract.countersigned_by == finance and contract.countersigned_at is not None
    assert set(contract.lines.values_list("status", flat=True)) == {LineStatus.ACTIVE}
    assert [(e.transition, e.source, e.target) for e in history_for(contract)] == [
        ("create", "", "draft"),
        ("send_for_signature", "draft", "out_for_signature"),
        ("sign", "out_for_signature", "signed"),
        ("countersign", "signed", "signed"),
        ("activate", "signed", "active"),
    ]


def test_sales_rep_cannot_countersign(sales_rep):
    contract = signed_contract(sales_rep)

    with pytest.raises(PermissionDenied, match="not allowed to countersign"):
        services.countersign(contract=contract, by=sales_rep, on=ON)
    contract.refresh_from_db()
    assert contract.countersigned_at is None


def test_sales_rep_cannot_activate(sales_rep, finance):
    contract = countersigned_contract(sales_rep, by=finance)

    with pytest.raises(PermissionDenied, match="not allowed to activate"):
        services.activate(contract=contract, by=sales_rep, on=START)


def test_accountant_cannot_send_for_signature(sales_rep, accountant):
    with pytest.raises(PermissionDenied, match="not allowed to send for signature"):
        services.send_for_signature(contract=draft_contract(sales_rep), by=accountant, on=ON)


def test_a_contract_is_countersigned_only_once(sales_rep, finance):
    contract = countersigned_contract(sales_rep, by=finance)

    with pytest.raises(ValidationError, match="cannot countersign while signed"):
        services.countersign(contract=contract, by=finance, on=ON)


def test_activation_waits_for_the_countersignature_and_the_start_date(sales_rep, finance):
    contract = signed_contract(sales_rep)
    with pytest.raises(ValidationError, match="cannot activate while signed"):
        services.activate(contract=contract, by=finance, on=START)

    contract = services.countersign(contract=contract, by=finance, on=ON)
    with pytest.raises(ValidationError, match="starts on 2026-12-01"):
        services.activate(contract=contract, by=finance, on=date(2026, 11, 30))


def test_only_the_customer_signs_and_must_give_name_title_and_consent(sales_rep, finance):
    contract = out_for_signature(sales_rep)

    with pytest.raises(PermissionDenied, match="Only the customer signs"):
        services.sign(contract=contract, by=finance, title="CFO", consent=True)
    with pytest.raises(ValidationError) as refused:
        services.sign(contract=contract, by=Actor.customer(name=" ", ip=None), title="",
                      consent=False)
    assert set(refused.value.message_dict) == {"name", "title", "consent"}


def test_a_draft_cannot_be_signed(sales_rep):
    with pytest.raises(ValidationError, match="cannot sign while draft"):
        services.sign(contract=draft_contract(sales_rep), by=CUSTOMER, title="CFO",
                      consent=True)


@pytest.mark.parametrize(("transition", "target", "who"), [
    ("expire", ContractState.EXPIRED, "system"),
    ("renew", ContractState.RENEWED, "system"),
    ("terminate", ContractState.TERMINATED, "finance"),
])
def test_an_active_contract_ends_expired_renewed_or_terminated_with_permission(
        transition, target, who, sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    actor = system_user() if who == "system" else finance

    with pytest.raises(PermissionDenied):
        run_transition(contract, transition, by=sales_rep, day=date(2027, 11, 30))
    run_transition(contract, transition, by=actor, day=date(2027, 11, 30))

    contract.refresh_from_db()
    assert contract.state == target and contract.ended_on == date(2027, 11, 30)


def test_an_active_line_never_changes_in_place(sales_rep, finance):
    line = active_contract(sales_rep, by=finance).lines.first()
    line.quantity += 1

    with pytest.raises(ValidationError, match="never changes in place"):
        line.save()
