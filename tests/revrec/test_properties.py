"""Properties of revenue from the charge schedule, pure (no database): for generated lines (any
start day, bill day 1-31, every billing period and alignment, USD, JPY and a three-decimal
currency, SSPs on any basis, bundles with included components) the allocation adds up exactly
to the transaction price, which is Σ of the lines' schedule rows; revenue recognized over the
whole term is the transaction price; after an early end the schedule's credits and the charges
it no longer makes are exactly what recognition gives up, so nothing stays deferred.

The arithmetic follows IFRS 15 IE Example 34 (allocating a discount, paragraphs IE250-IE257)
and ASC 606-10-55-259 to 55-264 (the same example): relative standalone selling prices, the
whole transaction price allocated, the discount to the goods it belongs to.
"""

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import assume, given
from hypothesis import strategies as st

from catalog import revenue_schedule as schedules
from catalog.charge_schedule import Alignment, LineTerms, Row, charge_schedule, end_early
from catalog.obligations import LineFacts, allocate_plan, plan_obligations, ssp_over_term
from core.dates import add_months
from core.money import quantum, round_money

PERIODS = ["weekly", "monthly", "quarterly", "semi_annual", "annual", "term", "one_time"]
CURRENCIES = ["USD", "JPY", "KWD"]
ONE_DAY = timedelta(days=1)


@st.composite
def line_terms(draw, currency):
    period = draw(st.sampled_from(PERIODS))
    start = draw(st.dates(date(2026, 1, 1), date(2028, 12, 31)))
    months = draw(st.integers(1, 36))
    end = start if period == "one_time" else add_months(start, months) - ONE_DAY
    minor = quantum(currency)
    amount = draw(st.integers(0, 10**7)) * minor
    return LineTerms(currency=currency, billing_period=period, amount_per_period=amount,
                     start_on=start, end_on=end,
                     alignment=draw(st.sampled_from(list(Alignment))),
                     bill_day=draw(st.integers(1, 31)))


@st.composite
def ssps(draw, terms):
    basis = draw(st.sampled_from(["per_month", "per_year", "one_time"]))
    unit = D(draw(st.integers(0, 10**6))) / 100
    quantity = D(draw(st.integers(1, 500)))
    return ssp_over_term(unit, basis, quantity, terms.start_on, terms.end_on, terms.currency,
                         recurring=terms.billing_period != "one_time").amount


@st.composite
def contracts(draw):
    """(currency, [(key, terms, facts)]): lines, some of them a bundle with included parts."""
    currency = draw(st.sampled_from(CURRENCIES))
    count = draw(st.integers(1, 6))
    lines = []
    bundle_key = None
    for n in range(count):
        terms = draw(line_terms(currency))
        included = bundle_key is not None and draw(st.booleans())
        net = D(0) if included else sum((c.amount for c in charge_schedule(terms)), D(0))
        is_bundle = not included and draw(st.booleans())
        facts = LineFacts(str(n), net, draw(ssps(terms)), "ratable" if terms.billing_period
                          != "one_time" else "point_in_time",
                          bundle_key=bundle_key if included else None, is_bundle=is_bundle)
        if is_bundle:
            bundle_key = str(n)
        lines.append((str(n), terms, facts))
    return currency, lines


def recognized(amount, terms):
    """Revenue over the line's service, as revrec.services.contracts schedules it."""
    if terms.billing_period == "one_time":
        lines = schedules.point_in_time_schedule(amount, terms.currency, terms.start_on)
    else:
        lines = schedules.ratable_schedule(amount, terms.currency, terms.start_on,
                                           terms.end_on + ONE_DAY)
    return lines


@given(contracts())
def test_allocation_adds_up_to_the_schedules_and_is_all_recognized(contract):
    currency, lines = contract
    facts = [f for _, _, f in lines]
    scheduled = sum((f.net for f in facts), D(0))

    plan = plan_obligations(facts, currency)
    assume(plan.obligations)
    allocated = allocate_plan(plan, currency)

    # the transaction price is Σ of the schedule rows, allocated exactly, none negative
    assert plan.transaction_price == scheduled
    assert sum(a.amount for a in allocated) == plan.transaction_price
    assert all(a.amount >= 0 and round_money(a.amount, currency) == a.amount
               for a in allocated)
    # a bundle's components share exactly its price
    by_key = {a.key: a.amount for a in allocated}
    for bundle in plan.bundles:
        assert sum(by_key[k] for k in bundle.components) == bundle.price
    # recognized over the whole term = the transaction price
    terms = {key: t for key, t, _ in lines}
    total = sum((s.amount for a in allocated for s in recognized(a.amount, terms[a.key])),
                D(0))
    assert total == plan.transaction_price


@given(st.data())
def test_an_early_end_gives_up_exactly_what_the_schedule_credits(data):
    # given a recurring line alone on its contract (its allocation is its price), billed up
    # to some row, then ended on any day of its term
    currency = data.draw(st.sampled_from(CURRENCIES))
    terms = data.draw(line_terms(currency))
    assume(terms.billing_period != "one_time" and terms.end_on > terms.start_on)
    charges = charge_schedule(terms)
    signed = sum((c.amount for c in charges), D(0))
    billed_up_to = data.draw(st.integers(0, len(charges)))
    rows = [Row(n, c.kind, c.period_start, c.period_end, c.due_on, c.amount, n < billed_up_to)
            for n, c in enumerate(charges)]
    last_day = data.draw(st.dates(terms.start_on, terms.end_on - ONE_DAY))

    # when
    ending = end_early(rows, last_day=last_day, currency=currency)
    in_force = (sum((r.amount for r in rows if r.key not in ending.ended), D(0))
                + sum((c.amount for _, c in ending.added), D(0)))
    refund = signed - in_force  # revrec.services.contracts._unused
    schedule = recognized(signed, terms)
    kept = schedules.terminate(schedule, currency, effective=last_day + ONE_DAY,
                               refund=refund).lines

    # then: recognized = Σ rows in force, nothing after the last day served
    assert sum(s.amount for s in kept) == in_force
    assert all(s.start <= last_day + ONE_DAY for s in kept)
