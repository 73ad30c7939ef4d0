"""A quote line's figures over its term, from its charge schedule: pure, no ORM.

    QuoteTerm(...).line(...) -> LineTerms
    TermAmounts.of(terms, list_per_period=..., included=...) -> TermAmounts

`catalog.pricing` prices one billing period (the unit price, tiers, discount); the periods the
term holds are `catalog.charge_schedule`'s, the very function `contracts.services.schedules`
runs when the quote becomes a contract (`price_from_schedule`). So a line starting off the
account's bill day charges its first, part period prorated by days, exactly as the contract
will store and the invoice run will bill it, and the quote's TCV is the contract's to the
minor unit. Net and list over the term are each the sum of a schedule (charges rounded once,
per period); the discount is their difference. A line included in its parent, or a usage line
(rated when used, so its rows hold no amount), charges nothing over the term.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from catalog.charge_schedule import LineTerms, Period, charge_schedule, periods
from catalog.proration import Convention, DayCount, Granularity, prorate
from core.dates import add_months
from core.money import round_money

ONE_TIME = "one_time"
ONE_DAY = timedelta(days=1)
ZERO = Decimal(0)


def term_end(start_on: date, term_months: int) -> date:
    """The last day of a term (contracts end the day before the same day `term_months` on)."""
    return add_months(start_on, term_months) - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class QuoteTerm:
    """What every line of one quote shares when it is scheduled: the account's bill day and the
    day count its contract lines will record."""

    currency: str
    start_on: date
    term_months: int
    bill_day: int
    convention: Convention
    starts_at: datetime | None = None  # the moment service starts on `start_on`
    time_zone: str = "UTC"  # the account's

    def line(self, *, billing_period: str, amount_per_period: Decimal, alignment: str,
             usage: bool, day_count: str = "", granularity: str = "") -> LineTerms:
        """A quote line as its contract line will be scheduled: from the quote's start to the
        term's last day when recurring, on the start day when one-time; under the line's own
        day count when it has one (copied from a contract line), else the quote's."""
        return LineTerms(
            currency=self.currency, billing_period=billing_period,
            amount_per_period=amount_per_period, start_on=self.start_on,
            end_on=(self.start_on if billing_period == ONE_TIME
                    else term_end(self.start_on, self.term_months)),
            alignment=alignment, bill_day=self.bill_day,
            convention=Convention(DayCount(day_count)) if day_count else self.convention,
            usage=usage, granularity=granularity or Granularity.DAY,
            starts_at=self.starts_at if granularity == Granularity.SECOND else None,
            time_zone=self.time_zone)


class Schedules:
    """Charge schedules by their terms: lines with the same terms (many seat lines at one price)
    share one computation. A sum over a schedule needs only its periods, which depend on the
    line's dates and alignment, not on its amount: they are computed once per shape, so a
    1,000-line quote of distinct amounts is not 1,000 calendars."""

    def __init__(self):
        self.known: dict[LineTerms, list] = {}
        self.spans: dict[tuple, tuple[int, list[Period]]] = {}  # whole periods, parts

    def of(self, terms: LineTerms) -> list:
        if terms not in self.known:
            self.known[terms] = charge_schedule(terms)
        return self.known[terms]

    def total(self, terms: LineTerms) -> Decimal:
        """What `charge_schedule(terms)` charges in all, rounded as it rounds: each whole
        period its amount, each part period that amount prorated over the aligned period
        (tests/quotes/test_term_amounts.py holds the two to the same figures)."""
        whole = round_money(terms.amount_per_period, terms.currency)
        if terms.usage:
            return whole * 0
        if terms.billing_period == ONE_TIME:
            return whole
        if terms.starts_at is not None or terms.ends_at is not None:  # by the second
            return sum((charge.amount for charge in self.of(terms)), ZERO)
        shape = (terms.billing_period, terms.start_on, terms.end_on, terms.alignment,
                 terms.bill_day, terms.convention)  # what the periods depend on
        if shape not in self.spans:
            spans = periods(terms)
            self.spans[shape] = (sum(1 for span in spans if not span.partial),
                                 [span for span in spans if span.partial])
        wholes, parts = self.spans[shape]
        return whole * wholes + sum((prorate(
            whole, terms.currency, service_start=span.start, service_end=span.end + ONE_DAY,
            period_start=span.aligned_start, period_end=span.aligned_end + ONE_DAY,
            convention=terms.convention).amount for span in parts), ZERO)


@dataclass(frozen=True, slots=True)
class TermAmounts:
    list_amount: Decimal
    discount_amount: Decimal
    net_amount: Decimal

    @classmethod
    def of(cls, terms: LineTerms, *, list_per_period: Decimal, included: bool = False,
           schedules: Schedules | None = None) -> "TermAmounts":
        """List, discount and net over the term: what the line's schedule charges."""
        if included or terms.usage:
            zero = round_money(Decimal(0), terms.currency)
            return cls(zero, zero, zero)
        schedules = schedules or Schedules()
        net = schedules.total(terms)
        listed = schedules.total(replace(terms, amount_per_period=list_per_period))
        return cls(listed, listed - net, net)
