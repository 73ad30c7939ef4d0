"""A quote line's figures over its term are what its charge schedule charges (no database).

The schedule's part periods follow Stripe's billing cycle anchor: a start off the anchor is
prorated up to it, then whole periods (https://docs.stripe.com/billing/subscriptions/billing-cycle).
"""

from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from catalog.charge_schedule import Alignment, charge_schedule
from catalog.pricing import BillingPeriod
from catalog.proration import Convention, DayCount
from core.money import round_money
from quotes.term_amounts import QuoteTerm, Schedules, TermAmounts, term_end

ACTUAL = Convention(DayCount.ACTUAL)


def test_a_start_on_the_17th_billed_on_the_1st_prorates_its_first_and_last_months():
    # 255.00 a month from 17 February 2027 to 16 February 2028: 12 of 28 days (109.29),
    # 11 whole months (2,805.00), 16 of 29 days (140.69)
    term = QuoteTerm("USD", date(2027, 2, 17), 12, bill_day=1, convention=ACTUAL)
    terms = term.line(billing_period="monthly", amount_per_period=D("255.00"),
                      alignment=Alignment.BILL_DAY, usage=False)

    amounts = TermAmounts.of(terms, list_per_period=D("300.00"))

    assert terms.end_on == date(2028, 2, 16) == term_end(date(2027, 2, 17), 12)
    assert amounts.net_amount == D("3054.98")
    assert amounts.list_amount == D("128.57") + 11 * D("300.00") + D("165.52")
    assert amounts.discount_amount == amounts.list_amount - amounts.net_amount


def test_a_one_time_line_is_charged_once_and_usage_and_included_lines_charge_nothing():
    term = QuoteTerm("JPY", date(2027, 2, 17), 12, bill_day=1, convention=ACTUAL)

    def amounts(period, *, usage=False, included=False):
        return TermAmounts.of(term.line(billing_period=period, amount_per_period=D("5000.4"),
                                        alignment=Alignment.BILL_DAY, usage=usage),
                              list_per_period=D("6000"), included=included)

    assert amounts("one_time") == TermAmounts(D("6000"), D("1000"), D("5000"))
    assert amounts("monthly", usage=True) == TermAmounts(D(0), D(0), D(0))
    assert amounts("monthly", included=True) == TermAmounts(D(0), D(0), D(0))


@given(start=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
       months=st.integers(1, 36), bill_day=st.integers(1, 31),
       period=st.sampled_from([p.value for p in BillingPeriod]),
       alignment=st.sampled_from(list(Alignment)),
       day_count=st.sampled_from(list(DayCount)),
       currency=st.sampled_from(["USD", "JPY", "KWD"]),
       amounts=st.lists(st.decimals(D("0.001"), D("99999.999"), places=3), min_size=1,
                        max_size=4))
def test_the_term_total_is_the_sum_of_the_schedules_charges(
        start, months, bill_day, period, alignment, day_count, currency, amounts):
    term = QuoteTerm(currency, start, months, bill_day, Convention(day_count))
    schedules = Schedules()  # shared, as a quote's lines share it
    for amount in amounts:
        terms = term.line(billing_period=period, amount_per_period=amount,
                          alignment=alignment, usage=False)

        total = schedules.total(terms)

        charged = charge_schedule(terms)
        assert total == round_money(sum((c.amount for c in charged), D(0)), currency)
        if period != "one_time":
            assert (charged[0].period_start, charged[-1].period_end) == (
                start, term_end(start, months))


def test_lines_of_one_shape_share_one_calendar():
    term = QuoteTerm("USD", date(2027, 2, 17), 12, bill_day=1, convention=ACTUAL)
    schedules = Schedules()
    for amount in range(1, 200):
        schedules.total(term.line(billing_period="monthly", amount_per_period=D(amount),
                                  alignment=Alignment.BILL_DAY, usage=False))

    assert len(schedules.spans) == 1

