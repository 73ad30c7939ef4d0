"""Prefilled quotes (amendments, renewals): lines keep the given frozen snapshots whatever the
live book says, options stay under their parent, and bad input is refused by field."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.demo import seed_catalog
from catalog.models import PriceBookEntry, Product
from quotes.models import QuoteKind, QuoteState
from quotes.services.prefilled import PrefilledLine, create_prefilled_quote
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db

ON = date(2026, 11, 23)
SNAPSHOT = {"version": 1, "model": "per_unit", "currency": "USD", "billing_period": "monthly",
            "unit_amount": "20"}


@pytest.fixture
def account(sales_rep):
    seed_catalog()
    return AccountFactory(owner=sales_rep, currency="USD")


def make(by, owner, account, lines, **extra):
    return create_prefilled_quote(
        by=by, kind=extra.pop("kind", QuoteKind.AMENDMENT), account=account, owner=owner,
        currency="USD", start_on=extra.pop("start_on", date(2027, 3, 15)), term_months=9,
        lines=lines,
        payment_terms=account.payment_terms, on=ON, **extra)


def test_lines_are_priced_from_the_given_snapshot_not_the_book(account, sales_rep):
    seat = Product.objects.get(sku="SEAT-USER")
    PriceBookEntry.objects.filter(product=seat).update(unit_amount=Decimal("99"))

    quote = make(sales_rep, sales_rep, account, [
        PrefilledLine(key="1", product=seat, quantity=Decimal(5), price_snapshot=SNAPSHOT,
                      discount_percent=Decimal(10))])

    [line] = quote.lines.all()
    assert (quote.kind, quote.state, quote.owner, quote.number) == (
        QuoteKind.AMENDMENT, QuoteState.DRAFT, sales_rep, "Q-2026-00001")
    assert line.price_snapshot == SNAPSHOT
    assert (line.amount_per_period, line.net_amount) == (Decimal("90.00"), Decimal("810.00"))
    assert quote.total_contract_value == Decimal("810.00")


def test_an_included_option_stays_under_its_parent_at_no_charge(account, sales_rep):
    seat, sso = Product.objects.get(sku="SEAT-USER"), Product.objects.get(sku="SEAT-SSO")

    quote = make(sales_rep, sales_rep, account, [
        PrefilledLine(key="p", product=seat, quantity=Decimal(5), price_snapshot=SNAPSHOT),
        PrefilledLine(key="c", product=sso, quantity=Decimal(5), price_snapshot=SNAPSHOT,
                      included=True, parent_key="p")])

    parent, child = quote.lines.order_by("position")
    assert child.parent == parent and child.net_amount == 0
    assert quote.total_contract_value == parent.net_amount == Decimal("900.00")


def test_the_system_makes_renewal_quotes_for_the_owner(account, sales_rep):
    from core.actors import Actor

    quote = make(Actor.task("process_renewals"), sales_rep, account, [
        PrefilledLine(key="1", product=Product.objects.get(sku="SEAT-USER"),
                      quantity=Decimal(1), price_snapshot=SNAPSHOT)], kind=QuoteKind.RENEWAL)

    assert (quote.kind, quote.owner) == (QuoteKind.RENEWAL, sales_rep)


def test_bad_input_is_refused_by_field(account, sales_rep):
    euro = {**SNAPSHOT, "currency": "EUR"}
    seat = Product.objects.get(sku="SEAT-USER")

    with pytest.raises(ValidationError) as error:
        make(sales_rep, sales_rep, account,
             [PrefilledLine(key="1", product=seat, quantity=Decimal(1), price_snapshot=euro)],
             kind=QuoteKind.NEW)

    assert set(error.value.message_dict) == {"kind", "lines"}
    with pytest.raises(ValidationError, match="nothing to quote"):
        make(sales_rep, sales_rep, account, [])


def test_an_accountant_cannot_create_quotes(account, sales_rep, accountant):
    with pytest.raises(PermissionDenied):
        make(accountant, sales_rep, account, [])


def _schedule_total(*, alignment, convention, amount=Decimal("90.00")):
    from catalog.charge_schedule import LineTerms, charge_schedule
    from catalog.proration import Convention, DayCount

    terms = LineTerms(currency="USD", billing_period="monthly", amount_per_period=amount,
                      start_on=date(2027, 2, 10), end_on=date(2027, 11, 9),
                      alignment=alignment, bill_day=1, convention=Convention(DayCount(convention)))
    return sum((charge.amount for charge in charge_schedule(terms)), Decimal(0))


def test_each_line_keeps_the_contract_lines_alignment_and_day_count(account, sales_rep):
    """An amendment or renewal line is scheduled as the contract line it copies: its own
    alignment and day count, not the account's bill day and today's setting. 10 February to
    9 November 2027 on an account billed on the 1st: anniversary periods are 9 whole months
    (9 × 90.00); bill-day periods prorate 10-28 February, 19 of 28 days actual (61.07) but 21
    of 30 under 30/360 (63.00), then 8 whole months and 1-9 November (9 of 30 days, 27.00)."""
    account.bill_day = 1
    account.save(update_fields=["bill_day"])
    seat = Product.objects.get(sku="SEAT-USER")

    quote = make(sales_rep, sales_rep, account, [
        PrefilledLine(key="a", product=seat, quantity=Decimal(5), price_snapshot=SNAPSHOT,
                      discount_percent=Decimal(10), billing_alignment="anniversary",
                      proration_convention="actual"),
        PrefilledLine(key="b", product=seat, quantity=Decimal(5), price_snapshot=SNAPSHOT,
                      discount_percent=Decimal(10), billing_alignment="bill_day",
                      proration_convention="30/360")], start_on=date(2027, 2, 10))

    anniversary, thirty = quote.lines.order_by("position")
    assert (anniversary.billing_alignment, anniversary.proration_convention) == (
        "anniversary", "actual")
    assert (thirty.billing_alignment, thirty.proration_convention) == ("bill_day", "30/360")
    assert anniversary.net_amount == Decimal("810.00") == _schedule_total(
        alignment="anniversary", convention="actual")
    assert thirty.net_amount == Decimal("810.00") == _schedule_total(
        alignment="bill_day", convention="30/360")
    assert _schedule_total(alignment="bill_day", convention="actual") == Decimal("808.07")
    assert quote.total_contract_value == anniversary.net_amount + thirty.net_amount


def test_an_unknown_alignment_or_day_count_is_refused_by_field(account, sales_rep):
    seat = Product.objects.get(sku="SEAT-USER")

    with pytest.raises(ValidationError) as error:
        make(sales_rep, sales_rep, account, [
            PrefilledLine(key="a", product=seat, quantity=Decimal(1), price_snapshot=SNAPSHOT,
                          billing_alignment="lunar", proration_convention="actual/365")])

    assert error.value.message_dict["lines"] == [
        "Billing alignment lunar is not known (line a).",
        "Day count actual/365 is not known (line a)."]
