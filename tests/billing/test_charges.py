"""What a contract line owes: worked examples with literal dates, then properties."""

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from billing.charges import Billed, ChargeKind, LineTerms, due_charges, usage_periods


def monthly(start, end, *, billable=None, amount="100.00", bill_day=1, usage=False):
    return LineTerms(1, "USD", "monthly", D(amount), start, end,
                     billable_from=billable or start, bill_day=bill_day, usage=usage)


def test_first_partial_month_is_prorated_over_the_whole_aligned_month():
    charges = due_charges(monthly(date(2026, 11, 13), date(2027, 11, 12)), as_of=date(2026, 11, 23))
    assert [(c.period_start, c.period_end, c.amount) for c in charges] == [
        (date(2026, 11, 13), date(2026, 11, 30), D("60.00"))]  # 18 of 30 days


def test_last_partial_month_is_prorated_and_nothing_after_the_end():
    line = monthly(date(2026, 1, 1), date(2026, 3, 10))
    charges = due_charges(line, as_of=date(2026, 12, 31))
    assert [(c.period_start, c.period_end, c.amount) for c in charges] == [
        (date(2026, 1, 1), date(2026, 1, 31), D("100.00")),
        (date(2026, 2, 1), date(2026, 2, 28), D("100.00")),
        (date(2026, 3, 1), date(2026, 3, 10), D("32.26"))]  # 10 of 31 days


def test_billed_periods_are_never_charged_again():
    line = monthly(date(2026, 1, 1), date(2026, 12, 31))
    billed = [Billed("recurring", date(2026, 1, 1), date(2026, 1, 31))]
    charges = due_charges(line, as_of=date(2026, 2, 1), billed=billed)
    assert [c.period_start for c in charges] == [date(2026, 2, 1)]


def test_a_line_waiting_for_fulfilment_owes_nothing():
    line = LineTerms(1, "USD", "monthly", D("100"), date(2026, 1, 1), date(2026, 12, 31),
                     billable_from=None, bill_day=1)
    assert due_charges(line, as_of=date(2026, 6, 1)) == []


def test_one_time_line_bills_once_on_the_day_it_becomes_billable():
    line = LineTerms(1, "USD", "one_time", D("500.00"), date(2026, 1, 1), date(2026, 1, 1),
                     billable_from=date(2026, 2, 3), bill_day=1)
    assert due_charges(line, as_of=date(2026, 2, 2)) == []
    [charge] = due_charges(line, as_of=date(2026, 2, 3))
    assert (charge.kind, charge.amount, charge.period_start) == (
        ChargeKind.ONE_TIME, D("500.00"), date(2026, 2, 3))
    assert due_charges(line, as_of=date(2026, 3, 1),
                       billed=[Billed("one_time", date(2026, 2, 3), date(2026, 2, 3))]) == []


def test_amended_line_gets_a_credit_for_the_days_billed_after_its_end():
    # given December billed in advance, then the line ended on the 15th by an amendment
    ended = monthly(date(2026, 1, 1), date(2026, 12, 15))
    billed = [Billed("recurring", date(2026, 12, 1), date(2026, 12, 31))]
    # when
    charges = due_charges(ended, as_of=date(2027, 1, 1), billed=billed)
    # then 16 of 31 days come back
    [credit] = [c for c in charges if c.kind == ChargeKind.CREDIT]
    assert (credit.period_start, credit.period_end, credit.amount) == (
        date(2026, 12, 16), date(2026, 12, 31), D("-51.61"))
    # and the new line that replaces it from the 16th is charged for its own days only
    new = monthly(date(2026, 12, 16), date(2027, 12, 31), amount="200.00")
    [first] = due_charges(new, as_of=date(2026, 12, 16))
    assert (first.period_start, first.period_end, first.amount) == (
        date(2026, 12, 16), date(2026, 12, 31), D("103.23"))


def test_quarterly_periods_align_to_the_bill_day():
    line = LineTerms(1, "USD", "quarterly", D("300.00"), date(2026, 1, 20), date(2026, 12, 31),
                     billable_from=date(2026, 1, 20), bill_day=15)
    charges = due_charges(line, as_of=date(2026, 4, 20))
    assert [(c.period_start, c.period_end) for c in charges] == [
        (date(2026, 1, 20), date(2026, 2, 14)), (date(2026, 2, 15), date(2026, 5, 14))]


def test_usage_periods_are_billed_in_arrears():
    line = monthly(date(2026, 1, 1), date(2026, 12, 31), usage=True)
    assert due_charges(line, as_of=date(2026, 3, 1)) == []
    assert [(p.start, p.end) for p in usage_periods(line, as_of=date(2026, 3, 1))] == [
        (date(2026, 1, 1), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28))]


@given(start=st.dates(date(2024, 1, 1), date(2027, 12, 31)),
       days=st.integers(min_value=0, max_value=800),
       bill_day=st.integers(min_value=1, max_value=28),
       amount=st.decimals(min_value=D("0.01"), max_value=D("99999"), places=2))
def test_periods_tile_the_term_and_never_exceed_the_full_amount(start, days, bill_day, amount):
    end = start + timedelta(days=days)
    charges = due_charges(monthly(start, end, amount=str(amount), bill_day=bill_day),
                          as_of=end)
    assert charges[0].period_start == start and charges[-1].period_end == end
    for before, after in zip(charges, charges[1:], strict=False):
        assert after.period_start == before.period_end + timedelta(days=1)
    assert all(D(0) <= c.amount <= amount for c in charges)
    assert all(c.amount == amount for c in charges[1:-1])


@given(start=st.dates(date(2025, 1, 1), date(2026, 6, 30)),
       cut=st.integers(min_value=0, max_value=300),
       amount=st.decimals(min_value=D("1"), max_value=D("9999"), places=2))
def test_credit_plus_what_stays_billed_is_what_the_shorter_line_would_cost(start, cut, amount):
    full_end = start + timedelta(days=400)
    line = monthly(start, full_end, amount=str(amount))
    everything = due_charges(line, as_of=full_end)
    ended_on = start + timedelta(days=cut)
    billed = [Billed("recurring", c.period_start, c.period_end) for c in everything
              if c.period_start <= ended_on]
    ended = monthly(start, ended_on, amount=str(amount))
    credit = [c for c in due_charges(ended, as_of=full_end, billed=billed)
              if c.kind == ChargeKind.CREDIT]
    billed_total = sum(c.amount for c in everything if c.period_start <= ended_on)
    shorter = sum(c.amount for c in due_charges(ended, as_of=full_end))
    # one cent per prorated period may differ by rounding each piece once
    assert abs(billed_total + sum(c.amount for c in credit) - shorter) <= D("0.01")
