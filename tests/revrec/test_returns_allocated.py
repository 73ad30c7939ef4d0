"""Returns of goods sold in a bundle at a discount (IFRS 15.55, B21(b), B25 with 15.81 and
15.85): the refund liability is the consideration the customer is expected to get back, the
price it paid for the units, not their allocated share of the discounted bundle; the refund is
variable consideration of the goods alone (15.85), so their allocation gives it up whole, and
once the goods come back and are credited nothing is left in deferred revenue.

Worked example: IFRS 15 IE Example 22 (IE110-IE115: refund liability for the products
expected back at the price paid, an asset at their cost) with the discount of IE Example 34
(IE164-IE166: a discount on the whole contract allocated proportionally by relative SSP). Here
30 edge gateways at 10% off their SSP of 249.00 (224.10 each, 6,723.00) and 5 seats for a year at
15% off (1,530.00 for an SSP of 1,800.00): 8,253.00 for 9,270.00 of SSP, so the gateways are
allocated 8,253 × 7,470 / 9,270 = 6,650.48 (221.68 a unit). One gateway is expected back: the
refund liability is 224.10 (what the customer paid for it), revenue 6,650.48 − 224.10 =
6,426.38, the asset its cost, 150.00. When it comes back, 224.10 leaves the refund liability
for deferred revenue and the credit note for 224.10 takes it out again: deferred revenue is
where it was (measured at 221.68, 2.42 stayed there).
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from billing.models import InvoiceLine
from billing.services.credit_notes import issue_credit_note
from catalog.demo import seed_catalog
from catalog.models import Product
from ledger import chart
from ledger.selectors import trial_balance
from orders.models import Order
from orders.services.fulfilment import fulfil_lines
from quotes.services import LineItem
from revrec.models import PerformanceObligation
from revrec.reports import disclosures_tie_out
from revrec.services.returns import credit_return, estimate_returns, record_return
from tests.revrec.factories import invoice_lines, ordered_contract_of, revenue_contract_of
from tests.revrec.test_partial_delivery import DEC, JAN, at, run_month

pytestmark = pytest.mark.django_db


def balances(as_of):
    return {row.code: row.balance for row in trial_balance(as_of).rows}


@pytest.fixture
def bundle(sales_rep, finance, time_machine, django_capture_on_commit_callbacks):
    """30 gateways at 10% off and 5 seats at 15% off; the gateways billed and delivered on
    10 December."""
    at(date(2026, 12, 1), time_machine)
    seed_catalog()
    with django_capture_on_commit_callbacks(execute=True):
        contract = ordered_contract_of(sales_rep, by=finance, items=[
            LineItem(product=Product.objects.get(sku="DEVICE-GW"), quantity=D(30),
                     discount_percent=D(10)),
            LineItem(product=Product.objects.get(sku="SEAT-USER"), quantity=D(5),
                     discount_percent=D(15), billing_period="monthly")])
    rc = revenue_contract_of(contract)
    gateways = PerformanceObligation.objects.get(revenue_contract=rc,
                                                 product__sku="DEVICE-GW")
    order = Order.objects.get(contract=contract)
    at(date(2026, 12, 10), time_machine)
    invoice_lines(rc.account, [(gateways.contract_line, D("6723.00"))],
                  issue_on=date(2026, 12, 10))
    fulfil_lines(order=order, by=finance, quantities={
        line.pk: D(30) for line in order.lines.filter(product__sku="DEVICE-GW")},
        on=date(2026, 12, 10))
    return rc, gateways


def test_a_returned_bundle_good_is_refunded_at_its_price_and_leaves_nothing_deferred(
        bundle, accountant, finance, time_machine, django_capture_on_commit_callbacks):
    rc, gateways = bundle
    captured = django_capture_on_commit_callbacks
    assert gateways.allocated == D("6650.48")  # IE Example 34: the discount shared by SSP

    # given: one gateway expected back, estimated at December's end
    estimate = estimate_returns(obligation=gateways, method="most_likely",
                                scenarios=[("1", "0.8"), ("2", "0.2")], units_sold=D(30),
                                unit_cost=D("150.00"), reason="One return requested",
                                by=accountant, on=date(2026, 12, 31))

    # then: the refund liability is the price paid for it (15.55), the revenue the rest
    assert (estimate.gross, estimate.refund, estimate.revenue, estimate.asset) == (
        D("6650.48"), D("224.10"), D("6426.38"), D("150.00"))
    gateways.refresh_from_db()
    assert gateways.allocated == D("6426.38")

    run_month(DEC, accountant, captured, time_machine)
    before = balances(date(2026, 12, 31))
    assert before[chart.REFUND_LIABILITY] == D("-224.10")
    assert before[chart.RETURN_ASSET] == D("150.00")

    # when: it comes back on 20 January and finance credits the 224.10 the customer paid
    at(date(2027, 1, 20), time_machine)
    back = record_return(obligation=gateways, quantity=D(1), by=finance, on=date(2027, 1, 20))
    line = InvoiceLine.objects.get(contract_line=gateways.contract_line)
    note = issue_credit_note(invoice=line.invoice, by=finance, reason="order_change",
                             reason_note="One gateway returned",
                             line_amounts={line.pk: D("224.10")}, on=date(2027, 1, 20))
    credit_return(goods_return=back, credit_note=note, by=finance)

    # then: settled at the price paid; deferred revenue is where it was before the return
    assert (back.refund, back.cost, back.refund_functional) == (D("224.10"), D("150.00"),
                                                                D("224.10"))
    after = balances(date(2027, 1, 20))
    assert after.get(chart.REFUND_LIABILITY, D(0)) == 0
    assert after.get(chart.RETURN_ASSET, D(0)) == 0
    assert after[chart.INVENTORY] == D("150.00")
    assert after.get(chart.DEFERRED_REVENUE, D(0)) == before.get(chart.DEFERRED_REVENUE, D(0))
    assert sum(x.debit - x.credit for x in back.entry.lines.all()) == 0
    run_month(JAN, accountant, captured, time_machine)
    assert disclosures_tie_out(JAN).done, disclosures_tie_out(JAN).detail


def test_a_refund_above_the_goods_allocation_is_refused(bundle, accountant):
    _, gateways = bundle
    with pytest.raises(ValidationError, match="more than the goods' price"):
        estimate_returns(obligation=gateways, method="most_likely", scenarios=[("30", "1")],
                         units_sold=D(30), unit_cost=D("150.00"), reason="All of them",
                         by=accountant, on=date(2026, 12, 31))
