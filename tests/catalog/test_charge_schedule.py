"""The charge schedule: literal-date worked examples (as Kill Bill's TestInvoiceDateUtils), then
properties over any start day, bill day 1-31, billing period, alignment and currency.

No database: plain functions over dates and Decimal.
"""

import doctest
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog import charge_schedule
from catalog.charge_schedule import (
    Alignment,
    ChargeKind,
    LineTerms,
    Row,
    end_early,
    periods,
)
from catalog.pricing import BillingPeriod
from catalog.proration import Convention, DayCount, bill_date
from core.money import quantum

ONE_DAY = timedelta(days=1)
THIRTY = Convention(DayCount.THIRTY_360)


def test_module_docstring_examples_hold():
    assert doctest.testmod(charge_schedule).failed == 0


def spans(terms):
    return [(p.start, p.end) for p in periods(terms)]


def amounts(terms):
    return [c.amount for c in charge_schedule.charge_schedule(terms)]


# ---- alignment: worked examples --------------------------------------------------------------

def test_bill_day_1_gives_a_part_first_month_then_whole_months():
    # Stripe's billing cycle anchor: a monthly $100 subscription created on the 13th and
    # anchored to the 1st is charged for the 13th to the end of the month, then every 1st
    # (docs.stripe.com/billing/subscriptions/billing-cycle, "prorated first invoice").
    terms = LineTerms("USD", "monthly", D("100.00"), date(2026, 1, 13), date(2026, 4, 12))
    assert spans(terms) == [
        (date(2026, 1, 13), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 4, 12)),
    ]
    charges = charge_schedule.charge_schedule(terms)
    assert [c.amount for c in charges] == [D("61.29"), D("100.00"), D("100.00"), D("40.00")]
    assert charges[0].explanation == "19 of 31 days × $100.00 = $61.29"
    assert (charges[0].days, charges[0].period_days) == (19, 31)
    assert charges[-1].explanation == "12 of 30 days × $100.00 = $40.00"
    assert [c.due_on for c in charges] == [c.period_start for c in charges]  # in advance


def test_bill_day_31_bills_on_the_last_day_of_shorter_months_without_drifting():
    # Zuora's bill cycle day 31 "bills on the last day of months that have fewer days"
    terms = LineTerms("USD", "monthly", D("100.00"), date(2024, 1, 31), date(2024, 5, 30),
                      bill_day=31)
    assert spans(terms) == [
        (date(2024, 1, 31), date(2024, 2, 28)), (date(2024, 2, 29), date(2024, 3, 30)),
        (date(2024, 3, 31), date(2024, 4, 29)), (date(2024, 4, 30), date(2024, 5, 30)),
    ]
    assert amounts(terms) == [D("100.00")] * 4


def test_quarterly_on_the_bill_day_prorates_its_first_part_over_the_quarter_it_ends():
    terms = LineTerms("USD", "quarterly", D("900.00"), date(2026, 2, 10), date(2027, 2, 14),
                      bill_day=15)
    got = periods(terms)
    assert (got[0].start, got[0].end, got[0].aligned_start, got[0].aligned_end) == (
        date(2026, 2, 10), date(2026, 2, 14), date(2025, 11, 15), date(2026, 2, 14))
    assert spans(terms)[1:] == [
        (date(2026, 2, 15), date(2026, 5, 14)), (date(2026, 5, 15), date(2026, 8, 14)),
        (date(2026, 8, 15), date(2026, 11, 14)), (date(2026, 11, 15), date(2027, 2, 14)),
    ]
    assert charge_schedule.charge_schedule(terms)[0].explanation == \
        "5 of 92 days × $900.00 = $48.91"


def test_anniversary_periods_start_on_the_lines_own_day():
    terms = LineTerms("USD", "quarterly", D("300.00"), date(2026, 2, 13), date(2027, 2, 12),
                      alignment=Alignment.ANNIVERSARY, bill_day=1)
    assert spans(terms) == [
        (date(2026, 2, 13), date(2026, 5, 12)), (date(2026, 5, 13), date(2026, 8, 12)),
        (date(2026, 8, 13), date(2026, 11, 12)), (date(2026, 11, 13), date(2027, 2, 12)),
    ]
    assert amounts(terms) == [D("300.00")] * 4


def test_calendar_quarters_start_in_january_april_july_and_october():
    terms = LineTerms("USD", "quarterly", D("1200.00"), date(2026, 2, 13), date(2027, 2, 12),
                      alignment=Alignment.CALENDAR)
    assert spans(terms) == [
        (date(2026, 2, 13), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 6, 30)),
        (date(2026, 7, 1), date(2026, 9, 30)), (date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 2, 12)),
    ]
    # 47 of the 90 days of the first quarter; 43 of the 90 days of 2027's first quarter
    assert amounts(terms) == [D("626.67"), D("1200.00"), D("1200.00"), D("1200.00"),
                              D("573.33")]


def test_calendar_half_years_and_years():
    half = LineTerms("EUR", "semi_annual", D("600.00"), date(2026, 3, 1), date(2027, 2, 28),
                     alignment=Alignment.CALENDAR)
    assert spans(half) == [(date(2026, 3, 1), date(2026, 6, 30)),
                           (date(2026, 7, 1), date(2026, 12, 31)),
                           (date(2027, 1, 1), date(2027, 2, 28))]
    year = LineTerms("EUR", "annual", D("3650.00"), date(2026, 12, 22), date(2027, 12, 21),
                     alignment=Alignment.CALENDAR)
    assert spans(year) == [(date(2026, 12, 22), date(2026, 12, 31)),
                           (date(2027, 1, 1), date(2027, 12, 21))]
    assert amounts(year) == [D("100.00"), D("3550.00")]


def test_weekly_follows_the_start_day_or_mondays():
    own = LineTerms("USD", "weekly", D("70.00"), date(2026, 12, 2), date(2026, 12, 22))
    assert spans(own) == [(date(2026, 12, 2), date(2026, 12, 8)),
                          (date(2026, 12, 9), date(2026, 12, 15)),
                          (date(2026, 12, 16), date(2026, 12, 22))]
    mondays = LineTerms("USD", "weekly", D("70.00"), date(2026, 12, 2), date(2026, 12, 22),
                        alignment=Alignment.CALENDAR)  # 2 December 2026 is a Wednesday
    assert spans(mondays) == [(date(2026, 12, 2), date(2026, 12, 6)),
                              (date(2026, 12, 7), date(2026, 12, 13)),
                              (date(2026, 12, 14), date(2026, 12, 20)),
                              (date(2026, 12, 21), date(2026, 12, 22))]
    assert amounts(mondays) == [D("50.00"), D("70.00"), D("70.00"), D("20.00")]


def test_a_term_billed_once_has_one_whole_period():
    terms = LineTerms("USD", "term", D("36000.00"), date(2026, 12, 15), date(2029, 12, 14))
    assert spans(terms) == [(date(2026, 12, 15), date(2029, 12, 14))]
    assert amounts(terms) == [D("36000.00")]


def test_usage_is_due_the_day_after_its_period_and_one_time_on_its_day():
    usage = LineTerms("USD", "monthly", D("0"), date(2026, 1, 13), date(2026, 2, 28),
                      usage=True)
    charges = charge_schedule.charge_schedule(usage)
    assert [(c.kind, c.period_end, c.due_on, c.amount) for c in charges] == [
        (ChargeKind.USAGE, date(2026, 1, 31), date(2026, 2, 1), D("0")),
        (ChargeKind.USAGE, date(2026, 2, 28), date(2026, 3, 1), D("0"))]
    once = LineTerms("JPY", "one_time", D("5000.4"), date(2026, 1, 13), date(2026, 1, 13))
    [charge] = charge_schedule.charge_schedule(once)
    assert (charge.kind, charge.due_on, charge.amount) == (ChargeKind.ONE_TIME,
                                                           date(2026, 1, 13), D("5000"))


def test_30_360_counts_every_month_as_30_days():
    terms = LineTerms("USD", "monthly", D("100.00"), date(2026, 1, 13), date(2026, 2, 28),
                      convention=THIRTY)
    assert amounts(terms)[0] == D("60.00")  # 18 of 30 days


def test_bad_terms_are_refused():
    with pytest.raises(ValueError, match="bill day"):
        periods(LineTerms("USD", "monthly", D(1), date(2026, 1, 1), date(2026, 2, 1),
                          bill_day=32))
    with pytest.raises(ValueError, match="ends"):
        periods(LineTerms("USD", "monthly", D(1), date(2026, 2, 1), date(2026, 1, 1)))
    with pytest.raises(ValueError):
        periods(LineTerms("USD", "fortnightly", D(1), date(2026, 1, 1), date(2026, 2, 1)))


# ---- ending a line early: worked examples ----------------------------------------------------

JANUARY = Row(1, "recurring", date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 1),
              D("100.00"), billed=True)
FEBRUARY = Row(2, "recurring", date(2026, 2, 1), date(2026, 2, 28), date(2026, 2, 1),
               D("100.00"), billed=False)


def test_a_billed_period_is_credited_for_the_days_after_the_last_day():
    # terminated from 20 January: 19 of 31 days served, 12 credited; February never billed
    ending = end_early([JANUARY, FEBRUARY], last_day=date(2026, 1, 19), currency="USD")
    assert ending.ended == (2,)
    [(about, credit)] = ending.added
    assert about == 1
    assert (credit.kind, credit.period_start, credit.period_end, credit.due_on) == (
        ChargeKind.CREDIT, date(2026, 1, 20), date(2026, 1, 31), date(2026, 1, 20))
    assert credit.amount == D("-38.71")  # 100.00 split 61.29 + 38.71 by 19 and 12 days
    assert credit.explanation == "Credit for 12 days not served: −$38.71 of $100.00"
    assert ending.credit == D("-38.71")


def test_a_period_not_billed_yet_is_shortened_instead_of_credited():
    unbilled = Row(1, "recurring", date(2026, 1, 1), date(2026, 1, 31), date(2026, 1, 1),
                   D("100.00"), billed=False)
    ending = end_early([unbilled], last_day=date(2026, 1, 19), currency="USD")
    assert ending.ended == (1,)
    [(_, shorter)] = ending.added
    assert (shorter.kind, shorter.period_start, shorter.period_end, shorter.amount) == (
        ChargeKind.RECURRING, date(2026, 1, 1), date(2026, 1, 19), D("61.29"))
    assert ending.credit == 0


def test_a_whole_billed_period_after_the_end_is_credited_in_full():
    ending = end_early([JANUARY, replace(FEBRUARY, billed=True)], last_day=date(2026, 1, 31),
                       currency="USD")
    assert ending.ended == ()
    assert [(c.period_start, c.amount) for _, c in ending.added] == [
        (date(2026, 2, 1), D("-100.00"))]


# ---- properties ------------------------------------------------------------------------------

currencies = st.sampled_from(["USD", "JPY", "KWD"])
recurring = st.sampled_from([p.value for p in BillingPeriod if p.recurring])
alignments = st.sampled_from(list(Alignment))
conventions = st.sampled_from([Convention(), THIRTY])


@st.composite
def line_terms(draw, usage=False):
    currency = draw(currencies)
    start = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)))
    length = draw(st.integers(min_value=0, max_value=1200))
    amount = draw(st.decimals(min_value=D(0), max_value=D("100000"), places=3))
    return LineTerms(currency, draw(recurring), amount, start, start + timedelta(days=length),
                     draw(alignments), draw(st.integers(min_value=1, max_value=31)),
                     draw(conventions), usage)


@given(line_terms())
def test_periods_tile_the_term_with_no_gap_and_no_overlap(terms):
    got = periods(terms)
    assert got[0].start == terms.start_on and got[-1].end == terms.end_on
    for a, b in zip(got, got[1:], strict=False):
        assert a.end + ONE_DAY == b.start == b.aligned_start
    for p in got:
        assert p.aligned_start <= p.start <= p.end <= p.aligned_end
    assert not any(p.partial for p in got[1:-1])


@given(line_terms())
def test_whole_periods_start_where_the_alignment_says(terms):
    for p in periods(terms)[1:]:
        if terms.billing_period in ("weekly", "term"):
            continue
        if terms.alignment == Alignment.BILL_DAY:
            expected = bill_date(p.start.year, p.start.month, terms.bill_day)
        elif terms.alignment == Alignment.ANNIVERSARY:
            expected = bill_date(p.start.year, p.start.month, terms.start_on.day)
        else:
            expected = p.start.replace(day=1)
            assert (p.start.month - 1) % int(BillingPeriod(terms.billing_period).months) == 0
        assert p.start == expected


@given(line_terms())
def test_charges_are_rounded_to_the_currency_and_whole_periods_charge_the_price(terms):
    charges = charge_schedule.charge_schedule(terms)
    price = terms.amount_per_period.quantize(quantum(terms.currency), rounding="ROUND_HALF_UP")
    for charge, period in zip(charges, periods(terms), strict=True):
        assert charge.amount == charge.amount.quantize(quantum(terms.currency))
        assert 0 <= charge.amount <= price
        if not period.partial:
            assert charge.amount == price and charge.days is None


@st.composite
def ended_lines(draw):
    terms = draw(line_terms())
    charges = charge_schedule.charge_schedule(terms)
    billed_through = draw(st.integers(min_value=0, max_value=len(charges)))
    rows = [Row(n, c.kind, c.period_start, c.period_end, c.due_on, c.amount,
                billed=n < billed_through) for n, c in enumerate(charges)]
    days = (terms.end_on - terms.start_on).days
    last_day = terms.start_on + timedelta(days=draw(st.integers(min_value=0, max_value=days)))
    return terms, rows, last_day


@given(ended_lines())
def test_ending_early_keeps_what_was_served_and_credits_only_what_was_billed(case):
    # given a line's rows, some billed in advance, ended on any day of its term
    terms, rows, last_day = case
    # when it ends early
    ending = end_early(rows, last_day=last_day, currency=terms.currency,
                       convention=terms.convention)
    # then only rows no invoice holds end, and only billed rows are credited
    by_key = {r.key: r for r in rows}
    assert all(not by_key[k].billed and by_key[k].period_end > last_day for k in ending.ended)
    in_force = [r.amount for r in rows if r.key not in ending.ended]
    in_force += [c.amount for _, c in ending.added]
    kept_per_row = {}
    for key, charge in ending.added:
        row = by_key[key]
        if charge.kind == ChargeKind.CREDIT:
            assert row.billed and charge.due_on == last_day + ONE_DAY
            assert charge.period_start == max(row.period_start, last_day + ONE_DAY)
            kept_per_row[key] = row.amount + charge.amount
        else:
            assert not row.billed and charge.period_end == last_day
            kept_per_row[key] = charge.amount
        assert 0 <= kept_per_row[key] <= row.amount
    # and what the line still charges is each row's part up to the last day, to within one
    # minor unit of a schedule computed afresh for the shorter term
    fresh = charge_schedule.charge_schedule(LineTerms(
        terms.currency, terms.billing_period, terms.amount_per_period, terms.start_on,
        last_day, terms.alignment, terms.bill_day, terms.convention))
    unit = quantum(terms.currency)
    if terms.billing_period != "term":
        assert abs(sum(in_force) - sum(c.amount for c in fresh)) <= unit * 2
    for row in rows:
        if row.period_start > last_day:
            assert kept_per_row.get(row.key, D(0)) == 0 or row.key not in kept_per_row


@given(ended_lines())
def test_ending_twice_on_the_same_day_changes_nothing_more(case):
    terms, rows, last_day = case
    first = end_early(rows, last_day=last_day, currency=terms.currency,
                      convention=terms.convention)
    after = [r for r in rows if r.key not in first.ended and r.period_end <= last_day]
    after += [Row(1000 + n, c.kind, c.period_start, c.period_end, c.due_on, c.amount,
                  billed=False) for n, (_, c) in enumerate(first.added)
              if c.kind != ChargeKind.CREDIT]
    again = end_early(after, last_day=last_day, currency=terms.currency,
                      convention=terms.convention)
    assert again.ended == () and again.added == ()


def test_explain_lists_part_periods_then_counts_whole_ones():
    from catalog.charge_schedule import Piece, explain

    pieces = [Piece(D("69.92"), D("127.50"), 17, 31), *[Piece(D("127.50"), D("127.50"))] * 8]
    assert explain(pieces, "USD") == \
        "17 of 31 days × $127.50 = $69.92 + 8 periods × $127.50 = $1,089.92"
    assert explain([Piece(D("108.8000"), D("204"), 16, 30, "30/360")], "USD") == \
        "16 of 30 days (30/360) × $204.00 = $108.80"
    assert explain([Piece(D("1"), D("1"))], "JPY") == "1 period × ¥1 = ¥1"
    assert explain([], "KWD") == "nothing = 0.000 KWD"
