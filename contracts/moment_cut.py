"""A line priced by the second that stops at a moment within a day: what that does to its stored
schedule. Pure, over Decimal and aware datetimes; no ORM.

    end_at_moment(rows, *, moment, time_zone, currency, convention, starts_at) -> Ending
    row_span(period_start, period_end, time_zone, starts_at) -> (datetime, datetime)
    kept_until(amount, currency, span, moment) -> SecondProration

`catalog.charge_schedule.end_early` ends a line at the end of a day and splits the row it cuts by
days. A line priced by the second (`catalog.proration.Granularity.SECOND`) that an amendment
changes at a moment stops at that moment instead: the row holding the moment's day (in the
line's time zone) is split by whole seconds of the row's own span (from its local midnight, or
from the line's start moment on its first day, to the local midnight after its last day), with
`catalog.proration.prorate_seconds`, the maths the schedule prorates a first period by the
second with: the part kept is rounded once and the rest is what the row charged less it, which
is exactly the split `core.money.allocate` would make of two parts by largest remainder (the
fractional parts of two shares add up to one unit; a tie goes to the earlier part, as half away
from zero rounds it). Every other row ends as `end_early` ends it from the moment's day, so the
credits are due on the day the change takes effect, like the new line's first charge.

Stripe prorates "down to the second based on the starting timestamp of the billing period and
the timestamp of the proration's triggering event" (docs.stripe.com/billing/scripts/prorations).
"""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from catalog.charge_schedule import Charge, ChargeKind, Ending, Row, end_early
from catalog.proration import (
    Convention,
    SecondProration,
    day_start,
    local_day,
    prorate_seconds,
)
from core.formatting import format_rate

ONE_DAY = timedelta(days=1)


def row_span(period_start: date, period_end: date, time_zone: str,
             starts_at: datetime | None = None) -> tuple[datetime, datetime]:
    """A row's span by the clock: from the local midnight of its first day (or from the line's
    start moment, `starts_at`, when that is on its first day) to the local midnight after its
    last day."""
    start = (starts_at if starts_at is not None and local_day(starts_at, time_zone) == period_start
             else day_start(period_start, time_zone))
    return start, day_start(period_end + ONE_DAY, time_zone)


def kept_until(amount: Decimal, currency: str, span: tuple[datetime, datetime],
               moment: datetime) -> SecondProration:
    """The part of `amount` (a row's, over `span`) up to `moment`, by whole seconds, rounded
    once; the rest is `amount` less it."""
    return prorate_seconds(amount, currency, service_start=span[0], service_end=moment,
                           period_start=span[0], period_end=span[1])


def _cut(row: Row, moment: datetime, day: date, span: tuple[datetime, datetime],
         currency: str) -> tuple[bool, Charge | None]:
    """The row (`span`: its start and end moments) cut at `moment` on `day`: whether it ends,
    and the charge that takes its place (a shorter row, or a credit for a row an invoice
    holds)."""
    kept = kept_until(row.amount, currency, span, moment)
    after, rest = row.amount - kept.amount, kept.period_seconds - kept.seconds
    if row.billed:
        if not after:
            return False, None
        return False, Charge(
            ChargeKind.CREDIT, day, row.period_end, day, -after,
            explanation=f"Credit for {rest:,} seconds not served: −{format_rate(after, currency)} "
                        f"of {format_rate(row.amount, currency)}",
            seconds=rest, period_seconds=kept.period_seconds)
    return True, Charge(ChargeKind(row.kind), row.period_start, day, row.due_on, kept.amount,
                        explanation=kept.explanation, seconds=kept.seconds,
                        period_seconds=kept.period_seconds)


def end_at_moment(rows: Sequence[Row], *, moment: datetime, time_zone: str, currency: str,
                  convention: Convention, starts_at: datetime | None = None) -> Ending:
    """What a line priced by the second that now stops at `moment` changes in its schedule
    (`starts_at`: the moment it started, if within its first day)."""
    day = local_day(moment, time_zone)
    cut = [row for row in rows if row.kind == ChargeKind.RECURRING
           and row.period_start <= day <= row.period_end]
    others = end_early([row for row in rows if row not in cut], last_day=day - ONE_DAY,
                       currency=currency, convention=convention)
    ended, added = list(others.ended), list(others.added)
    for row in cut:
        span = row_span(row.period_start, row.period_end, time_zone, starts_at)
        ends, charge = _cut(row, moment, day, span, currency)
        if ends:
            ended.append(row.key)
        if charge is not None:
            added.append((row.key, charge))
    return Ending(tuple(ended), tuple(added))
