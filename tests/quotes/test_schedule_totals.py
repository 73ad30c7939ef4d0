"""A quote's totals are its lines' charge schedules: the rows its contract stores and bills.

A line that starts off the account's bill day charges a first, part period up to the next bill
day, prorated by days, then whole periods from the bill day on: Stripe's billing cycle anchor
("a subscription that starts on the 17th with its anchor on the 1st bills a prorated invoice
for the days up to the 1st, then full periods from the 1st",
https://docs.stripe.com/billing/subscriptions/billing-cycle#prorations). Pricing twelve whole
periods for such a line overstates what the contract bills by the stub, so the quote's TCV,
each line's net over the term, the approval facts and the documents all read the schedule.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group
from django.db.models import Sum

from catalog.demo import seed_catalog
from contracts.models import Contract, ScheduledCharge
from core.money import round_money
from core.templatetags.money import money
from ledger.models import ExchangeRate
from q2c import flows
from quotes import services
from quotes.approval_rules import TCV_ABOVE, approval_hits
from quotes.models import ApprovalRule
from quotes.pdf import billing_schedule, render_quote_html
from quotes.selectors import deal_desk_preview, lines_of
from quotes.services.approvals import quote_facts, rule_facts
from quotes.services.sending import quote_link_token
from tests.customers.factories import AccountFactory, ContactFactory
from tests.quotes.factories import account_for, draft_quote, product

pytestmark = pytest.mark.django_db

ON = date(2027, 2, 1)
START = date(2027, 2, 17)  # the 17th; the account is billed on the 1st


def _accepted(owner, *, currency: str, lines):
    seed_catalog()
    # the TCV rule compares every deal in USD: a yen deal needs the yen's rate on its start
    ExchangeRate.objects.create(currency="JPY", valid_on=ON, rate=D("0.0067"))
    account = AccountFactory(owner=owner, currency=currency, bill_day=1,
                             country="JP" if currency == "JPY" else "US")
    contact = ContactFactory(account=account, email="buyer@example.com")
    quote = services.create_quote(by=owner, account=account, contact=contact, start_on=START,
                                  term_months=12, expires_on=date(2027, 2, 28), on=ON)
    services.add_lines(quote=quote, by=owner, items=[
        services.LineItem(product=product(sku), quantity=D(quantity),
                          discount_percent=D(discount), billing_period=period)
        for sku, quantity, discount, period in lines])
    services.submit_for_approval(quote=quote, by=owner, on=ON)
    quote = services.send_quote(quote=quote, by=owner, on=ON)
    quote = flows.accept_quote_flow(token=quote_link_token(quote), signer_name="Ada Buyer",
                                    signer_title="CFO", consent=True, ip="203.0.113.9",
                                    user_agent="pytest", on=ON)
    return quote, Contract.objects.get(quote=quote)


def _rows(contract) -> D:
    total = ScheduledCharge.objects.filter(line__contract=contract, ended_by__isnull=True
                                           ).aggregate(total=Sum("amount"))["total"]
    return round_money(total, contract.currency)


@pytest.mark.parametrize("currency, lines, seat_net", [
    # 10 seats at 30.00 less 15% = 255.00 a month: 12 of 28 days in February 2027 (109.29),
    # 11 whole months (2,805.00), 16 of 29 days in February 2028 (140.69); not 12 × 255.00
    ("USD", [("SEAT-USER", 10, 15, "monthly"), ("PLAT-PRO", 1, 0, "annual"),
             ("ONBOARDING", 1, 0, None)], D("3054.98")),
    # JPY has no minor unit: 7 seats at 4,500 less 10% = 28,350 a month; 12/28 → 12,150,
    # 11 × 28,350 = 311,850, 16/29 → 15,641
    ("JPY", [("SEAT-USER", 7, 10, "monthly"), ("ONBOARDING", 1, 0, None)], D("339641")),
])
def test_a_mid_period_start_quotes_exactly_what_the_contract_stores(
        sales_rep, currency, lines, seat_net):
    # given a quote starting on the 17th for an account billed on the 1st, accepted
    quote, contract = _accepted(sales_rep, currency=currency, lines=lines)
    quote.refresh_from_db()

    # then its TCV is the contract's, which is the sum of the schedule rows, to the minor unit
    assert quote.total_contract_value == contract.total_contract_value == _rows(contract)
    # and each line's net over the term is its contract line's
    by_quote_line = {line.quote_line_id: line for line in contract.lines.all()}
    for line in lines_of(quote):
        contract_line = by_quote_line[line.pk]
        assert (line.list_amount, line.discount_amount, line.net_amount) == (
            contract_line.list_amount, contract_line.discount_amount, contract_line.net_amount)
    seat = next(line for line in lines_of(quote) if line.product.sku == "SEAT-USER")
    assert seat.net_amount == seat_net
    # and the first invoice the quote announces is what the run will bill on the start day
    first = billing_schedule(quote, lines_of(quote))[0]
    assert first.due_on == START
    assert first.amount == round_money(
        ScheduledCharge.objects.filter(line__contract=contract, due_on=START)
        .aggregate(total=Sum("amount"))["total"], currency)
    # and the approval rules, the deal desk and the document read the same TCV
    assert quote_facts(quote).total_contract_value == contract.total_contract_value
    assert deal_desk_preview(quote).transaction_price == contract.total_contract_value
    assert (f'<td>Total contract value</td><td class="num">'
            f'{money(contract.total_contract_value, currency)}</td>') in render_quote_html(quote)


def test_the_tcv_rule_reads_what_the_schedule_charges(catalog, sales_rep):
    # given a rule just under twelve whole months of 255.00 (3,060.00) and above the schedule's
    # 3,054.98 for a start on the 17th
    ApprovalRule.objects.create(name="TCV above 3,057", condition=TCV_ABOVE,
                                threshold=D("3057"), currency="USD",
                                group=Group.objects.get_or_create(name="Sales Manager")[0])
    quote = draft_quote(sales_rep, account=account_for(sales_rep, bill_day=1))
    services.add_line(quote=quote, product=product("SEAT-USER"), by=sales_rep,
                      quantity=D(10), discount_percent=D(15), billing_period="monthly")
    quote.refresh_from_db()
    assert quote.total_contract_value == D("3060.00")  # a start on the bill day: whole months

    # when the quote starts on the 17th instead
    quote = services.update_quote(quote=quote, by=sales_rep, start_on=START)

    # then its TCV is the schedule's and the rule does not fire
    assert quote.total_contract_value == D("3054.98")
    hits = approval_hits(quote_facts(quote), rule_facts())
    assert [hit.rule.name for hit in hits if hit.rule.condition == TCV_ABOVE] == []


def test_the_contract_keeps_the_bill_day_the_quote_was_priced_with(sales_rep, monkeypatch):
    """The account's bill day moves to the 15th after the quote was made: the signed quote's
    figures still hold, because the quote keeps the bill day it was made with and its
    contract is scheduled with it."""
    real_send = services.send_quote

    def send_then_move_the_bill_day(*, quote, **kwargs):
        sent = real_send(quote=quote, **kwargs)
        type(quote.account).objects.filter(pk=quote.account_id).update(bill_day=15)
        return sent

    monkeypatch.setattr(services, "send_quote", send_then_move_the_bill_day)
    quote, contract = _accepted(sales_rep, currency="USD",
                                lines=[("SEAT-USER", 10, 15, "monthly")])

    assert quote.bill_day == 1 and contract.account.bill_day == 15
    assert set(contract.lines.values_list("bill_day", flat=True)) == {1}
    assert quote.total_contract_value == contract.total_contract_value == _rows(contract)


def test_a_one_time_percentage_follows_what_the_schedule_charges(sales_rep):
    """A one-time fee of 10% of the subscriptions takes its base from the lines' schedules
    (3,054.98 for 10 seats at 255.00 a month from the 17th, see above), not from twelve whole
    periods (3,060.00): 305.50, not 306.00, on the quote, the contract line and its one row."""
    from catalog.models import PriceBookEntry, PriceModel, ProductKind, RevenueRule
    from catalog.selectors import standard_price_book
    from tests.catalog.factories import ProductFactory

    # given a one-time implementation fee priced as 10% of the subscriptions
    seed_catalog()
    fee = ProductFactory(sku="IMPL-PCT", kind=ProductKind.SERVICE, family="Services",
                         revenue_rule=RevenueRule.POINT_IN_TIME, unit_of_measure="project")
    PriceBookEntry.objects.create(
        price_book=standard_price_book(currency="USD", on=START), product=fee,
        billing_period="one_time", price_model=PriceModel.PERCENT, percent=D(10),
        percent_of_kind=ProductKind.SUBSCRIPTION)

    # when a quote starting on the 17th (billed on the 1st) is accepted
    quote, contract = _accepted(sales_rep, currency="USD", lines=[
        ("SEAT-USER", 10, 15, "monthly"), ("IMPL-PCT", 1, 0, None)])

    # then the fee is 10% of what the seats' schedule charges, everywhere
    seat, impl = (line for line in lines_of(quote))
    assert seat.net_amount == D("3054.98")
    assert impl.amount_per_period == impl.net_amount == D("305.50")
    contract_fee = contract.lines.get(quote_line=impl)
    assert contract_fee.amount_per_period == contract_fee.net_amount == D("305.50")
    assert ScheduledCharge.objects.get(line=contract_fee).amount == D("305.50")
    assert quote.total_contract_value == contract.total_contract_value == _rows(contract)
