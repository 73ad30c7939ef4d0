"""Amendments: the prefilled amendment quote, the prorated changes it shows, and what accepting it
does to the contract (lines end and start, never change in place; totals and history)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts import services
from contracts.models import Amendment, ContractLine, LineStatus
from core.transitions import history_for
from q2c import flows
from quotes import services as quote_services
from quotes.models import QuoteKind, QuoteState
from quotes.services.sending import quote_link_token
from tests.contracts.factories import ON, active_contract

pytestmark = pytest.mark.django_db

EFFECTIVE = date(2027, 3, 15)


def seat_line(contract) -> ContractLine:
    return contract.lines.get(product__sku="SEAT-USER")


def accept(quote):
    """The customer accepts the sent amendment quote through their link."""
    quote.refresh_from_db()
    return flows.accept_quote_flow(token=quote_link_token(quote), signer_name="Ada Buyer",
                                   signer_title="CFO", consent=True, ip="203.0.113.9",
                                   user_agent="pytest", on=ON)


def amended_to(contract, owner, quantity: Decimal, *, extra=()):
    """Start an amendment, set the seats to `quantity`, add `extra` products, send, accept."""
    amendment = services.start_amendment(contract=contract, by=owner, effective_on=EFFECTIVE,
                                         on=ON)
    quote = amendment.quote
    line = quote.lines.filter(product__sku="SEAT-USER").order_by("position").first()
    quote_services.update_line(line=line, by=owner, quantity=quantity)
    if extra:
        quote_services.add_lines(quote=quote, by=owner, items=list(extra))
    quote_services.submit_for_approval(quote=quote, by=owner, on=ON)
    quote.refresh_from_db()
    if quote.state == QuoteState.PENDING_APPROVAL:
        pytest.fail("the amendment needed approval")
    quote_services.send_quote(quote=quote, by=owner, on=ON)
    accept(quote)
    amendment.refresh_from_db()
    return amendment


def test_starting_an_amendment_prefills_a_draft_with_the_frozen_prices(sales_rep, finance):
    # given
    contract = active_contract(sales_rep, by=finance)
    old = seat_line(contract)

    # when
    amendment = services.start_amendment(contract=contract, by=sales_rep,
                                         effective_on=EFFECTIVE, on=ON)

    # then
    quote = amendment.quote
    assert (quote.kind, quote.state, quote.owner, quote.start_on) == (
        QuoteKind.AMENDMENT, QuoteState.DRAFT, sales_rep, EFFECTIVE)
    assert quote.term_months == 9  # 15 March to 30 November 2027, part month counted whole
    [line] = quote.lines.all()  # the one-time onboarding is not in force any more
    assert line.price_snapshot == old.price_snapshot
    assert (line.quantity, line.discount_percent, line.amount_per_period) == (
        old.quantity, old.discount_percent, old.amount_per_period)
    assert services.amendment_changes(amendment) == []  # nothing changed yet
    assert [h.transition for h in history_for(contract)][-1] == "start_amendment"


def test_the_prefilled_quote_keeps_the_contract_price_when_the_book_changes(sales_rep,
                                                                             finance):
    from catalog.models import PriceBookEntry

    contract = active_contract(sales_rep, by=finance)
    PriceBookEntry.objects.filter(product__sku="SEAT-USER").update(unit_amount=Decimal("99"))

    amendment = services.start_amendment(contract=contract, by=sales_rep,
                                         effective_on=EFFECTIVE, on=ON)

    assert amendment.quote.lines.get().amount_per_period == seat_line(contract).amount_per_period


def test_the_changes_show_prorated_amounts_that_explain_themselves(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    amendment = services.start_amendment(contract=contract, by=sales_rep,
                                         effective_on=EFFECTIVE, on=ON)
    line = amendment.quote.lines.get()

    quote_services.update_line(line=line, by=sales_rep, quantity=Decimal(8))

    [change] = services.amendment_changes(amendment)
    # 5 seats → 8 seats at $30 less 15%: $127.50 → $204.00 a month; periods start on the 1st
    assert change.kind == "changed"
    assert change.credit.explanation == (
        "17 of 31 days × $127.50 = $69.92 + 8 periods × $127.50 = $1,089.92")
    assert change.charge.explanation == (
        "17 of 31 days × $204.00 = $111.87 + 8 periods × $204.00 = $1,743.87")
    assert change.net == Decimal("653.95")


def test_accepting_the_amendment_ends_the_old_line_and_starts_new_ones(sales_rep, finance):
    # given
    contract = active_contract(sales_rep, by=finance)
    old = seat_line(contract)
    tcv_before = contract.total_contract_value

    # when
    amendment = amended_to(contract, sales_rep, Decimal(8))

    # then
    contract.refresh_from_db()
    old.refresh_from_db()
    assert amendment.applied_on == ON and amendment.prorated_total == Decimal("653.95")
    assert (old.status, old.end_on, old.quantity) == (LineStatus.ENDED, date(2027, 3, 14),
                                                      Decimal(5))
    new = contract.lines.get(replaces=old)
    assert (new.quantity, new.start_on, new.end_on, new.amendment) == (
        Decimal(8), EFFECTIVE, contract.end_on, amendment)
    assert new.price_snapshot == old.price_snapshot
    assert new.net_amount == Decimal("1743.87")
    assert new.status == LineStatus.PENDING  # it starts after today
    assert contract.total_contract_value == tcv_before + Decimal("653.95")
    assert contract.recurring_monthly == Decimal("204.00")
    assert amendment.proration[0]["credit_explanation"].startswith("17 of 31 days")
    assert [h.transition for h in history_for(contract)][-1] == "amend"


def test_removing_a_product_ends_its_line_without_a_new_one(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance, seat_lines=2)
    amendment = services.start_amendment(contract=contract, by=sales_rep,
                                         effective_on=EFFECTIVE, on=ON)
    quote = amendment.quote
    quote_services.remove_line(line=quote.lines.order_by("position").last(), by=sales_rep)
    quote_services.submit_for_approval(quote=quote, by=sales_rep, on=ON)
    quote_services.send_quote(quote=quote, by=sales_rep, on=ON)

    accept(quote)

    amendment.refresh_from_db()
    [change] = amendment.proration
    assert (change["kind"], change["charge"], Decimal(change["net"]) < 0) == (
        "removed", "", True)
    assert contract.lines.filter(status=LineStatus.ENDED, end_on=date(2027, 3, 14)).count() == 1
    assert amendment.new_lines.count() == 0


def test_an_active_line_never_changes_in_place(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    line = seat_line(contract)
    line.quantity = Decimal(50)

    with pytest.raises(ValidationError, match="never changes in place"):
        line.save()


def test_accepting_twice_is_refused_by_the_quote_and_applies_once(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    amendment = amended_to(contract, sales_rep, Decimal(8))

    again, new_lines = services.apply_amendment(quote=amendment.quote, by=finance, on=ON)

    assert again == contract and len(new_lines) == 1
    assert contract.lines.count() == 3


@pytest.mark.parametrize(("effective_on", "message"), [
    (date(2026, 12, 1), "after the contract's start"),
    (date(2027, 12, 1), "on or before its end"),
])
def test_the_effective_date_falls_inside_the_term(sales_rep, finance, effective_on, message):
    contract = active_contract(sales_rep, by=finance)

    with pytest.raises(ValidationError, match=message):
        services.start_amendment(contract=contract, by=sales_rep, effective_on=effective_on)


def test_only_an_active_contract_is_amended(sales_rep, finance):
    from tests.contracts.factories import draft_contract

    contract = draft_contract(sales_rep)

    with pytest.raises(ValidationError, match="Only an active contract can be amended"):
        services.start_amendment(contract=contract, by=sales_rep, effective_on=EFFECTIVE)


def test_one_amendment_at_a_time(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    services.start_amendment(contract=contract, by=sales_rep, effective_on=EFFECTIVE)

    with pytest.raises(ValidationError, match="already has an amendment in progress"):
        services.start_amendment(contract=contract, by=sales_rep, effective_on=EFFECTIVE)


def test_another_teams_rep_cannot_amend_and_accountants_may_not(sales_rep, other_rep,
                                                                 accountant, finance):
    contract = active_contract(sales_rep, by=finance)

    with pytest.raises(ValidationError, match="cannot amend this contract"):
        services.start_amendment(contract=contract, by=other_rep, effective_on=EFFECTIVE)
    with pytest.raises(PermissionDenied):
        services.start_amendment(contract=contract, by=accountant, effective_on=EFFECTIVE)
    assert not Amendment.objects.exists()


def test_the_daily_task_activates_amendment_lines_on_their_start_date(sales_rep, finance):
    from core.actors import Actor

    contract = active_contract(sales_rep, by=finance)
    amendment = amended_to(contract, sales_rep, Decimal(8))
    system = Actor.task("activate_due_contracts")

    services.activate_due_contracts(by=system, on=date(2027, 3, 14))
    assert amendment.new_lines.get().status == LineStatus.PENDING
    services.activate_due_contracts(by=system, on=EFFECTIVE)
    assert amendment.new_lines.get().status == LineStatus.ACTIVE


def test_the_proration_convention_is_a_setting(sales_rep, finance, settings):
    settings.PRORATION_CONVENTION = "30/360"
    contract = active_contract(sales_rep, by=finance)
    amendment = services.start_amendment(contract=contract, by=sales_rep,
                                         effective_on=EFFECTIVE, on=ON)
    quote_services.update_line(line=amendment.quote.lines.get(), by=sales_rep,
                               quantity=Decimal(8))

    [change] = services.amendment_changes(amendment)

    assert change.charge.explanation == (
        "16 of 30 days (30/360) × $204.00 = $108.80 + 8 periods × $204.00 = $1,740.80")


def test_the_amendment_keeps_each_lines_day_count_whatever_the_setting_says_now(
        sales_rep, finance, settings):
    """Issue 13: "the convention in force is recorded on the contract line, not read from
    settings": a contract priced under 30/360 is amended under 30/360 after the setting moved
    to actual days, from the prefilled quote to the new contract lines."""
    settings.PRORATION_CONVENTION = "30/360"
    contract = active_contract(sales_rep, by=finance)
    assert seat_line(contract).proration_convention == "30/360"
    settings.PRORATION_CONVENTION = "actual"

    amendment = amended_to(contract, sales_rep, Decimal(12))

    quote_line = amendment.quote.lines.get(product__sku="SEAT-USER")
    assert quote_line.proration_convention == "30/360"
    new_line = contract.lines.filter(product__sku="SEAT-USER").order_by("-pk").first()
    assert (new_line.quantity, new_line.proration_convention) == (Decimal(12), "30/360")
