"""Remaining performance obligations tied to the contract balances and the ledger (IFRS 15.120,
ASC 606-10-50-13; contract balances IFRS 15.116-118): what remains equals what was billed and
not recognized (contract liabilities less contract assets) plus the price not yet billed, and
the contract balances equal the ledger's deferred revenue less unbilled receivable.

Worked example (shaped as IFRS 15 IE Example 42's disclosure, on the contract of
tests.revrec.test_services): price 6,530.00 (seats 1,530.00 over twelve months from
1 December 2026, onboarding 5,000.00 delivered on the first day). December's seats billed,
127.50; December recognized: 129.95 of seats and the onboarding, 5,129.95.

    remaining  6,530.00 - 5,129.95                  = 1,400.05
    billed not recognized  127.50 - 5,129.95        = -5,002.45  (a contract asset)
    price not yet billed  6,530.00 - 127.50         = 6,402.50
    -5,002.45 + 6,402.50                            = 1,400.05
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from ledger import chart
from ledger.services import EntryDraft, LineDraft, post_entry
from revrec.models import RevenueContract
from revrec.reports import rpo_reconciliation
from tests.conftest import PASSWORD
from tests.revrec.factories import system
from tests.revrec.test_close_unbilled import DEC, recognized_ahead  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_the_rpo_is_what_was_billed_not_recognized_plus_the_price_not_billed(
        recognized_ahead):  # noqa: F811
    table = rpo_reconciliation(as_of=DEC)

    assert table.note.startswith("At 2026-12-31, the end of the last month recognized")
    assert table.rows == [["USD", D("1400.05"), D("-5002.45"), D("6402.50"), D("0.00")]]
    assert ("In USD, the contract balances are -5002.45 by the documents and -5002.45 in the "
            "ledger (deferred revenue less unbilled receivable).") in table.note
    assert "differ" not in table.note


def test_a_contract_whose_price_the_schedules_do_not_hold_is_named(
        recognized_ahead):  # noqa: F811
    rc = recognized_ahead
    RevenueContract.objects.filter(pk=rc.pk).update(transaction_price=D("6540.00"))

    table = rpo_reconciliation(as_of=DEC)

    assert table.rows == [["USD", D("1400.05"), D("-5002.45"), D("6412.50"), D("-10.00")]]
    assert f"Revenue contracts that differ: {rc.number} USD -10.00." in table.note


def test_deferred_revenue_moved_by_hand_shows_as_a_ledger_difference(
        recognized_ahead):  # noqa: F811
    post_entry(EntryDraft(document_date=date(2026, 12, 31), memo="Release by hand", lines=[
        LineDraft(chart.DEFERRED_REVENUE, debit="25.00"), LineDraft(chart.REVENUE,
                                                                      credit="25.00")]),
        by=system())

    table = rpo_reconciliation(as_of=DEC)

    assert ("the contract balances are -5002.45 by the documents and -5027.45 in the ledger "
            "(deferred revenue less unbilled receivable): a difference of -25.00.") in table.note


def test_the_rpo_page_shows_the_reconciliation(
        recognized_ahead, client, accountant):  # noqa: F811
    assert client.login(username=accountant.username, password=PASSWORD)

    page = client.get(reverse("revrec:report", args=["rpo"])).content.decode()

    assert "Remaining performance obligations against the contract balances" in page
    assert "Price not yet billed" in page and "6402.50" in page
