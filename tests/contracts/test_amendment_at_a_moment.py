"""An amendment at a moment (issue 17): a price counted by the second changes at the effective
time of the effective date, read in the line's time zone. The replaced line stops and the new
one starts at that moment, and the row the change cuts is split by seconds, with the maths the
schedule prorates a first period by the second with (`catalog.proration.prorate_seconds`).

Worked example. Stripe: "If a customer upgrades from a 10 USD monthly plan to a 20 USD option
halfway through the billing period, the customer is billed an additional 5 USD": unused time
on the old plan −5 USD, remaining time on the new one +10 USD (docs.stripe.com/billing/
subscriptions/prorations), the proration counted "down to the second based on the starting
timestamp of the billing period and the timestamp of the proration's triggering event"
(docs.stripe.com/billing/scripts/prorations). Here 5 seats at $30.00 less 15 % ($127.50 a
month) become 10 ($255.00) at 12:00 UTC on 16 March 2027, halfway through March's 2,678,400
seconds (1,339,200 served): the old seats keep $63.75 of March's $127.50 (−$63.75), the new
ones charge $127.50 for the rest of March, so March costs $63.75 more, as Stripe's +5 USD is
half the old plan's month. Split by days (16 March as the first day of the change), the old
seats would keep 15 of 31 days, $61.69, and the new ones charge 16 of 31 days, $131.61.
"""

from datetime import UTC, date, datetime, time
from decimal import Decimal as D

import pytest

from contracts import services
from contracts.models import LineStatus, ScheduledCharge
from quotes import services as quote_services
from tests.contracts.factories import ON, active_contract
from tests.contracts.test_amendment_coupons import applied
from tests.contracts.test_schedule_by_second import _by_second

pytestmark = pytest.mark.django_db

DAY = date(2027, 3, 16)
NOON = datetime(2027, 3, 16, 12, tzinfo=UTC)


def _amended(contract, owner, *, seats=D(10), at=time(12)):
    amendment = services.start_amendment(contract=contract, by=owner, effective_on=DAY,
                                         effective_time=at, on=ON)
    line = amendment.quote.lines.get(product__sku="SEAT-USER")
    quote_services.update_line(line=line, by=owner, quantity=seats)
    return applied(amendment, owner)


def _march(line) -> ScheduledCharge:
    return ScheduledCharge.objects.get(line=line, ended_by__isnull=True,
                                       period_start__year=2027, period_start__month=3)


def test_an_upgrade_at_noon_is_prorated_by_the_second(sales_rep, finance):
    # given: seats priced by the second
    _by_second()
    contract = active_contract(sales_rep, by=finance)
    old = contract.lines.get(product__sku="SEAT-USER")
    assert (old.proration_granularity, old.amount_per_period) == ("second", D("127.50"))

    # when: 10 seats from noon on 16 March
    amendment = _amended(contract, sales_rep)

    # then: the old seats stop and the new ones start at noon
    old.refresh_from_db()
    new = contract.lines.get(amendment=amendment, product__sku="SEAT-USER")
    assert (old.status, old.end_on, old.ends_at) == (LineStatus.ENDED, DAY, NOON)
    assert (new.start_on, new.starts_at, new.time_zone) == (DAY, NOON, old.time_zone)
    # the cut row is split by seconds: the old seats keep half of March
    kept = _march(old)
    assert (kept.amount, kept.seconds, kept.period_seconds, kept.days) == (
        D("63.75"), 1_339_200, 2_678_400, None)
    assert kept.explanation == "1,339,200 of 2,678,400 seconds × $127.50 = $63.75"
    first = _march(new)
    assert (first.period_start, first.amount, first.seconds, first.period_seconds) == (
        DAY, D("127.50"), 1_339_200, 2_678_400)
    # March: −$63.75 + $127.50 = +$63.75 (Stripe's −5 + 10 = +5, half the old month)
    seats = next(c for c in amendment.proration if c["product"].startswith("User seat"))
    assert (D(seats["credit"]), D(seats["charge"])) == (D("63.75") + 8 * D("127.50"),
                                                        D("127.50") + 8 * D("255.00"))
    # worded by `catalog.charge_schedule.explain`, as pieces counted by days are
    assert seats["credit_explanation"] == ("1,339,200 of 2,678,400 seconds × $127.50 = $63.75 "
                                           "+ 8 periods × $127.50 = $1,083.75")
    assert amendment.effective_time == time(12)


def test_a_price_by_day_changes_with_the_date_whatever_the_time(sales_rep, finance):
    # given: seats priced by the day
    from catalog.demo import seed_catalog

    seed_catalog()
    contract = active_contract(sales_rep, by=finance)
    old = contract.lines.get(product__sku="SEAT-USER")

    # when
    amendment = _amended(contract, sales_rep)

    # then: the old seats serve 15 March whole; 16 March is the new seats' first day
    old.refresh_from_db()
    new = contract.lines.get(amendment=amendment, product__sku="SEAT-USER")
    assert (old.end_on, old.ends_at, new.start_on, new.starts_at) == (
        date(2027, 3, 15), None, DAY, None)
    kept = _march(old)
    assert (kept.amount, kept.days, kept.period_days, kept.seconds) == (D("61.69"), 15, 31,
                                                                        None)
    assert _march(new).amount == D("131.61")


def test_an_amount_off_coupon_is_split_at_the_moment_too(sales_rep, finance):
    """$5.00 off the seats every month: the old seats' March row, $122.50, keeps half ($61.25,
    so $2.50 of the coupon, half of the $63.75 before it); the new seats take the other $2.50:
    $102.00 − $2.50 = $99.50, and $5.00 off in March in all. (Split by days at 16 March, 15 of
    31 days, the coupon's kept part would be $61.69 − $59.27 = $2.42 and the new seats would
    take $2.58, $99.42: $5.08 in all, as the test saw before the seconds were used here.)"""
    from tests.contracts.test_amendment_coupons import contract_with, coupon

    # given
    _by_second()
    contract = contract_with(sales_rep, finance, lambda: coupon(
        "EASY5", amount_off=D(5), currency="USD", duration="forever"))
    old = contract.lines.get(product__sku="SEAT-USER")

    # when
    amendment = _amended(contract, sales_rep, seats=D(8))

    # then
    new = contract.lines.get(amendment=amendment, product__sku="SEAT-USER")
    assert (_march(old).amount, _march(new).amount) == (D("61.25"), D("99.50"))
    assert D("63.75") + D("102.00") - (_march(old).amount + _march(new).amount) == D("5.00")
    assert ScheduledCharge.objects.get(line=new, period_start=date(2027, 4, 1)).amount == D(
        "199.00")


def _priced_by(quote_line, granularity: str) -> None:
    """The amendment quote's line re-priced from a price book counting `granularity` (as
    changing the quote's price book snapshots its lines again)."""
    from quotes.models import QuoteLine

    snapshot = quote_line.price_snapshot
    snapshot["source"] = {**snapshot.get("source", {}), "proration_granularity": granularity}
    QuoteLine.objects.filter(pk=quote_line.pk).update(price_snapshot=snapshot)


@pytest.mark.parametrize(("before", "after"), [("second", "day"), ("day", "second")])
def test_a_change_between_prices_by_second_and_by_day_charges_the_cut_day_once(
        sales_rep, finance, before, after):
    """The moment counts only when both sides count seconds (`contracts.services.amendments`):
    else the old line serves the day before whole and the new one starts with the effective
    date, so 16 March is charged once, by the new line. Zuora's "Upgrade and downgrade" ends the
    old charge and starts the new one on the same effective date, each prorated by days
    (knowledgecenter.zuora.com, "Proration"): the old 5 seats keep 15 of March's 31 days of
    $127.50, $61.69; the new 10 seats charge 16 of 31 days of $255.00, $131.61. (Before: by
    the second to noon and by day from midnight, the morning of the 16th was charged twice,
    $63.75 + $131.61; by day to midnight and by the second from noon, not at all, $61.69 +
    $127.50.)"""
    # given: seats priced `before`, amended at noon on 16 March to 10 seats priced `after`
    if before == "second":
        _by_second()
    else:
        from catalog.demo import seed_catalog

        seed_catalog()
    contract = active_contract(sales_rep, by=finance)
    old = contract.lines.get(product__sku="SEAT-USER")
    assert old.proration_granularity == before
    amendment = services.start_amendment(contract=contract, by=sales_rep, effective_on=DAY,
                                         effective_time=time(12), on=ON)
    line = amendment.quote.lines.get(product__sku="SEAT-USER")
    quote_services.update_line(line=line, by=sales_rep, quantity=D(10))
    _priced_by(line, after)

    # when
    amendment = applied(amendment, sales_rep)

    # then: the old seats serve 15 March whole, the new ones start with 16 March
    old.refresh_from_db()
    new = contract.lines.get(amendment=amendment, product__sku="SEAT-USER")
    assert new.proration_granularity == after
    assert (old.end_on, old.ends_at, new.start_on, new.starts_at) == (
        date(2027, 3, 15), None, DAY, None)
    kept, first = _march(old), _march(new)
    assert (kept.amount, kept.period_end, first.amount, first.period_start) == (
        D("61.69"), date(2027, 3, 15), D("131.61"), DAY)
    # every day of March charged once: 15 days of the old seats and 16 of the new
    assert kept.days + first.days == 31 == kept.period_days == first.period_days
    seats = next(c for c in amendment.proration if c["product"].startswith("User seat"))
    assert D(seats["credit"]) - 8 * D("127.50") == D("127.50") - D("61.69")
