import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import NumberSequence
from ledger import chart, services
from ledger.drafts import EntryDraft, LineDraft
from ledger.models import AccountingPeriod, ImmutableEntryError, JournalEntry, JournalLine
from ledger.selectors import trial_balance
from tests.ledger.factories import balanced, close_month, invoice_draft

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 15)


def nothing_posted():
    return not JournalEntry.objects.exists() and not JournalLine.objects.exists()


def test_default_chart_is_seeded_with_every_named_code():
    from ledger.models import GLAccount

    codes = set(GLAccount.objects.values_list("code", flat=True))
    assert {account.code for account in chart.DEFAULT_CHART} <= codes
    assert chart.ACCOUNTS_RECEIVABLE == "1100" and chart.UNBILLED_RECEIVABLE == "1150"


def test_balanced_entry_posts_with_lines_period_and_number(poster):
    entry = services.post_entry(balanced("120.50", on=MARCH), by=poster)

    assert entry.number == 1 and entry.reference == "JE-0000001"
    assert entry.document_date == entry.posted_on == MARCH
    assert (entry.period.start_on, entry.period.end_on) == (dt.date(2026, 3, 1),
                                                            dt.date(2026, 3, 31))
    assert entry.posted_by == poster
    lines = list(entry.lines.order_by("pk").values_list("gl_account__code", "debit", "credit"))
    assert lines == [(chart.CASH, Decimal("120.50"), Decimal("0")),
                     (chart.REVENUE, Decimal("0"), Decimal("120.50"))]


def test_entry_numbers_are_gapless_across_calls(poster):
    first = services.post_entries([balanced(), balanced()], by=poster)
    with pytest.raises(ValidationError):
        services.post_entries([balanced(), EntryDraft(MARCH, "bad", [])], by=poster)
    later = services.post_entry(balanced(), by=poster)

    assert [e.number for e in first] + [later.number] == [1, 2, 3]


def test_unbalanced_entry_is_refused_naming_it(poster):
    draft = EntryDraft(MARCH, "Invoice 7", [
        LineDraft(chart.ACCOUNTS_RECEIVABLE, debit=Decimal("100")),
        LineDraft(chart.REVENUE, credit=Decimal("99.99")),
    ])
    with pytest.raises(ValidationError, match=r'Entry 1 "Invoice 7" is unbalanced: debits 100, '
                                              r"credits 99.99"):
        services.post_entry(draft, by=poster)
    assert nothing_posted()


def test_empty_entry_is_refused(poster):
    with pytest.raises(ValidationError, match='Entry 2 "Nothing" has no lines'):
        services.post_entries([balanced(), EntryDraft(MARCH, "Nothing", [])], by=poster)
    assert nothing_posted() and not AccountingPeriod.objects.exists()


@pytest.mark.parametrize("line, message", [
    (LineDraft(chart.CASH, debit=Decimal("-5.00")),
     r"line 1 \(1000\): the debit -5.00 is negative"),
    (LineDraft(chart.CASH, debit=Decimal("5"), credit=Decimal("5")),
     r"line 1 \(1000\) has both a debit and a credit"),
    (LineDraft(chart.CASH), r"line 1 \(1000\) has neither a debit nor a credit"),
    (LineDraft(chart.CASH, debit=Decimal("10.005")),
     r"line 1 \(1000\): the debit 10.005 is not rounded to USD"),
    (LineDraft("8888", debit=Decimal("1")), r'line 1 \(8888\): unknown GL account "8888"'),
    (LineDraft(chart.CASH, debit=Decimal("1"), customer_account_id=999_999),
     r"line 1 \(1000\): unknown customer account 999999"),
    (LineDraft(chart.CASH, debit=Decimal("1"), document_currency="EUR",
               document_amount=Decimal("1")),
     r"line 1 \(1000\): an amount in EUR needs the rate used"),
    (LineDraft(chart.CASH, debit=Decimal("1"), document_currency="EUR",
               document_amount=Decimal("-1"), rate=Decimal("1")),
     r"line 1 \(1000\): the document amount -1 has the opposite sign"),
])
def test_bad_lines_are_refused_naming_entry_and_line(poster, line, message):
    draft = EntryDraft(MARCH, "Bad", [line, LineDraft(chart.REVENUE, credit=Decimal("1"))])
    with pytest.raises(ValidationError, match=r'Entry 1 "Bad", ' + message):
        services.post_entry(draft, by=poster)
    assert nothing_posted()


def test_every_bad_entry_is_reported_at_once(poster):
    drafts = [balanced(), EntryDraft(MARCH, "Empty", []),
              EntryDraft(MARCH, "Lopsided", [LineDraft(chart.CASH, debit=Decimal("1"))])]
    with pytest.raises(ValidationError) as caught:
        services.post_entries(drafts, by=poster)
    assert caught.value.messages == ['Entry 2 "Empty" has no lines.',
                                     'Entry 3 "Lopsided" is unbalanced: debits 1, credits 0.']


def test_floats_are_refused_when_drafting():
    with pytest.raises(TypeError, match="never a float"):
        LineDraft(chart.CASH, debit=0.1)


def test_inactive_account_is_refused(poster):
    from ledger.models import GLAccount

    GLAccount.objects.filter(code=chart.SUSPENSE).update(active=False)
    with pytest.raises(ValidationError, match="GL account 9999 is inactive"):
        services.post_entry(balanced(debit=chart.SUSPENSE), by=poster)


def test_posting_needs_the_permission(sales_rep):
    with pytest.raises(PermissionDenied):
        services.post_entry(balanced(), by=sales_rep)
    assert nothing_posted()


def test_system_task_can_post(system_actor):
    entry = services.post_entry(balanced(), by=system_actor)
    assert entry.posted_by.username == "system"


def test_missing_document_date_takes_the_business_date(poster):
    entry = services.post_entry(EntryDraft(None, "Today", balanced().lines), by=poster,
                                on=dt.date(2026, 5, 9))
    assert entry.document_date == entry.posted_on == dt.date(2026, 5, 9)


def test_document_in_closed_period_posts_on_first_day_of_next_open_one(poster, accountant):
    # given March and April closed, May not yet created
    close_month(dt.date(2026, 3, 1), by=accountant)
    close_month(dt.date(2026, 4, 1), by=accountant)
    # when a document dated in March posts
    entry = services.post_entry(balanced(on=MARCH), by=poster)
    # then it lands on 1 May, keeping its date
    assert entry.document_date == MARCH
    assert entry.posted_on == dt.date(2026, 5, 1)
    assert entry.period.start_on == dt.date(2026, 5, 1) and entry.period.is_open
    assert entry.posted_late


def test_closing_period_takes_no_new_documents(poster, accountant):
    period = services.ensure_period(MARCH)
    services.start_close(period, by=accountant)
    entry = services.post_entry(balanced(on=MARCH), by=poster)
    assert entry.posted_on == dt.date(2026, 4, 1)


def test_open_period_between_closed_ones_takes_the_document(poster, accountant):
    close_month(dt.date(2026, 3, 1), by=accountant)
    services.ensure_period(dt.date(2026, 4, 1))
    close_month(dt.date(2026, 5, 1), by=accountant)
    assert services.post_entry(balanced(on=MARCH), by=poster).posted_on == dt.date(2026, 4, 1)


def test_month_never_created_before_a_closed_one_counts_as_closed(poster, accountant):
    close_month(dt.date(2026, 3, 1), by=accountant)
    entry = services.post_entry(balanced(on=dt.date(2026, 1, 20)), by=poster)
    assert entry.posted_on == dt.date(2026, 4, 1)
    assert not AccountingPeriod.objects.filter(start_on=dt.date(2026, 1, 1)).exists()


def test_reversal_mirrors_every_line_and_links_both_ways(poster, customer):
    original = services.post_entry(invoice_draft(customer, document_amount="100.00", rate="1.1"),
                                   by=poster)
    reversal = services.reverse_entry(original, by=poster, memo="Issued in error",
                                      on=dt.date(2026, 3, 20))

    assert reversal.reverses == original and original.reversed_by == reversal
    assert reversal.memo == "Issued in error" and reversal.document_date == dt.date(2026, 3, 20)
    mirrored = list(reversal.lines.order_by("pk").values_list(
        "gl_account__code", "debit", "credit", "document_amount", "rate", "customer_account"))
    assert mirrored == [
        (chart.ACCOUNTS_RECEIVABLE, Decimal("0"), Decimal("110.00"), Decimal("-100.00"),
         Decimal("1.1"), customer.pk),
        (chart.REVENUE, Decimal("110.00"), Decimal("0"), None, None, None),
    ]
    assert all(row.balance == 0 for row in trial_balance().rows)


def test_entry_is_reversed_at_most_once(poster):
    original = services.post_entry(balanced(), by=poster)
    services.reverse_entry(original, by=poster, memo="Wrong", on=MARCH)
    with pytest.raises(ValidationError, match="JE-0000001 is already reversed"):
        services.reverse_entry(original, by=poster, memo="Again", on=MARCH)


def test_reversal_needs_a_memo_and_a_date_not_before_the_original(poster):
    original = services.post_entry(balanced(), by=poster)
    with pytest.raises(ValidationError, match="Say why"):
        services.reverse_entry(original, by=poster, memo="  ", on=MARCH)
    with pytest.raises(ValidationError, match="cannot be dated before"):
        services.reverse_entry(original, by=poster, memo="x", on=dt.date(2026, 3, 1))


def test_reversal_of_entry_in_closed_period_posts_in_the_open_one(poster, accountant):
    original = services.post_entry(balanced(), by=poster)
    close_month(MARCH, by=accountant)
    reversal = services.reverse_entry(original, by=poster, memo="Late fix", on=dt.date(2026, 3, 31))
    assert reversal.posted_on == dt.date(2026, 4, 1)


def test_posted_entries_and_lines_cannot_change(poster):
    entry = services.post_entry(balanced(), by=poster)
    line = entry.lines.first()

    for attempt in (entry.save, entry.delete, line.save, line.delete,
                    lambda: JournalEntry.objects.filter(pk=entry.pk).update(memo="edited"),
                    lambda: JournalLine.objects.filter(entry=entry).update(debit=0),
                    lambda: JournalLine.objects.all().delete(),
                    lambda: JournalEntry.objects.all().delete()):
        with pytest.raises(ImmutableEntryError, match="never change"):
            attempt()
    entry.refresh_from_db()
    assert entry.memo == "Cash sale" and entry.lines.count() == 2


def test_entries_are_not_created_outside_the_service():
    with pytest.raises(ImmutableEntryError):
        JournalEntry(number=1, document_date=MARCH, posted_on=MARCH, memo="x").save()


def test_source_document_is_recorded(poster, customer):
    entry = services.post_entry(balanced(source=customer), by=poster)
    assert entry.source == customer and entry.source_label == "Müller GmbH"


def _queries_to_post(drafts, by):
    with CaptureQueriesContext(connection) as queries:
        services.post_entries(drafts, by=by)
    return len(queries)


# SQLite binds at most 999 parameters per statement, so Django splits a bulk insert of more
# than ~90 entries or ~99 lines into batches; PostgreSQL inserts any count in one statement.
# The counts below stay inside one SQLite batch.

def test_bulk_posting_takes_the_same_queries_for_one_or_many_entries(poster, customer):
    services.post_entry(balanced(), by=poster)  # the number series and March exist now

    one = _queries_to_post([invoice_draft(customer, document_amount="10", rate="1.1")], poster)
    many = _queries_to_post(
        [invoice_draft(customer, document_amount=f"{n}.00", rate="1.1", memo=f"Invoice {n}")
         for n in range(1, 41)], poster)

    assert one == many
    assert JournalEntry.objects.count() == 42 and JournalLine.objects.count() == 84


def test_large_batches_grow_only_by_insert_batches(poster, customer):
    services.post_entry(balanced(), by=poster)
    one = _queries_to_post([balanced()], poster)
    many = _queries_to_post([balanced(memo=f"Sale {n}") for n in range(1000)], poster)
    limit = connection.features.max_query_params
    if limit is None:
        assert many == one
    else:  # 11 bound columns per entry, 10 per line
        assert many <= one + -(-1000 * 11 // limit) + -(-2000 * 10 // limit)


def test_bulk_posting_into_new_months_takes_constant_queries(poster):
    services.post_entry(balanced(), by=poster)
    one = _queries_to_post([balanced(on=dt.date(2027, 1, 5))], poster)
    many = _queries_to_post([balanced(on=dt.date(2028, month, 5)) for month in range(1, 13)]
                            * 3, poster)
    assert one == many
    assert AccountingPeriod.objects.filter(start_on__year=2028).count() == 12


def test_refused_posting_gives_back_its_numbers(poster):
    services.post_entry(balanced(), by=poster)
    with pytest.raises(ValidationError):
        services.post_entries([balanced(), balanced("1"), EntryDraft(MARCH, "x", [])], by=poster)
    assert NumberSequence.objects.get(key="journal-entry").last_value == 1


@pytest.mark.postgres("the lines go in by COPY, whose text format escapes")
def test_line_text_round_trips_through_copy_exactly(poster, customer):
    # COPY's text format escapes backslash, tab, newline and carriage return, and reads \N as
    # NULL: a description holding each, and a NULL document amount, must come back unchanged
    # (a guard for any formatter that replaces psycopg's write_row: issue 23 measured one in
    # Python, 56 ms of CPU for 40,000 rows against write_row's 41, and kept write_row)
    odd = "Tab\there\nnew line\\N back\\slash\r\\. end"
    draft = EntryDraft(MARCH, "Escapes", [
        LineDraft(chart.ACCOUNTS_RECEIVABLE, debit=Decimal("12.30"),
                  customer_account_id=customer.pk, document_currency="EUR",
                  document_amount=Decimal("11.00"), rate=Decimal("1.11818182"),
                  description=odd),
        LineDraft(chart.REVENUE, credit=Decimal("12.30"), description="\\N"),
        LineDraft(chart.CASH, debit=Decimal("1E+1"), description=""),
        LineDraft(chart.REVENUE, credit=Decimal("10.0000"))])
    entry = services.post_entry(draft, by=poster)

    assert list(entry.lines.order_by("pk").values_list(
        "gl_account__code", "debit", "credit", "customer_account_id", "document_currency",
        "document_amount", "rate", "description")) == [
        (chart.ACCOUNTS_RECEIVABLE, Decimal("12.30"), 0, customer.pk, "EUR", Decimal("11.00"),
         Decimal("1.11818182"), odd),
        (chart.REVENUE, 0, Decimal("12.30"), None, "", None, None, "\\N"),
        (chart.CASH, 10, 0, None, "", None, None, ""),
        (chart.REVENUE, 0, 10, None, "", None, None, "")]
