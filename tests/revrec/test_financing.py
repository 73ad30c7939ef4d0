"""Financing components, pure (no database): the practical expedient of IFRS 15.63 (one year or
less between payment and transfer); beyond it, revenue is the payment accreted (paid in advance)
or the amount due discounted (in arrears) at the annual rate (15.64), and the monthly interest
adds up exactly to the difference, the balance a year on being the principal × (1 + rate). Worked
examples: IFRS 15 IE Example 29 (IE148-IE151) and IE Example 26 (IE135-IE140) in the module's
doctest; IE Example 28 (IE143-IE147, the rate) here.
"""

import doctest
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.dates import add_months
from core.money import quantum, round_money
from revrec import financing


def test_the_module_examples_hold():
    assert doctest.testmod(financing).failed == 0


def test_ie28_the_rate_is_that_of_a_separate_financing_transaction_not_the_contract():
    # IFRS 15 IE Example 28 (IE143-IE147): equipment for CU1 million plus a 5% contractual
    # rate, paid over 60 months. Case A: 5% is the rate of a separate financing transaction, so
    # the cash selling price, and revenue, is CU1 million. Case B: that rate would be 12%, so
    # revenue is the consideration discounted at 12%, less than CU1 million (15.64). Here the
    # same terms as one payment at the end of the five years.
    nominal = round_money(D(1000000) * D("1.05") ** 5, "JPY")
    case_a = financing.arrears(nominal, D("0.05"), date(2027, 1, 1), date(2032, 1, 1), "JPY")
    case_b = financing.arrears(nominal, D("0.12"), date(2027, 1, 1), date(2032, 1, 1), "JPY")

    assert (nominal, case_a.revenue) == (D(1276282), D(1000000))
    assert case_b.revenue == round_money(nominal / D("1.12") ** 5, "JPY") < D(1000000)
    assert case_b.interest == nominal - case_b.revenue and len(case_b.months) == 60


@pytest.mark.parametrize(("paid_on", "transferred_on", "expected"), [
    (date(2027, 1, 1), date(2028, 1, 1), True),  # exactly a year: the expedient applies
    (date(2027, 1, 1), date(2028, 1, 2), False),
    (date(2028, 1, 31), date(2027, 1, 31), True),  # paid after the transfer, a year later
    (date(2028, 2, 1), date(2027, 1, 31), False),
])
def test_the_practical_expedient_is_one_year_or_less_either_way(paid_on, transferred_on,
                                                                expected):
    assert financing.within_a_year(paid_on, transferred_on) is expected


def test_within_a_year_or_a_bad_rate_is_refused():
    with pytest.raises(ValueError, match="IFRS 15.63"):
        financing.advance(D(100), D("0.05"), date(2027, 1, 1), date(2027, 12, 1), "USD")
    with pytest.raises(ValueError, match="annual rate"):
        financing.arrears(D(100), D(0), date(2027, 1, 1), date(2029, 1, 1), "USD")
    with pytest.raises(ValueError, match="after the transfer"):
        financing.arrears(D(100), D("0.05"), date(2029, 1, 1), date(2027, 1, 1), "USD")


def test_months_between_counts_calendar_months_and_days():
    assert financing.months_between(date(2027, 1, 1), date(2029, 1, 1)) == 24
    assert financing.months_between(date(2027, 1, 31), date(2027, 2, 28)) == 1
    assert financing.months_between(date(2027, 1, 1), date(2027, 1, 16)) == D(15) / D(31)


@given(st.sampled_from(["USD", "JPY", "KWD"]), st.integers(1, 10**8),
       st.integers(1, 2000).map(lambda bp: D(bp) / 10000), st.dates(date(2020, 1, 1),
                                                                    date(2040, 1, 1)),
       st.integers(13, 120), st.booleans())
def test_the_monthly_interest_adds_up_to_the_difference_and_compounds(
        currency, minors, rate, start, months, paid_first):
    amount = minors * quantum(currency)
    end = add_months(start, months)
    if paid_first:
        result = financing.advance(amount, rate, start, end, currency)
        assert result.revenue - amount == result.interest >= 0
    else:
        result = financing.arrears(amount, rate, start, end, currency)
        assert amount - result.revenue == result.interest >= 0
        assert result.revenue <= amount
    parts = [a for _, a in result.months]
    assert sum(parts, D(0)) == result.interest
    assert [m for m, _ in result.months] == sorted({m for m, _ in result.months})
    assert result.months[0][0] == start.replace(day=1)
    # the rounded balance only grows (the last month may give back a rounding unit)
    assert all(part >= -quantum(currency) for part in parts)
    assert all(part >= 0 for part in parts[:-1])
    if start.day == 1:  # a year from the start, the balance is the principal × (1 + rate)
        principal = amount if paid_first else result.revenue
        assert sum(parts[:12], D(0)) == round_money(principal * (1 + rate), currency) - principal


def _plan(first: date, count: int, amount: D, *, every: int = 1):
    return [(add_months(first, n * every), amount) for n in range(count)]


def test_ie28_instalments_discounted_at_the_separate_financing_rate():
    # IFRS 15 IE Example 28 (IE143-IE147): CU1 million at a 5% contractual rate, paid in 60
    # monthly instalments of CU18,871 from a month after the transfer. Case A: 5% (compounded
    # monthly, as the instalments are) is the rate of a separate financing: revenue is the cash
    # selling price, CU1 million. Case B: at 12%, revenue is CU848,357 (IE147).
    def monthly(nominal):  # the annual rate, compounded monthly, as an effective annual rate
        return (1 + nominal / 12) ** 12 - 1

    plan = _plan(date(2027, 2, 1), 60, D("18871.23"))
    case_a = financing.instalments(plan, monthly(D("0.05")), date(2027, 1, 1), "JPY")
    case_b = financing.instalments(plan, monthly(D("0.12")), date(2027, 1, 1), "JPY")
    assert (case_a.revenue, case_b.revenue) == (D(1000000), D(848357))
    assert case_b.interest == D("1132273.80") - D(848357)
    assert len(case_b.months) == 60 and sum(a for _, a in case_b.months) == case_b.interest


def test_a_plan_within_a_year_or_across_the_transfer_is_refused():
    # 15.63: every instalment within a year of the transfer, no adjustment
    with pytest.raises(ValueError, match="within a year of the transfer"):
        financing.instalments(_plan(date(2027, 2, 1), 12, D(100)), D("0.1"), date(2027, 1, 1),
                              "USD")
    with pytest.raises(ValueError, match="both before and after the transfer"):
        financing.instalments(_plan(date(2026, 1, 1), 36, D(100)), D("0.1"),
                              date(2027, 1, 1), "USD")


def test_one_instalment_is_the_single_payment():
    # IE Example 26's single payment two years on, and IE Example 29's two years before
    one = financing.instalments([(date(2029, 1, 1), D(121))], D("0.10"), date(2027, 1, 1),
                                "JPY")
    assert (one.revenue, one.interest) == (D(100), D(21))
    before = financing.instalments([(date(2027, 1, 1), D(4000))], D("0.06"), date(2029, 1, 1),
                                   "JPY")
    paid = financing.advance(D(4000), D("0.06"), date(2027, 1, 1), date(2029, 1, 1), "JPY")
    assert (before.revenue, before.interest) == (paid.revenue, paid.interest)


@given(st.sampled_from(["USD", "JPY", "KWD"]), st.integers(1, 10**7), st.integers(2, 48),
       st.integers(1, 6), st.integers(1, 300), st.booleans())
def test_instalment_interest_adds_up_and_never_runs_backwards(currency, minors, count, every,
                                                               permille, in_advance):
    amount = minors * quantum(currency)
    transfer = date(2030, 1, 1)
    first = add_months(transfer, -count * every) if in_advance else add_months(transfer, every)
    plan = _plan(first, count, amount, every=every)
    if all(financing.within_a_year(day, transfer) for day, _ in plan):
        return
    result = financing.instalments(plan, D(permille) / 1000, transfer, currency)

    total = amount * count
    assert result.revenue + (-result.interest if in_advance else result.interest) == total
    assert (result.revenue >= total) if in_advance else (result.revenue <= total)
    assert sum(a for _, a in result.months) == result.interest
    assert all(a >= 0 for _, a in result.months)


def test_ie29_the_advance_accretes_to_4494_at_the_entitys_borrowing_rate():
    # IFRS 15 IE Example 29 (IE148-IE151): CU4,000 paid on signing instead of CU5,000 on
    # transfer two years later; the entity's incremental borrowing rate is 6% (IE150), so the
    # contract liability accretes to 4,000 × 1.06² = 4,494.40, revenue CU4,494 with CU494 of
    # interest expense (IE151); the CU5,000 alternative only shows a financing is there (its
    # implicit 11.8% is not the rate used). Not CU4,840: that would be 10% a year.
    plan = financing.split_plan([(date(2027, 1, 1), D(4000))], D("0.06"), date(2029, 1, 1),
                                "JPY")
    assert (plan.revenue, plan.before.interest, plan.after) == (D(4494), D(494), None)
    assert [sum(a for m, a in plan.before.months if m.year == y) for y in (2027, 2028)] == [
        D(240), D(254)]
    assert round_money(D(4000) * D("1.1") ** 2, "JPY") == D(4840)


def test_a_plan_across_the_transfer_splits_into_expense_then_income():
    # IE Example 29's advance and IE Example 26's amount due in one contract (CU4,000 two years
    # before the transfer at the entity's 6%; CU121 two years after at the customer's 10%)
    plan = financing.split_plan([(date(2027, 1, 1), D(4000)), (date(2031, 1, 1), D(121))],
                                D("0.06"), date(2029, 1, 1), "JPY", rate_after=D("0.10"))
    assert (plan.revenue, plan.before.revenue, plan.after.revenue) == (D(4594), D(4494), D(100))
    assert plan.before.months[-1][0] == date(2028, 12, 1)  # expense up to the transfer
    assert plan.after.months[0][0] == date(2029, 1, 1)  # income from it
    # each part keeps the expedient on its own (15.63): the deposit within a year is not
    # accreted, the instalments three years on are discounted
    part = financing.split_plan([(date(2028, 7, 1), D(1000)), (date(2032, 1, 1), D(1331))],
                                D("0.10"), date(2029, 1, 1), "JPY")
    assert (part.before, part.after.revenue, part.revenue) == (None, D(1000), D(2000))
    none = financing.split_plan([(date(2028, 7, 1), D(1000)), (date(2029, 7, 1), D(1000))],
                                D("0.10"), date(2029, 1, 1), "JPY")
    assert none.expedient and none.revenue == D(2000)


@given(st.sampled_from(["USD", "JPY", "KWD"]), st.lists(
    st.tuples(st.integers(-60, 60), st.integers(1, 10**7)), min_size=1, max_size=12),
    st.integers(1, 300), st.integers(1, 300))
def test_a_split_plan_is_its_two_parts_and_adds_up(currency, rows, permille, permille_after):
    transfer = date(2030, 1, 1)
    plan_rows = [(add_months(transfer, months), minors * quantum(currency))
                 for months, minors in rows]
    rate, rate_after = D(permille) / 1000, D(permille_after) / 1000
    plan = financing.split_plan(plan_rows, rate, transfer, currency, rate_after=rate_after)

    total = sum(a for _, a in plan_rows)
    expense = plan.before.interest if plan.before else D(0)
    income = plan.after.interest if plan.after else D(0)
    assert plan.revenue == total + expense - income
    assert expense >= 0 and income >= 0
    for part, financed in ((plan.before, [(d, a) for d, a in plan_rows if d <= transfer]),
                           (plan.after, [(d, a) for d, a in plan_rows if d > transfer])):
        if part is not None:
            assert part == financing.instalments(financed, rate if part is plan.before
                                                 else rate_after, transfer, currency)
            assert sum(a for _, a in part.months) == part.interest
        else:
            assert all(financing.within_a_year(d, transfer) for d, _ in financed)
    if plan.before:
        assert max(m for m, _ in plan.before.months) < transfer
    if plan.after:
        assert min(m for m, _ in plan.after.months) == transfer.replace(day=1)
