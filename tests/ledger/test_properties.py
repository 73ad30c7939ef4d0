"""Properties of posting over many generated histories (hypothesis, on the test database)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from core.dates import add_months
from core.money import allocate
from core.roles import Role
from ledger import chart, services
from ledger.drafts import EntryDraft, LineDraft
from ledger.models import AccountingPeriod, JournalEntry, JournalLine, PeriodState
from ledger.selectors import trial_balance
from tests.conftest import make_user

CODES = [account.code for account in chart.DEFAULT_CHART]
FIRST_MONTH = dt.date(2026, 1, 1)
MONTHS = 6

cents = st.integers(min_value=1, max_value=10**9).map(lambda c: Decimal(c) / 100)
dates = st.dates(FIRST_MONTH, dt.date(2026, 6, 30))


@st.composite
def valid_entries(draw):
    """A balanced entry: random debits, their total split over random credit lines by
    largest remainder, so every part is rounded and they add up exactly."""
    debits = draw(st.lists(cents, min_size=1, max_size=4))
    weights = draw(st.lists(st.integers(1, 100), min_size=1, max_size=4))
    credits = [part for part in allocate(sum(debits), weights, "USD") if part]
    lines = ([LineDraft(draw(st.sampled_from(CODES)), debit=d) for d in debits]
             + [LineDraft(draw(st.sampled_from(CODES)), credit=c) for c in credits])
    return EntryDraft(draw(dates), draw(st.text("abcxyz ", min_size=1, max_size=20)).strip() or "m",
                      draw(st.permutations(lines)))


@st.composite
def invalid_entries(draw):
    entry = draw(valid_entries())
    kind = draw(st.sampled_from(["unbalanced", "empty", "unknown", "negative", "unrounded"]))
    first, rest = entry.lines[0], entry.lines[1:]
    if kind == "unbalanced":
        lines = [LineDraft(first.gl_code, debit=first.debit + draw(cents)), *rest]
    elif kind == "empty":
        lines = []
    elif kind == "unknown":
        lines = [LineDraft("0000", debit=first.debit), *rest]
    elif kind == "negative":
        lines = [*entry.lines, LineDraft(chart.CASH, debit=Decimal("-1")),
                 LineDraft(chart.CASH, debit=Decimal("1"))]
    else:
        lines = [LineDraft(first.gl_code, debit=first.debit + Decimal("0.001")),
                 LineDraft(chart.SUSPENSE, credit=Decimal("0.001")), *rest]
    return EntryDraft(entry.document_date, entry.memo, lines)


class PostingProperties(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.finance = make_user("prop_finance", Role.FINANCE)
        cls.accountant = make_user("prop_accountant", Role.ACCOUNTANT)

    @given(st.lists(st.lists(valid_entries(), min_size=1, max_size=5), min_size=1, max_size=4))
    def test_any_sequence_of_valid_postings_keeps_the_trial_balance_at_zero(self, batches):
        for batch in batches:
            services.post_entries(batch, by=self.finance)

        balance = trial_balance()
        posted = [e for batch in batches for e in batch]
        self.assertTrue(balance.is_balanced)
        self.assertEqual(balance.total_balance, 0)
        self.assertEqual(sum(row.balance for row in balance.rows), 0)
        self.assertEqual(balance.total_debit, sum(e.total_debit for e in posted))
        self.assertEqual(JournalEntry.objects.count(), len(posted))

    @given(st.lists(st.sampled_from(list(PeriodState)), min_size=MONTHS, max_size=MONTHS),
           st.lists(valid_entries(), min_size=1, max_size=8))
    def test_postings_into_closed_periods_land_in_the_first_open_one(self, states, drafts):
        # given six consecutive months in random states
        months = [add_months(FIRST_MONTH, i) for i in range(MONTHS)]
        for month, state in zip(months, states, strict=True):
            period = services.ensure_period(month)
            if state != PeriodState.OPEN:
                services.start_close(period, by=self.accountant)
            if state == PeriodState.CLOSED:
                services.close_period(period, by=self.accountant)
        by_month = dict(zip(months, states, strict=True))

        # when the documents post
        entries = services.post_entries(drafts, by=self.finance)

        # then each lands in the first open month at or after its own (or the month after the
        # six), on its own date when its month is open, else on that month's first day
        for draft, entry in zip(drafts, entries, strict=True):
            month = draft.document_date.replace(day=1)
            while by_month.get(month, PeriodState.OPEN) != PeriodState.OPEN:
                month = add_months(month, 1)
            expected = (draft.document_date if month == draft.document_date.replace(day=1)
                        else month)
            self.assertEqual(entry.document_date, draft.document_date)
            self.assertEqual(entry.posted_on, expected)
            self.assertEqual(entry.period.start_on, month)
            self.assertEqual(entry.period.state, PeriodState.OPEN)

    @given(st.lists(valid_entries(), max_size=5), invalid_entries(), st.data())
    def test_a_refused_posting_leaves_nothing_behind(self, good, bad, data):
        services.post_entry(EntryDraft(dt.date(2025, 12, 1), "Earlier", [
            LineDraft(chart.CASH, debit=Decimal("1")), LineDraft(chart.REVENUE, credit=Decimal("1"))
        ]), by=self.finance)
        before = (JournalEntry.objects.count(), JournalLine.objects.count(),
                  AccountingPeriod.objects.count(), trial_balance())
        drafts = list(good)
        drafts.insert(data.draw(st.integers(0, len(drafts))), bad)

        with self.assertRaises(ValidationError):
            services.post_entries(drafts, by=self.finance)

        after = (JournalEntry.objects.count(), JournalLine.objects.count(),
                 AccountingPeriod.objects.count(), trial_balance())
        self.assertEqual(after, before)
        next_entry = services.post_entry(EntryDraft(dt.date(2025, 12, 2), "Next", [
            LineDraft(chart.CASH, debit=Decimal("1")), LineDraft(chart.REVENUE, credit=Decimal("1"))
        ]), by=self.finance)
        self.assertEqual(next_entry.number, 2)  # the refused batch took no numbers
