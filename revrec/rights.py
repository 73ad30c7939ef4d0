"""Material rights (IFRS 15.B39-B43, B44-B47; ASC 606-10-55-41..46): options for additional
goods at a discount, vouchers and loyalty points, each a performance obligation of its own.

    option_ssp(value, discount_rate, likelihood, currency) -> Decimal
    carve_out(goods_price, goods_ssp, right_ssp, currency) -> Decimal
    reduce_goods(allocated, right_share, currency) -> list[Decimal]
    recognized_to_date(allocated, currency, *, expected, redeemed, expired) -> Decimal

Pure, over Decimal; no ORM. `revrec.services.rights` stores a right and schedules what it earns.

The rules:
- The standalone selling price of an option (B42): the discount the customer obtains when it
  exercises it, less any discount it would get without the contract, times the likelihood that
  it is exercised: `value × discount_rate × likelihood`, rounded to the currency (IFRS 15 IE
  Example 49, IE250-IE253: CU50 of purchases × 30% incremental discount × 80% = CU12).
- Allocation (15.74, B40): the price of the goods it was granted with is shared by relative SSP
  between those goods and the right (`carve_out`); the goods give up the right's share in
  proportion to what each was allocated (`reduce_goods`, largest remainder), so an earlier
  allocation of a discount to some of them (15.82) stays as it was.
- Recognition (B40, B46): when the right is exercised, in proportion to the rights exercised
  over the rights expected to be exercised, so the expected breakage is recognized along with
  them (B46); the whole of it when the right expires (B47 for breakage not expected), or once
  the rights exercised reach the estimate. A change of the rights expected to be exercised
  re-measures what is earned to date (IE Example 52, IE267-IE270); the difference goes to the
  month of the change.

Worked example (IFRS 15 IE Example 52, a customer loyalty programme: sales of CU100,000 earn
10,000 points worth CU1 each, 9,500 expected to be redeemed; 4,500 redeemed in the first year;
8,500 in all by the end of the second, when 9,700 are expected):
>>> from decimal import Decimal as D
>>> ssp = option_ssp(D(10000), D(1), D("0.95"), "JPY")
>>> points = carve_out(D(100000), D(100000), ssp, "JPY")
>>> ssp, points, D(100000) - points
(Decimal('9500'), Decimal('8676'), Decimal('91324'))
>>> first = recognized_to_date(points, "JPY", expected=D(9500), redeemed=D(4500))
>>> second = recognized_to_date(points, "JPY", expected=D(9700), redeemed=D(8500))
>>> first, second, second - first
(Decimal('4110'), Decimal('7603'), Decimal('3493'))
"""

from collections.abc import Sequence
from decimal import Decimal

from core.money import allocate, round_money

ZERO, ONE = Decimal(0), Decimal(1)


def option_ssp(value: Decimal, discount_rate: Decimal, likelihood: Decimal,
               currency: str) -> Decimal:
    """The option's standalone selling price: the incremental discount it gives on `value` of
    purchases, weighed by the likelihood of exercise (B42), rounded to the currency."""
    if value < 0:
        raise ValueError("the purchases the option applies to cannot be below 0")
    if not ZERO < discount_rate <= ONE:
        raise ValueError("the incremental discount is more than 0 and at most 1 (100%)")
    if not ZERO < likelihood <= ONE:
        raise ValueError("the likelihood of exercise is more than 0 and at most 1")
    return round_money(value * discount_rate * likelihood, currency)


def carve_out(goods_price: Decimal, goods_ssp: Decimal, right_ssp: Decimal,
              currency: str) -> Decimal:
    """The right's share of the goods' price by relative SSP (15.74), to the minor unit; the
    goods keep `goods_price` less it, so the two add up exactly."""
    if goods_price < 0 or goods_ssp < 0 or right_ssp <= 0:
        raise ValueError("the right's SSP is more than 0; the goods' price and SSP are not "
                         "below 0")
    _, right = allocate(goods_price, [goods_ssp, right_ssp], currency)
    return right


def reduce_goods(allocated: Sequence[Decimal], right_share: Decimal,
                 currency: str) -> list[Decimal]:
    """Each good's allocation less its part of the right's share, the parts in proportion to the
    allocations (largest remainder); the reductions add up exactly to `right_share`."""
    if right_share > sum(allocated, ZERO):
        raise ValueError("the right cannot take more than the goods were allocated")
    cuts = allocate(right_share, list(allocated), currency)
    return [amount - cut for amount, cut in zip(allocated, cuts, strict=True)]


def recognized_to_date(allocated: Decimal, currency: str, *, expected: Decimal,
                       redeemed: Decimal, expired: bool = False) -> Decimal:
    """What the right has earned: all of it once expired or once the rights exercised reach the
    rights expected to be; before that, its allocation × exercised / expected (B46)."""
    if redeemed < 0 or expected < 0:
        raise ValueError("rights exercised and expected cannot be below 0")
    if expired or (redeemed and redeemed >= expected):
        return allocated
    if not redeemed:  # nothing exercised yet (or none expected: all of it at expiry, B47)
        return ZERO
    return round_money(allocated * redeemed / expected, currency)
