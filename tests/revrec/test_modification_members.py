"""IFRS 15 IE Example 6 (IE35-IE39), change in the transaction price after a contract
modification, through the database path (revenue contract → schedules → run → journal).

IE35-IE37: products X and Y, distinct, equal standalone selling prices (CU600 here USD 600;
list price 500 each, so a fixed CU1,000), and variable consideration estimated at CU200: the
transaction price of CU1,200 is CU600 each; X transfers at once (CU600 recognized), Y later.
IE38: the contract is modified to add Z for CU300, below its SSP (the same as X's and Y's):
not a separate contract (15.20(b)); Y, not yet transferred, is distinct from X, so the
modification is the termination of the old contract and the creation of a new one of Y and Z
(15.21(a)), whose consideration, Y's CU600 not recognized and Z's CU300, is allocated by
relative SSP: CU450 each.
IE39: the estimate of the variable consideration then rises to CU240. The CU40 goes to X and Y
on the basis of contract inception (15.88, 15.90(a)), CU20 each; X's CU20 is recognized at
once (in the first open month), Y's CU20 is shared by Y and Z as the new contract shares its
consideration: CU10 each, so Y and Z are CU460 each.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from djmoney.money import Money

from catalog.demo import seed_catalog
from catalog.models import (
    BillingPeriod,
    PriceBook,
    PriceBookEntry,
    PriceModel,
    Product,
    SSPBasis,
    StandaloneSellingPrice,
)
from contracts import services as contract_services
from orders.models import Order
from orders.services.fulfilment import fulfil_lines
from quotes import services as quote_services
from quotes.models import QuoteState
from revrec.models import Modification, ModificationMember, PerformanceObligation, ScheduleLine
from revrec.services import create_revenue_contracts
from revrec.services.variable import estimate_variable_consideration
from tests.conftest import PASSWORD
from tests.contracts.test_amendments import accept
from tests.revrec.factories import ON, ordered_contract_of, revenue_contract_of, system
from tests.revrec.test_partial_delivery import at
from tests.revrec.test_variable import posted_revenue, run

pytestmark = pytest.mark.django_db

DEC, JAN, FEB, MAR = date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1)
EFFECTIVE = date(2027, 3, 15)


def priced(sku: str, name: str, *, kind: str, rule: str, ssp: int, basis: str, period: str,
           price: int, family: str = "IE6") -> Product:
    """A product of `family` with its SSP and its price in the standard USD book."""
    made = Product.objects.create(sku=sku, name=name, family=family, kind=kind,
                                  revenue_rule=rule)
    StandaloneSellingPrice.objects.create(product=made, amount=Money(D(ssp), "USD"), basis=basis)
    PriceBookEntry.objects.create(price_book=PriceBook.objects.get(name="Standard USD"),
                                  product=made, billing_period=period,
                                  price_model=PriceModel.PER_UNIT, unit_amount=D(price))
    return made


def product(sku: str) -> Product:
    """A good of IE Example 6: SSP 600, list price 500, one at a time, at a point in time."""
    return priced(sku, f"Product {sku[-1]}", kind="physical", rule="point_in_time", ssp=600,
                   basis=SSPBasis.ONE_TIME, period=BillingPeriod.ONE_TIME, price=500)


def plan() -> Product:
    """A subscription at no charge (SSP 0: no share of anything), for the amendment to run on:
    contracts are amended while a subscription runs."""
    return priced("IE6-PLAN", "Plan", kind="subscription", rule="ratable", ssp=0,
                   basis=SSPBasis.PER_MONTH, period=BillingPeriod.MONTHLY, price=0)


def amend_adding(contract, item, sales_rep, finance, *, effective_on: date) -> None:
    """An amendment from `effective_on` adding `item` (a quote line item), approved as often
    as its discount asks, sent and accepted by the customer."""
    amendment = contract_services.start_amendment(contract=contract, by=sales_rep,
                                                  effective_on=effective_on, on=ON)
    quote = amendment.quote
    quote_services.add_lines(quote=quote, by=sales_rep, items=[item])
    quote_services.submit_for_approval(quote=quote, by=sales_rep, on=ON)
    quote.refresh_from_db()
    while quote.state == QuoteState.PENDING_APPROVAL:
        quote_services.approve(quote=quote, by=finance, on=ON)
        quote.refresh_from_db()
    quote_services.send_quote(quote=quote, by=sales_rep, on=ON)
    accept(quote)


def add_z_at_300(contract, sales_rep, finance):
    """The amendment adding Z at 300 (40% off its list price), accepted by the customer."""
    amend_adding(contract, quote_services.LineItem(
        product=Product.objects.get(sku="IE6-Z"), discount_percent=D(40)), sales_rep, finance,
        effective_on=EFFECTIVE)


def recognized(obligation) -> D:
    return sum(ScheduleLine.objects.filter(obligation=obligation, run__isnull=False)
               .values_list("amount", flat=True), D(0))


def estimate(amount: str, accountant, on: date):
    estimate_variable_consideration(
        revenue_contract=revenue_contract_of_x(), kind="performance_bonus",
        method="most_likely", scenarios=[(amount, "1")], constrained=D(amount),
        constraint_reason="Highly probable", reason="IE Example 6", by=accountant, on=on)


def revenue_contract_of_x():
    return PerformanceObligation.objects.get(product__sku="IE6-X").revenue_contract


def deliver(sku: str, finance, on: date):
    line = next(line for order in Order.objects.all() for line in order.lines.all()
                if line.product.sku == sku)
    fulfil_lines(order=line.order, by=finance, quantities={line.pk: D(1)}, on=on)


def test_ie6_a_change_after_a_new_contract_is_shared_by_y_and_z_as_the_modification_shared(
        client, sales_rep, finance, accountant, time_machine,
        django_capture_on_commit_callbacks):
    captured = django_capture_on_commit_callbacks
    # given (IE35-IE37): X and Y ordered, CU200 variable, X delivered and recognized
    at(DEC, time_machine)
    seed_catalog()
    x, y, _ = product("IE6-X"), product("IE6-Y"), product("IE6-Z")
    with captured(execute=True):
        contract = ordered_contract_of(sales_rep, by=finance, items=[
            quote_services.LineItem(product=x), quote_services.LineItem(product=y),
            quote_services.LineItem(product=plan())])
    rc = revenue_contract_of(contract)
    estimate("200.00", accountant, date(2026, 11, 30))
    deliver("IE6-X", finance, DEC)
    for month in (DEC, JAN):
        run(month, accountant, captured)
    ob = {o.product.sku: o for o in PerformanceObligation.objects.filter(revenue_contract=rc)}
    assert (ob["IE6-X"].allocated, ob["IE6-Y"].allocated) == (D(600), D(600))
    assert recognized(ob["IE6-X"]) == D(600)

    # when (IE38): Z added for 300, below its SSP: Y and Z form a new contract (15.21(a))
    add_z_at_300(contract, sales_rep, finance)
    with captured(execute=True):
        create_revenue_contracts(by=system(), on=date(2027, 1, 20))

    # then: its consideration, 600 + 300, is CU450 each, recorded per member
    modification = Modification.objects.get(revenue_contract=rc)
    assert (modification.treatment, modification.priced_at_ssp) == ("prospective", False)
    ob = {o.product.sku: o for o in PerformanceObligation.objects.filter(revenue_contract=rc)}
    members = {m.obligation.product.sku: (m.carries_id, m.consideration, m.allocated)
               for m in ModificationMember.objects.filter(modification=modification)}
    assert members == {"IE6-Y": (ob["IE6-Y"].pk, D(600), D(450)),
                       "IE6-Z": (None, D(300), D(450))}
    assert (ob["IE6-Y"].allocated, ob["IE6-Z"].allocated) == (D(450), D(450))
    rc.refresh_from_db()
    assert rc.transaction_price + rc.variable_consideration == D(1500)

    # when (IE39): the estimate rises to 240 on 3 February
    estimate("240.00", accountant, date(2027, 2, 3))

    # then: CU20 each to X and Y as at inception (15.88, 15.90(a)); Y's CU20 shared by the
    # new contract, CU10 each
    ob = {o.product.sku: o for o in PerformanceObligation.objects.filter(revenue_contract=rc)}
    assert {sku: o.allocated for sku, o in ob.items()} == {
        "IE6-X": D(620), "IE6-Y": D(460), "IE6-Z": D(460), "IE6-PLAN": D(0)}

    # X's CU20 is recognized in February, the first open month; Y and Z as delivered
    at(FEB, time_machine)
    run(FEB, accountant, captured)
    assert recognized(ob["IE6-X"]) == D(620)
    assert posted_revenue(date(2027, 2, 28)) == D(620)
    at(EFFECTIVE, time_machine)
    deliver("IE6-Y", finance, EFFECTIVE)
    if Order.objects.filter(lines__product__sku="IE6-Z").exists():
        deliver("IE6-Z", finance, EFFECTIVE)
    run(MAR, accountant, captured)
    assert (recognized(ob["IE6-Y"]), recognized(ob["IE6-Z"])) == (D(460), D(460))
    assert posted_revenue(date(2027, 3, 31)) == D(1540)  # 1,000 + 300 + 240

    # the revenue contract page shows the new contract under the modification's evidence
    client.login(username=accountant.username, password=PASSWORD)
    page = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()
    assert "The new contract (IFRS 15.21(a))" in page
    assert "<td>Product Y</td>" in page and "Its price not recognized" in page
    assert "<td>Product Z</td>" in page and "Added by the amendment" in page
    assert page.count("$450.00") == 2 and "$300.00" in page
