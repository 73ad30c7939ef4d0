"""A 15.21(a) modification of goods partly delivered, through the database path (order
fulfilment → revenue contract → modification → schedules → run → journal → report → page).

Worked example: IFRS 15 IE Example 5, Case B (IE22-IE24), scaled down by ten. 120 products for
CU12,000 (CU100 each, their standalone selling price), transferred over time, control of each
passing at a point in time; after 60 are transferred, 30 more are added at CU80 each, which
does not reflect their standalone selling price, so the modification is no separate contract
(15.20(b)); the products still to deliver are distinct from those transferred, so it is the
termination of the old contract and the creation of a new one (15.21(a)). The revenue for each
remaining product is the blended CU93.33: (CU100 × 60 not yet transferred + CU80 × 30 added)
÷ 90 (IE24). (IE22-IE23's credit of CU15 for the defective products delivered is a price
concession on the products already transferred, outside the new contract; it is left out.)

Here: 12 products at 100 (1,200; SSP 100 each), 4 delivered on 10 December and recognized,
2 more on 5 February; on 15 February 3 more are added at 80 (240). The 6 delivered before the
modification keep what they earned at 100 each (600: 400 recognized, 200 in February's run).
The 6 not delivered bring their unrecognized 600 to the new contract and the 3 added their 240:
840 allocated by relative SSP (600 and 300), 560.00 and 280.00, 93.33 a product either way.
The ordered line's 12 products are allocated 600 + 560 = 1,160, its remaining 6 earning
560 ÷ 6 each as delivered: 3 on 25 February (280.00), the last 3 on 10 March (280.00).
Revenue in all: 1,200 + 240 = 1,440 (600 + 560 + 280).
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from catalog.demo import seed_catalog
from catalog.models import BillingPeriod, Product, SSPBasis
from orders.models import Order, OrderLine
from orders.services.fulfilment import fulfil_lines
from quotes import services as quote_services
from revrec.delivery import earned
from revrec.models import (
    Modification,
    ModificationMember,
    PerformanceObligation,
    RecognitionItem,
    ScheduleLine,
)
from revrec.reports import remaining_obligations
from revrec.services import create_revenue_contracts
from revrec.services.variable import estimate_variable_consideration
from tests.conftest import PASSWORD
from tests.revrec.factories import ordered_contract_of, revenue_contract_of, system
from tests.revrec.test_modification_members import amend_adding, plan, priced
from tests.revrec.test_partial_delivery import at
from tests.revrec.test_variable import posted_revenue, run

DEC, JAN, FEB, MAR = date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1)
EFFECTIVE = date(2027, 2, 15)


def products() -> Product:
    """IE Example 5's product: CU100 each, its standalone selling price, one at a time."""
    return priced("IE5-P", "Product", kind="physical", rule="point_in_time", ssp=100,
                  basis=SSPBasis.ONE_TIME, period=BillingPeriod.ONE_TIME, price=100,
                  family="IE5")


def add_three_at_80(contract, sales_rep, finance):
    """The amendment adding 3 more products at 80 each (20% off), accepted by the customer."""
    amend_adding(contract, quote_services.LineItem(
        product=Product.objects.get(sku="IE5-P"), quantity=D(3), discount_percent=D(20)),
        sales_rep, finance, effective_on=EFFECTIVE)


def deliver(obligation, quantity: int, finance, on: date):
    line = OrderLine.objects.get(contract_line=obligation.contract_line)
    fulfil_lines(order=line.order, by=finance, quantities={line.pk: D(quantity)}, on=on)


def recognized(obligation) -> D:
    return sum(ScheduleLine.objects.filter(obligation=obligation, run__isnull=False)
               .values_list("amount", flat=True), D(0))


def modified(sales_rep, finance, accountant, time_machine, captured):
    """12 products ordered at 100; 4 delivered on 10 December and recognized, 2 on 5 February;
    the amendment adding 3 at 80 from 15 February, taken in on 20 February. Returns the
    revenue contract, the ordered obligation and the added one."""
    at(DEC, time_machine)
    seed_catalog()
    with captured(execute=True):
        contract = ordered_contract_of(sales_rep, by=finance, items=[
            quote_services.LineItem(product=products(), quantity=D(12)),
            quote_services.LineItem(product=plan())])
    rc = revenue_contract_of(contract)
    ordered = PerformanceObligation.objects.get(revenue_contract=rc, product__sku="IE5-P")
    assert ordered.allocated == D(1200)
    at(date(2026, 12, 10), time_machine)
    deliver(ordered, 4, finance, date(2026, 12, 10))
    for month in (DEC, JAN):
        run(month, accountant, captured)
    assert recognized(ordered) == D(400)
    at(date(2027, 2, 5), time_machine)  # delivered before the modification, not recognized yet
    deliver(ordered, 2, finance, date(2027, 2, 5))
    add_three_at_80(contract, sales_rep, finance)  # below their SSP: no separate contract
    at(date(2027, 2, 20), time_machine)
    with captured(execute=True):
        create_revenue_contracts(by=system(), on=date(2027, 2, 20))
    ordered.refresh_from_db()
    added = PerformanceObligation.objects.exclude(pk=ordered.pk).get(
        revenue_contract=rc, product__sku="IE5-P")
    return rc, ordered, added


def deliver_after(ordered, added, finance, time_machine, on: date):
    """3 of the 6 left on `on` (and the 3 added, when they are on an order)."""
    at(on, time_machine)
    deliver(ordered, 3, finance, on)
    if OrderLine.objects.filter(contract_line=added.contract_line).exists():
        deliver(added, 3, finance, on)


@pytest.mark.django_db
def test_ie5_case_b_the_products_left_to_deliver_share_the_new_contract_at_a_blended_price(
        client, sales_rep, finance, accountant, time_machine,
        django_capture_on_commit_callbacks):
    captured = django_capture_on_commit_callbacks
    # given: 4 delivered and recognized, 2 delivered, then 3 added at 80 (15.21(a))
    rc, ordered, added = modified(sales_rep, finance, accountant, time_machine, captured)
    contract = rc.contract

    # then: the 6 left to deliver bring their 600 not earned, the 3 added their 240; 840 by
    # relative SSP (600 and 300): 560 and 280, 93.33 a product (IE24)
    modification = Modification.objects.get(revenue_contract=rc)
    assert (modification.treatment, modification.priced_at_ssp) == ("prospective", False)
    members = {m.obligation_id: (m.carries_id, m.ssp, m.consideration, m.allocated)
               for m in ModificationMember.objects.filter(modification=modification)}
    assert members == {ordered.pk: (ordered.pk, D(600), D(600), D(560)),
                       added.pk: (None, D(300), D(240), D(280))}
    assert (ordered.allocated, ordered.units_before, ordered.earned_before) == (
        D(1160), D(6), D(600))
    assert added.allocated == D(280)
    assert round(D(560) / 6, 2) == round(D(280) / 3, 2) == D("93.33")

    # when: 3 of the 6 delivered on 25 February (and the 3 added, when on an order)
    deliver_after(ordered, added, finance, time_machine, date(2027, 2, 25))
    run(FEB, accountant, captured)

    # then: February earns the 2 delivered before at 100 each and the 3 after at 93.33
    assert recognized(ordered) == D(880)  # 600 + 560 × 3/6
    assert recognized(added) == D(280)
    assert RecognitionItem.objects.get(revenue_contract=rc, month=FEB).recognized == D(760)
    assert posted_revenue(date(2027, 2, 28)) == D(1160)
    (rpo,) = [row for row in remaining_obligations(as_of=MAR).rows]
    assert rpo[3:8] == [D(1440), D(1160), D(280), D(0), D(280)]  # price, recognized, left

    # when: the last 3 on 10 March
    at(date(2027, 3, 10), time_machine)
    deliver(ordered, 3, finance, date(2027, 3, 10))
    run(MAR, accountant, captured)

    # then: the line's 12 products earned 1,160; revenue in all 1,440
    assert recognized(ordered) == D(1160)
    assert posted_revenue(date(2027, 3, 31)) == D(1440)
    assert Order.objects.filter(contract=contract, state="fulfilled").exists()

    # the revenue contract page shows both members of the new contract
    client.login(username=accountant.username, password=PASSWORD)
    page = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()
    assert "The new contract (IFRS 15.21(a))" in page
    assert "Its price not recognized" in page and "Added by the amendment" in page
    assert "$560.00" in page and "$240.00" in page and page.count("$280.00") >= 1
    assert "12 of 12 delivered" in page


@pytest.mark.django_db
def test_a_change_of_price_after_it_is_earned_at_once_by_the_units_delivered_before(
        sales_rep, finance, accountant, time_machine, django_capture_on_commit_callbacks):
    """IFRS 15.88 and 15.90(a) as IE Example 6 (IE39) applies them, on the example above: a
    bonus of 120 promised with the products, estimated on 22 February, goes to them on the
    basis of inception (the plan's SSP is 0): 10 a product. The 6 delivered before the
    modification earn their 60 at once; the other 60 follows the new contract's shares,
    560 : 280, 40 to the 6 left and 20 to the 3 added."""
    captured = django_capture_on_commit_callbacks
    rc, ordered, added = modified(sales_rep, finance, accountant, time_machine, captured)

    # when: the bonus is estimated
    estimate_variable_consideration(
        revenue_contract=rc, kind="performance_bonus", method="most_likely",
        scenarios=[("120.00", "1")], constrained=D("120.00"),
        constraint_reason="Highly probable", reason="Volume bonus", by=accountant,
        on=date(2027, 2, 22))

    # then
    ordered.refresh_from_db()
    added.refresh_from_db()
    assert (ordered.allocated, ordered.earned_before, added.allocated) == (
        D(1260), D(660), D(300))

    # February: the 6 delivered before earn 660 (400 recognized before), 3 after 600 × 3/6
    deliver_after(ordered, added, finance, time_machine, date(2027, 2, 25))
    run(FEB, accountant, captured)
    assert (recognized(ordered), recognized(added)) == (D(960), D(300))
    assert posted_revenue(date(2027, 2, 28)) == D(1260)
    at(date(2027, 3, 10), time_machine)
    deliver(ordered, 3, finance, date(2027, 3, 10))
    run(MAR, accountant, captured)
    assert recognized(ordered) == D(1260)
    assert posted_revenue(date(2027, 3, 31)) == D(1560)  # 1,200 + 240 + 120


@given(st.integers(2, 500), st.data())
def test_the_units_delivered_before_keep_their_part_and_the_rest_ends_at_the_allocation(
        ordered, data):
    # revrec.delivery.earned: never less than what the units delivered before earned, growing
    # with the units delivered after, the whole allocation once every unit is delivered
    before = data.draw(st.integers(1, ordered - 1))  # units were left to deliver
    earned_before = D(data.draw(st.integers(0, 10**8))) / 100
    allocated = earned_before + D(data.draw(st.integers(0, 10**8))) / 100
    steps = sorted(data.draw(st.lists(st.integers(before, ordered), max_size=6)))
    made = [earned(allocated, "USD", ordered=D(ordered), delivered=D(n), units_before=D(before),
                   earned_before=earned_before) for n in [before, *steps, ordered]]
    assert made[0] == earned_before
    assert made == sorted(made)
    assert made[-1] == allocated
