"""Sales- and usage-based royalties with a guaranteed minimum (IFRS 15.B63-B63B; ASC
606-10-55-65): the royalty exception with a fixed floor.

    excess(cumulative_usage, minimum) -> Decimal
    month_revenue(minimum_share, cumulative_usage, minimum, excess_before) -> Decimal

Pure, over Decimal; no ORM. `revrec.services.royalties` puts the minimum on a usage obligation
and the recognition run calls these each month.

The rules:
- The guaranteed minimum is fixed consideration: it is recognized as the obligation is
  satisfied (over the term for access to the licence or service, ratably).
- The royalties are variable and, under the exception (B63), recognized only as the usage
  occurs; with a floor, only what the usage earns beyond the minimum is more revenue: the
  usage to date less the minimum, once the usage passes it (the usage below it is the minimum
  being earned, already recognized over time).
- So revenue to date is the minimum earned to date plus the excess to date, and over the whole
  term the larger of the minimum and the usage.

Worked example (a year's access at 5% of the customer's sales, with 1,200.00 guaranteed;
billed royalties of 50.00, 300.00 and 1,000.00 in three months): the excess is 0, 0, then
150.00 in the third month (1,350.00 to date less the 1,200.00 floor):
>>> from decimal import Decimal as D
>>> [excess(D(usage), D("1200.00")) for usage in ("50.00", "350.00", "1350.00")]
[Decimal('0'), Decimal('0'), Decimal('150.00')]
>>> month_revenue(D("100.00"), D("1350.00"), D("1200.00"), excess_before=D(0))
Decimal('250.00')
"""

from decimal import Decimal

ZERO = Decimal(0)


def excess(cumulative_usage: Decimal, minimum: Decimal) -> Decimal:
    """What the usage to date earned beyond the guaranteed minimum (never below 0)."""
    if minimum < 0:
        raise ValueError("the guaranteed minimum cannot be below 0")
    return max(cumulative_usage - minimum, ZERO)


def month_revenue(minimum_share: Decimal, cumulative_usage: Decimal, minimum: Decimal, *,
                  excess_before: Decimal) -> Decimal:
    """A month's revenue: its share of the minimum plus the excess earned since the months
    before (a credit that brings usage back under the floor takes the excess back)."""
    return minimum_share + excess(cumulative_usage, minimum) - excess_before
