"""Posting in bulk without a check per draft in the database: the quick check clears a draft
only when the full one would (a hypothesis property over drafts right and wrong), a refused
draft among many refuses them all through `post_entry_ids` too, and on PostgreSQL the
database itself refuses any insert of lines that leaves an entry unbalanced."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from hypothesis import given
from hypothesis import strategies as st

from core.models import NumberSequence
from ledger import chart, services
from ledger.drafts import EntryDraft, LineDraft, SourceRef, entry_errors, plainly_valid
from ledger.models import AccountMovement, GLAccount, JournalEntry, JournalLine
from tests.ledger.factories import balanced, invoice_draft

MARCH = dt.date(2026, 3, 15)
ACCOUNTS = {chart.CASH: True, chart.REVENUE: True, chart.ACCOUNTS_RECEIVABLE: True,
            chart.SUSPENSE: False}
CUSTOMERS = {7}

amounts = st.sampled_from([Decimal(x) for x in (
    "0", "-0", "0.00", "0.000", "1", "10.50", "10.500", "10.005", "-5.00", "1E+3", "1E+15",
    "999999999999999.99", "NaN", "Infinity")])
lines = st.builds(
    LineDraft, gl_code=st.sampled_from([*ACCOUNTS, "8888"]), debit=amounts, credit=amounts,
    customer_account_id=st.sampled_from([None, 7, 8]),
    document_currency=st.sampled_from(["", "USD", "EUR", "JPY", "eur", "EU", "XYZ"]),
    document_amount=st.one_of(st.none(), amounts, st.sampled_from([Decimal("-10.50"),
                                                                    Decimal("1.5")])),
    rate=st.sampled_from([None, Decimal("1.1"), Decimal("0"), Decimal("-1")]))
drafts = st.builds(
    EntryDraft, document_date=st.sampled_from([MARCH, None, dt.datetime(2026, 3, 15, 9)]),
    memo=st.sampled_from(["Sale", "", "  ", "x" * 256]), lines=st.lists(lines, max_size=4),
    source=st.sampled_from([None, SourceRef(1, 2)]))


@given(drafts)
def test_the_quick_check_clears_only_drafts_the_full_check_finds_nothing_in(draft):
    if plainly_valid(draft, currency="USD", accounts=ACCOUNTS, customer_ids=CUSTOMERS):
        assert entry_errors(draft, 1, currency="USD", accounts=ACCOUNTS,
                            customer_ids=CUSTOMERS) == []


@given(st.integers(1, 10**9), st.sampled_from(["EUR", "USD", "JPY"]))
def test_the_quick_check_clears_the_usual_drafts(cents, currency):
    amount = Decimal(cents).scaleb(-2)
    receivable = LineDraft(chart.ACCOUNTS_RECEIVABLE, debit=amount, customer_account_id=7,
                           document_currency=currency, document_amount=Decimal(cents),
                           rate=None if currency == "USD" else Decimal("0.01"))
    draft = EntryDraft(MARCH, "Invoice", [receivable, LineDraft(chart.REVENUE, credit=amount)])
    assert plainly_valid(draft, currency="USD", accounts=ACCOUNTS, customer_ids=CUSTOMERS)


def test_a_short_credit_is_not_cleared():
    draft = EntryDraft(MARCH, "Sale", [LineDraft(chart.CASH, debit=Decimal("10.00")),
                                       LineDraft(chart.REVENUE, credit=Decimal("9.99"))])
    assert not plainly_valid(draft, currency="USD", accounts=ACCOUNTS)


@pytest.mark.django_db
def test_one_unbalanced_draft_among_many_refuses_them_all(finance, customer):
    # given a posting already made (the series and March exist), then 49 good drafts and one
    # short by a cent
    services.post_entry(balanced(), by=finance)
    good = [invoice_draft(customer, document_amount=f"{n}.00", rate="1.1", memo=f"Invoice {n}")
            for n in range(1, 50)]
    short = EntryDraft(MARCH, "Invoice 50", [LineDraft(chart.CASH, debit=Decimal("10.00")),
                                             LineDraft(chart.REVENUE, credit=Decimal("9.99"))])
    # when they post together, they are refused naming the one
    with pytest.raises(ValidationError) as refused:
        services.post_entry_ids([*good[:20], short, *good[20:]], by=finance)
    assert refused.value.messages == [
        'Entry 21 "Invoice 50" is unbalanced: debits 10.00, credits 9.99.']
    # then nothing of them is posted and their numbers are given back
    assert (JournalEntry.objects.count(), JournalLine.objects.count()) == (1, 2)
    assert NumberSequence.objects.get(key="journal-entry").last_value == 1
    assert sum(m.debit for m in AccountMovement.objects.all()) == Decimal("100.00")


@pytest.mark.django_db
def test_post_entry_ids_returns_the_ids_in_the_drafts_order(finance, customer):
    ids = services.post_entry_ids([balanced(memo=f"Sale {n}") for n in range(5)], by=finance)
    assert [JournalEntry.objects.get(pk=pk).memo for pk in ids] == [f"Sale {n}" for n in range(5)]
    assert all(JournalLine.objects.filter(entry_id=pk).count() == 2 for pk in ids)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the per-statement balance check is PostgreSQL's (a trigger); "
                           "SQLite keeps only the check post_entries makes in Python")
@pytest.mark.django_db
def test_the_database_refuses_lines_that_leave_an_entry_unbalanced(finance):
    # given a posted entry, and its accounts
    entry = services.post_entry(balanced(), by=finance)
    cash, revenue = (GLAccount.objects.get(code=code).pk for code in (chart.CASH,
                                                                        chart.REVENUE))
    insert = ("INSERT INTO ledger_journalline (entry_id, gl_account_id, debit, credit, "
              "document_currency, description) VALUES (%s, %s, %s, %s, '', '')")
    # when lines are written around the service, one side short, the database refuses them
    with pytest.raises(IntegrityError, match=f"journal entry {entry.pk} is unbalanced"), \
            transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(insert, [entry.pk, cash, Decimal("5"), 0])
    # and a balanced pair in one statement is let through (the check is per statement)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(insert.replace("VALUES (%s, %s, %s, %s, '', '')",
                                      "VALUES (%s, %s, %s, %s, '', ''), "
                                      "(%s, %s, %s, %s, '', '')"),
                       [entry.pk, cash, Decimal("5"), 0, entry.pk, revenue, 0, Decimal("5")])
    assert JournalLine.objects.filter(entry=entry).count() == 4
