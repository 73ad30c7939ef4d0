"""Rights of return (IFRS 15.B20-B27) through the database path: revenue contract → return
estimate → schedules → run → journal → roll-forward and close checklist.

Worked example: IFRS 15 IE Example 22 (IE110-IE115): 100 products sold at CU100 (cost CU60),
returnable for a full refund; 97 expected to be kept (expected value, 15.53(a)): revenue 9,700,
a refund liability of 300 and an asset of 180 for the products to be recovered (B21), the
estimate updated at each period end (B24). Here, 30 edge gateways at 249.00 (7,470.00, billed
and delivered in December; cost 150.00 each): 1.1 expected back in December (refund 273.90,
revenue 7,196.10, asset 165.00), re-estimated at 1 at the end of January (refund 249.00,
revenue 7,221.00, asset 150.00: the difference moves revenue, liability and asset in January).
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import InvoiceLine
from billing.services.credit_notes import issue_credit_note
from ledger import chart
from ledger import services as ledger_services
from ledger.selectors import trial_balance
from orders.services.fulfilment import fulfil_lines
from revrec.checklist import close_checklist
from revrec.models import PerformanceObligation, RecognitionItem, RecognitionRun
from revrec.reports import deferred_revenue_rollforward, disclosures_tie_out
from revrec.services.returns import credit_return, estimate_returns, record_return
from tests.conftest import PASSWORD
from tests.revrec.factories import invoice_lines
from tests.revrec.test_partial_delivery import DEC, JAN, at, gateways_ordered, run_month

pytestmark = pytest.mark.django_db


def balances(as_of):
    return {row.code: row.balance for row in trial_balance(as_of).rows}


@pytest.fixture
def delivered(sales_rep, finance, time_machine, django_capture_on_commit_callbacks):
    """30 gateways ordered, billed and delivered on 10 December."""
    rc, order, line = gateways_ordered(sales_rep, finance, django_capture_on_commit_callbacks,
                                       time_machine)
    gateways = PerformanceObligation.objects.get(revenue_contract=rc)
    at(date(2026, 12, 10), time_machine)
    invoice_lines(rc.account, [(gateways.contract_line, D("7470.00"))],
                  issue_on=date(2026, 12, 10))
    fulfil_lines(order=order, by=finance, quantities={line.pk: D(30)}, on=date(2026, 12, 10))
    return rc, gateways


def test_ie22_revenue_only_for_products_kept_with_a_refund_liability_and_an_asset(
        delivered, accountant, time_machine, django_capture_on_commit_callbacks):
    rc, gateways = delivered
    captured = django_capture_on_commit_callbacks
    # given: December's period-end estimate, by expected value over similar sales
    first = estimate_returns(
        obligation=gateways, method="expected_value",
        scenarios=[("0", "0.2"), ("1", "0.5"), ("2", "0.3")], units_sold=D(30),
        unit_cost=D("150.00"), reason="Returns of gateways over the last two years",
        by=accountant, on=date(2026, 12, 31))
    assert (first.units_returned, first.refund, first.asset) == (
        D("1.1"), D("273.90"), D("165.00"))
    gateways.refresh_from_db()
    rc.refresh_from_db()
    assert gateways.allocated == D("7196.10") and rc.expected_refunds == D("273.90")
    assert rc.total_price == D("7196.10")

    # when: December is recognized
    run_month(DEC, accountant, captured, time_machine)

    # then: revenue for the units kept; the rest is a refund liability, not deferred revenue
    books = balances(date(2026, 12, 31))
    assert books[chart.REVENUE] == D("-7196.10")
    assert books[chart.REFUND_LIABILITY] == D("-273.90")
    assert books[chart.RETURN_ASSET] == D("165.00")
    assert books[chart.COST_OF_SALES] == D("-165.00")
    assert books.get(chart.DEFERRED_REVENUE, D(0)) == 0
    (row,) = deferred_revenue_rollforward(first=DEC, last=DEC).rows
    assert row[1:] == [D(0), D("7470.00"), D("7196.10"), D(0), D("273.90"), D(0), D(0), D(0),
                       D(0)]
    assert disclosures_tie_out(DEC).done
    first.refresh_from_db()
    assert first.posted_in == RecognitionRun.objects.get(month=DEC) and first.entry_id

    # when: the end-of-January estimate is 1 gateway back (most likely)
    second = estimate_returns(
        obligation=gateways, method="most_likely", scenarios=[("1", "0.7"), ("2", "0.3")],
        units_sold=D(30), unit_cost=D("150.00"), reason="One return requested, none other",
        by=accountant, on=date(2027, 1, 31))
    run_month(JAN, accountant, captured, time_machine)

    # then: the difference moves revenue, liability and asset in January (B24)
    assert (second.version, second.gross, second.refund) == (2, D("7470.00"), D("249.00"))
    assert RecognitionItem.objects.get(revenue_contract=rc, month=JAN).recognized == D("24.90")
    books = balances(date(2027, 1, 31))
    assert books[chart.REVENUE] == D("-7221.00")
    assert books[chart.REFUND_LIABILITY] == D("-249.00")
    assert books[chart.RETURN_ASSET] == D("150.00")
    assert books.get(chart.DEFERRED_REVENUE, D(0)) == 0
    second.refresh_from_db()
    assert (second.refund_functional, second.asset_functional) == (D("-24.90"), D("-15.00"))
    checks = {check.key: check for check in close_checklist(JAN)}
    assert checks["disclosures"].done, checks["disclosures"].detail


def test_return_estimates_are_refused_to_finance_and_sales_and_checked(
        delivered, accountant, finance, sales_rep):
    _, gateways = delivered
    kwargs = {"obligation": gateways, "method": "expected_value", "unit_cost": D("150.00"),
              "reason": "History", "on": date(2026, 12, 31)}
    for user in (finance, sales_rep):
        with pytest.raises(PermissionDenied):
            estimate_returns(scenarios=[("1", "1")], units_sold=D(30), by=user, **kwargs)
    with pytest.raises(ValidationError, match="between 0 and the 30 units sold"):
        estimate_returns(scenarios=[("31", "1")], units_sold=D(30), by=accountant, **kwargs)
    with pytest.raises(ValidationError, match="add up to 0.5, not 1"):
        estimate_returns(scenarios=[("1", "0.5")], units_sold=D(30), by=accountant, **kwargs)
    assert not gateways.return_estimates.exists()
    gateways.refresh_from_db()
    assert gateways.allocated == D("7470.00")


def test_the_page_shows_the_estimates_and_only_accountants_record_them(
        client, delivered, accountant, finance, sales_rep):
    rc, gateways = delivered
    url = reverse("revrec:contract_returns", args=[rc.pk])
    page_url = reverse("revrec:contract", args=[rc.pk])
    post = {"obligation": str(gateways.pk), "method": "expected_value",
            "scenarios": "0 0.2\n1 0.5\n2 0.3", "units_sold": "30", "unit_cost": "150.00",
            "reason": "Returns of gateways over the last two years"}
    for user in (finance, sales_rep):
        client.login(username=user.username, password=PASSWORD)
        assert client.post(url, post).status_code == 403
    assert not gateways.return_estimates.exists()

    client.login(username=accountant.username, password=PASSWORD)
    wrong = client.post(url, {**post, "scenarios": "31 1"}).content.decode()
    assert "Expect between 0 and the 30 units sold back." in wrong
    client.get(page_url)  # warm the session
    with CaptureQueriesContext(connection) as none:
        client.get(page_url)
    assert client.post(url, post).status_code == 302
    client.get(page_url)  # shows (and drops) the success message
    with CaptureQueriesContext(connection) as one:
        page = client.get(page_url).content.decode()
    assert "1.1 of 30" in page and "$273.90" in page and "$7,196.10" in page
    assert "− expected refunds $273.90" in page and "At the next run" in page
    assert len(one) == len(none)  # the estimates are read whether there are any or not


def test_the_refund_liability_is_posted_in_the_month_the_goods_are_delivered(
        sales_rep, finance, accountant, time_machine, django_capture_on_commit_callbacks):
    """IFRS 15.B21: revenue, the refund liability and the asset arise when control of the
    products transfers; an estimate recorded before the delivery waits for it (IE Example 22's
    figures as above: 1.1 of 30 gateways expected back, refund 273.90, asset 165.00)."""
    captured = django_capture_on_commit_callbacks
    # given: ordered and billed in December, estimated at December's end, delivered in January
    rc, order, line = gateways_ordered(sales_rep, finance, captured, time_machine)
    gateways = PerformanceObligation.objects.get(revenue_contract=rc)
    at(date(2026, 12, 10), time_machine)
    invoice_lines(rc.account, [(gateways.contract_line, D("7470.00"))],
                  issue_on=date(2026, 12, 10))
    estimate = estimate_returns(
        obligation=gateways, method="expected_value",
        scenarios=[("0", "0.2"), ("1", "0.5"), ("2", "0.3")], units_sold=D(30),
        unit_cost=D("150.00"), reason="Returns of gateways over the last two years",
        by=accountant, on=date(2026, 12, 31))

    # when: December is recognized, nothing delivered yet
    run_month(DEC, accountant, captured, time_machine)

    # then: the whole invoice is still deferred revenue; no refund liability, no asset
    books = balances(date(2026, 12, 31))
    assert books.get(chart.REFUND_LIABILITY, D(0)) == 0
    assert books.get(chart.RETURN_ASSET, D(0)) == 0
    assert books[chart.DEFERRED_REVENUE] == D("-7470.00")
    estimate.refresh_from_db()
    assert estimate.posted_in is None

    # when: the gateways are delivered on 12 January and January is recognized
    at(date(2027, 1, 12), time_machine)
    fulfil_lines(order=order, by=finance, quantities={line.pk: D(30)}, on=date(2027, 1, 12))
    run_month(JAN, accountant, captured, time_machine)

    # then: revenue, liability and asset in the delivery month
    books = balances(date(2027, 1, 31))
    assert books[chart.REVENUE] == D("-7196.10")
    assert books[chart.REFUND_LIABILITY] == D("-273.90")
    assert books[chart.RETURN_ASSET] == D("165.00")
    assert books.get(chart.DEFERRED_REVENUE, D(0)) == 0
    estimate.refresh_from_db()
    assert estimate.posted_in == RecognitionRun.objects.get(month=JAN)
    assert disclosures_tie_out(JAN).done


def test_ie22_goods_returned_settle_the_refund_liability_and_become_inventory(
        delivered, accountant, finance, sales_rep, time_machine,
        django_capture_on_commit_callbacks):
    """IFRS 15.B25 and IE Example 22 (IE115): when the products come back the refund liability
    is paid out and the asset for them becomes inventory. Here one of the 1.1 gateways expected
    back (refund 273.90, asset 165.00) is returned on 20 January: its price, 249.00, leaves the
    refund liability for deferred revenue, which finance's credit note for it clears against the
    receivable, and its cost, 150.00, leaves the return asset for inventory."""
    rc, gateways = delivered
    captured = django_capture_on_commit_callbacks
    estimate_returns(
        obligation=gateways, method="expected_value",
        scenarios=[("0", "0.2"), ("1", "0.5"), ("2", "0.3")], units_sold=D(30),
        unit_cost=D("150.00"), reason="Returns of gateways over the last two years",
        by=accountant, on=date(2026, 12, 31))
    with pytest.raises(ValidationError, match="recognize the month of their delivery first"):
        record_return(obligation=gateways, quantity=D(1), by=finance, on=date(2026, 12, 31))
    run_month(DEC, accountant, captured, time_machine)
    with pytest.raises(PermissionDenied):
        record_return(obligation=gateways, quantity=D(1), by=sales_rep, on=date(2027, 1, 20))
    period = ledger_services.ensure_period(DEC)
    ledger_services.close_period(ledger_services.start_close(period, by=accountant),
                                 by=accountant)
    with pytest.raises(ValidationError, match="The books are closed for December 2026"):
        record_return(obligation=gateways, quantity=D(1), by=finance, on=date(2026, 12, 31))

    # when: one gateway comes back on 20 January and finance credits it
    back = record_return(obligation=gateways, quantity=D(1), by=finance, on=date(2027, 1, 20))
    books = balances(date(2027, 1, 20))
    assert (back.refund, back.cost, back.refund_functional, back.cost_functional) == (
        D("249.00"), D("150.00"), D("249.00"), D("150.00"))
    assert books[chart.REFUND_LIABILITY] == D("-24.90")
    assert books[chart.RETURN_ASSET] == D("15.00")
    assert books[chart.INVENTORY] == D("150.00")
    assert books[chart.DEFERRED_REVENUE] == D("-249.00")  # owed back until credited
    assert sum(line.debit - line.credit for line in back.entry.lines.all()) == 0
    invoice_line = InvoiceLine.objects.get(contract_line=gateways.contract_line)
    note = issue_credit_note(invoice=invoice_line.invoice, by=finance, reason="order_change",
                             reason_note="One gateway returned",
                             line_amounts={invoice_line.pk: back.refund}, on=date(2027, 1, 20))
    assert credit_return(goods_return=back, credit_note=note, by=finance).credit_note == note
    with pytest.raises(ValidationError, match="credited already"):
        credit_return(goods_return=back, credit_note=note, by=finance)

    # then: the contract balance is clear again; more than expected back needs a re-estimate
    assert balances(date(2027, 1, 20)).get(chart.DEFERRED_REVENUE, D(0)) == 0
    with pytest.raises(ValidationError, match=r"Only 0.1 of the units expected back remain"):
        record_return(obligation=gateways, quantity=D(1), by=finance, on=date(2027, 1, 25))
    with pytest.raises(ValidationError, match="1 units came back already"):
        estimate_returns(obligation=gateways, method="most_likely", scenarios=[("0", "1")],
                         units_sold=D(30), unit_cost=D("150.00"), reason="None more",
                         by=accountant, on=date(2027, 1, 31))
    run_month(JAN, accountant, captured, time_machine)
    (row,) = deferred_revenue_rollforward(first=JAN, last=JAN).rows
    assert row[1:] == [D(0), D("-249.00"), D(0), D(0), D("-249.00"), D(0), D(0), D(0), D(0)]
    assert disclosures_tie_out(JAN).done, disclosures_tie_out(JAN).detail
    assert balances(date(2027, 1, 31))[chart.REVENUE] == D("-7196.10")  # as estimated


def test_settled_returns_add_up_to_the_liability_and_the_asset(
        delivered, accountant, finance, time_machine, django_capture_on_commit_callbacks):
    # IE Example 22's 3 of 100 expected back, here 3 of 30 gateways, returned one by one
    rc, gateways = delivered
    estimate_returns(obligation=gateways, method="most_likely", scenarios=[("3", "1")],
                     units_sold=D(30), unit_cost=D("150.00"), reason="Three return requests",
                     by=accountant, on=date(2026, 12, 31))
    run_month(DEC, accountant, django_capture_on_commit_callbacks, time_machine)
    parts = [record_return(obligation=gateways, quantity=units, by=finance, on=day)
             for units, day in ((D("0.5"), date(2027, 1, 5)), (D("1.5"), date(2027, 1, 9)),
                                (D(1), date(2027, 2, 2)))]
    assert sum(p.refund for p in parts) == D("747.00") and sum(p.cost for p in parts) == \
        D("450.00")
    books = balances(date(2027, 2, 2))
    assert (books.get(chart.REFUND_LIABILITY, D(0)), books.get(chart.RETURN_ASSET, D(0)),
            books[chart.INVENTORY]) == (0, 0, D("450.00"))
