import datetime as dt
from decimal import Decimal

import pytest

from ledger import chart, services
from ledger.drafts import EntryDraft, LineDraft
from ledger.selectors import (
    JournalFilters,
    journal_entries,
    receivable_balance,
    receivable_balances,
    trial_balance,
)
from tests.ledger.factories import balanced, invoice_draft

pytestmark = pytest.mark.django_db


def test_trial_balance_sums_each_account_and_balances(finance, django_assert_num_queries):
    services.post_entries([
        balanced("100.10", on=dt.date(2026, 3, 1), debit=chart.ACCOUNTS_RECEIVABLE),
        balanced("0.20", on=dt.date(2026, 3, 2), debit=chart.ACCOUNTS_RECEIVABLE),
        balanced("50.00", on=dt.date(2026, 4, 1), debit=chart.CASH,
                 credit=chart.ACCOUNTS_RECEIVABLE),
    ], by=finance)

    with django_assert_num_queries(1):
        balance = trial_balance()

    rows = {row.code: (row.debit, row.credit, row.balance) for row in balance.rows}
    assert rows == {
        chart.CASH: (Decimal("50.00"), Decimal("0.00"), Decimal("50.00")),
        chart.ACCOUNTS_RECEIVABLE: (Decimal("100.30"), Decimal("50.00"), Decimal("50.30")),
        chart.REVENUE: (Decimal("0.00"), Decimal("100.30"), Decimal("-100.30")),
    }
    assert balance.total_debit == balance.total_credit == Decimal("150.30")
    assert balance.is_balanced and balance.total_balance == 0


def test_trial_balance_as_of_uses_the_posting_date(finance):
    services.post_entries([balanced("10", on=dt.date(2026, 3, 31)),
                           balanced("5", on=dt.date(2026, 4, 1))], by=finance)
    assert trial_balance(dt.date(2026, 3, 31)).total_debit == Decimal("10.00")
    assert trial_balance(dt.date(2026, 2, 28)).rows == []


def test_journal_filters(finance):
    services.post_entries([
        balanced("1", on=dt.date(2026, 3, 1), memo="March cash", source_label="INV-1"),
        balanced("2", on=dt.date(2026, 4, 1), debit=chart.ACCOUNTS_RECEIVABLE, memo="April AR",
                 source_label="INV-2"),
    ], by=finance)

    def memos(**filters):
        return [e.memo for e in journal_entries(JournalFilters(**filters))]

    assert memos() == ["April AR", "March cash"]
    assert memos(date_from=dt.date(2026, 4, 1)) == ["April AR"]
    assert memos(date_to=dt.date(2026, 3, 31)) == ["March cash"]
    assert memos(gl_code=chart.ACCOUNTS_RECEIVABLE) == ["April AR"]
    assert memos(gl_code=chart.REVENUE) == ["April AR", "March cash"]  # no duplicates
    assert memos(source="inv-1") == ["March cash"]
    assert journal_entries().get(memo="April AR").total == Decimal("2")


def test_receivable_balance_in_functional_and_document_currency(finance, customer, other_customer):
    services.post_entries([
        invoice_draft(customer, document_amount="100.00", rate="1.10"),
        invoice_draft(customer, document_amount="50.00", rate="1.20"),
        invoice_draft(other_customer, document_amount="999.00", rate="1.30"),
        EntryDraft(dt.date(2026, 3, 20), "Payment", [
            LineDraft(chart.CASH, debit=Decimal("54.00")),
            LineDraft(chart.ACCOUNTS_RECEIVABLE, credit=Decimal("54.00"),
                      customer_account_id=customer.pk, document_currency="EUR",
                      document_amount=Decimal("-45.00"), rate=Decimal("1.20")),
        ]),
        EntryDraft(dt.date(2026, 3, 21), "USD invoice", [
            LineDraft(chart.ACCOUNTS_RECEIVABLE, debit=Decimal("7.00"),
                      customer_account_id=customer.pk),
            LineDraft(chart.REVENUE, credit=Decimal("7.00")),
        ]),
    ], by=finance)

    balance = receivable_balance(customer.pk)

    assert balance.functional == Decimal("123.00")  # 110 + 60 - 54 + 7
    assert balance.by_currency == {"EUR": Decimal("105.00"), "USD": Decimal("7.00")}
    assert receivable_balances()[other_customer.pk].by_currency == {"GBP": Decimal("999.00")}


def test_receivable_balance_is_two_queries_and_zero_without_lines(customer,
                                                                  django_assert_num_queries):
    # the latest period with kept closing balances, then its balances and the lines after it
    with django_assert_num_queries(2):
        balance = receivable_balance(customer.pk)
    assert balance.functional == 0 and balance.by_currency == {}
