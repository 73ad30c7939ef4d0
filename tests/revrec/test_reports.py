"""The accountant's reports on the worked example, tied to the ledger."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from core.dates import add_months
from ledger import chart
from ledger.selectors import trial_balance
from revrec import reports
from revrec.models import RecognitionItem
from revrec.services import start_recognition_run
from tests.conftest import PASSWORD
from tests.revrec.factories import active_contract, invoice_lines, revenue_contract_of

pytestmark = pytest.mark.django_db

DEC, JAN, FEB = date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)


def run(month, accountant, captured):
    with captured(execute=True):
        start_recognition_run(month=month, by=accountant, on=add_months(month, 1))


@pytest.fixture
def recognized(sales_rep, finance, accountant, django_capture_on_commit_callbacks):
    """Seats billed monthly in advance, the onboarding billed in January; three runs."""
    contract = active_contract(sales_rep, by=finance)
    rc = revenue_contract_of(contract)
    seats = contract.lines.get(product__sku="SEAT-USER")
    onboarding = contract.lines.get(product__sku="ONBOARDING")
    invoice_lines(contract.account, [(seats, D("127.50"))], issue_on=DEC)
    run(DEC, accountant, django_capture_on_commit_callbacks)
    invoice_lines(contract.account, [(seats, D("127.50")), (onboarding, D("5000.00"))],
                  issue_on=JAN)
    run(JAN, accountant, django_capture_on_commit_callbacks)
    invoice_lines(contract.account, [(seats, D("127.50"))], issue_on=FEB)
    run(FEB, accountant, django_capture_on_commit_callbacks)
    return rc


def net_contract_balance(as_of):
    rows = {row.code: row.balance for row in trial_balance(as_of).rows}
    return -(rows.get(chart.DEFERRED_REVENUE, D(0)) + rows.get(chart.UNBILLED_RECEIVABLE, D(0)))


def test_the_rollforward_ties_to_the_ledger_every_month(recognized):
    table = reports.deferred_revenue_rollforward(first=DEC, last=FEB)

    assert [row[0] for row in table.rows] == ["2026-12", "2027-01", "2027-02"]
    for (_month, opening, billed, recognized_amount, fx, refunds, interest, closing, ledger,
         difference), end in zip(table.rows, [date(2026, 12, 31), date(2027, 1, 31),
                                              date(2027, 2, 28)], strict=True):
        assert opening + billed - recognized_amount - fx - refunds + interest == closing
        assert closing == net_contract_balance(end) == ledger
        assert difference == 0
    # December: 127.50 billed, 5,129.95 recognized: a contract asset of 5,002.45
    assert table.rows[0][1:8] == [D(0), D("127.50"), D("5129.95"), D(0), D(0), D(0),
                                  D("-5002.45")]


def test_the_rollforward_opening_carries_earlier_months(recognized):
    table = reports.deferred_revenue_rollforward(first=FEB, last=FEB)

    assert table.rows[0][1] == net_contract_balance(date(2027, 1, 31))
    assert table.rows[0][9] == 0


def test_recognized_revenue_by_family_ties_to_the_revenue_account(recognized):
    table = reports.recognized_revenue(first=DEC, last=FEB)

    total = sum(row[5] for row in table.rows)
    revenue = next(r.balance for r in trial_balance().rows if r.code == chart.REVENUE)
    assert total == -revenue
    assert {row[2] for row in table.rows} == {"Seats", "Services"}
    only_seats = reports.recognized_revenue(first=DEC, last=FEB,
                                            filters=reports.Filters(family="Seats"))
    assert {row[2] for row in only_seats.rows} == {"Seats"}


def test_the_waterfall_and_the_rpo_hold_what_is_left(recognized):
    rc = recognized
    done = sum(RecognitionItem.objects.filter(revenue_contract=rc).values_list(
        "recognized", flat=True))

    waterfall = reports.revenue_waterfall(start=date(2027, 3, 1), months=12)
    rpo = reports.remaining_obligations(as_of=date(2027, 3, 1))

    assert sum(row[-1] for row in waterfall.rows) == rc.transaction_price - done
    assert waterfall.headers[2] == "2027-03" and len(waterfall.headers) == 2 + 12 + 3
    (row,) = rpo.rows
    assert row[0] == rc.number and row[7] == rc.transaction_price - done
    assert row[5] + row[6] == row[7]


def test_the_journal_export_lists_revrec_entries_for_an_erp(recognized, client, accountant):
    assert client.login(username=accountant.username, password=PASSWORD)

    response = client.get(reverse("revrec:report", args=["journal"]),
                          {"last": "2026-12", "export": "csv"})

    body = response.content.decode()
    assert body.splitlines()[0].startswith("Entry,Posted on,Document date,Memo,Account")
    assert f",{chart.REVENUE}," in body and f",{chart.UNBILLED_RECEIVABLE}," in body


def test_an_exchange_difference_is_not_revenue_and_the_rollforward_still_ties(
        sales_rep, finance, accountant, django_capture_on_commit_callbacks):
    # given: a EUR contract recognized in December before it is billed (at 1.30), then billed
    # in full in January at 1.10
    from ledger.models import ExchangeRate
    from revrec.models import RevenueContract

    contract = active_contract(sales_rep, by=finance)
    rc = revenue_contract_of(contract)
    RevenueContract.objects.filter(pk=rc.pk).update(currency="EUR")
    ExchangeRate.objects.create(currency="EUR", valid_on=date(2026, 12, 31), rate=D("1.30"))
    run(DEC, accountant, django_capture_on_commit_callbacks)
    lines = list(contract.lines.order_by("position"))
    invoice_lines(contract.account, [(lines[0], D("1530.00")), (lines[1], D("5000.00"))],
                  issue_on=JAN, currency="EUR", fx_rate=D("1.10"))

    # when
    run(JAN, accountant, django_capture_on_commit_callbacks)

    # then: December's revenue stays; the change of its value is an exchange loss
    january = RecognitionItem.objects.get(revenue_contract=rc, month=JAN)
    assert january.fx_difference < 0
    fx_account = next(r.balance for r in trial_balance().rows if r.code == chart.REALIZED_FX)
    assert fx_account == -january.fx_difference
    table = reports.deferred_revenue_rollforward(first=DEC, last=JAN)
    assert [row[9] for row in table.rows] == [0, 0]
    assert table.rows[1][4] == january.fx_difference
