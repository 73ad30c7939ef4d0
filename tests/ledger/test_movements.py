"""Account movements: what each posting moved per day, GL account and kind of source, written
with the lines. Balances and reports sum them instead of every line, so they must always equal
the lines (double entry: every posting's movements balance too)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import Sum

from ledger import chart, services
from ledger.models import AccountMovement, ImmutableEntryError, JournalEntry, JournalLine
from ledger.selectors import credit_balance, monthly_movements, trial_balance
from tests.ledger.factories import balanced, close_month, invoice_draft

pytestmark = pytest.mark.django_db
MARCH, APRIL = dt.date(2026, 3, 15), dt.date(2026, 4, 2)


def line_sums():
    """Debits and credits per (posting day, account code, source kind) read from the lines."""
    return {(row["entry__posted_on"], row["gl_account__code"], row["entry__source_type"]):
            (row["debit"], row["credit"])
            for row in JournalLine.objects.values("entry__posted_on", "gl_account__code",
                                                  "entry__source_type")
            .annotate(debit=Sum("debit"), credit=Sum("credit")).order_by()}


def movement_sums():
    return {(row["posted_on"], row["gl_account__code"], row["source_type"]):
            (row["debit"], row["credit"])
            for row in AccountMovement.objects.values("posted_on", "gl_account__code",
                                                      "source_type")
            .annotate(debit=Sum("debit"), credit=Sum("credit")).order_by()}


def test_movements_equal_the_lines_after_postings_a_reversal_and_a_late_posting(
        poster, accountant, customer):
    # given: two postings of several entries, one with a source document
    source = ContentType.objects.get_for_model(type(customer))
    first = services.post_entries([balanced("120.50", on=MARCH),
                                   balanced("9.99", on=MARCH, source=customer),
                                   invoice_draft(customer, document_amount=Decimal("80.00"),
                                                 rate=Decimal("1.1"))], by=poster)
    services.post_entry_ids([balanced("5.00", on=MARCH, debit=chart.ACCOUNTS_RECEIVABLE)],
                            by=poster)
    # when: one is reversed in April and a March document posts after March closed
    services.reverse_entry(first[0], by=poster, memo="Typo", on=APRIL)
    close_month(MARCH, by=accountant)
    late = services.post_entry(balanced("7.00", on=MARCH), by=poster)

    # then
    assert late.posted_on == dt.date(2026, 4, 1)
    assert movement_sums() == line_sums()
    assert AccountMovement.objects.aggregate(d=Sum("debit"))["d"] == \
        AccountMovement.objects.aggregate(c=Sum("credit"))["c"]
    assert {key[2] for key in movement_sums()} == {None, source.pk}


def test_balances_read_from_movements(poster):
    services.post_entries([balanced("100.00", on=MARCH), balanced("30.00", on=APRIL)],
                          by=poster)

    revenue = [chart.REVENUE]
    assert monthly_movements(revenue, through=dt.date(2026, 4, 30)) == {
        dt.date(2026, 3, 1): Decimal("100.00"), dt.date(2026, 4, 1): Decimal("30.00")}
    assert credit_balance(revenue, through=dt.date(2026, 3, 31)) == Decimal("100.00")
    assert credit_balance(revenue, since=dt.date(2026, 4, 1)) == Decimal("30.00")
    rows = {row.code: row.balance for row in trial_balance(dt.date(2026, 3, 31)).rows}
    assert rows == {chart.CASH: Decimal("100.00"), chart.REVENUE: Decimal("-100.00")}


def test_post_entry_ids_answers_the_ids_in_the_drafts_order(poster):
    ids = services.post_entry_ids([balanced("1.00"), balanced("2.00")], by=poster)

    totals = dict(JournalEntry.objects.filter(pk__in=ids).annotate(
        total=Sum("lines__debit")).values_list("pk", "total"))
    assert [totals[pk] for pk in ids] == [Decimal("1.00"), Decimal("2.00")]


def test_movements_never_change(poster):
    services.post_entry(balanced(), by=poster)

    with pytest.raises(ImmutableEntryError):
        AccountMovement.objects.update(debit=0)
    with pytest.raises(ImmutableEntryError):
        AccountMovement.objects.first().delete()
