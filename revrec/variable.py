"""Variable consideration (IFRS 15.50-59, ASC 606-10-32-5..14): the estimate and its constraint.

    Scenario(amount, probability)
    expected_value(scenarios, currency) -> Decimal
    most_likely_amount(scenarios) -> Decimal
    estimate(method, scenarios, currency) -> Decimal
    check_constrained(constrained, estimate) -> None
    attribute_change(change, currency, basis, carried) -> dict[str, Decimal]

Pure, over Decimal; no ORM. A service stores the estimate (`revrec.models.VariableConsideration`)
and allocates its constrained amount to the obligations through `catalog.allocation`.

The rules:
- Expected value (15.53(a)): the sum of each possible amount × its probability, rounded to the
  currency; the probabilities of the scenarios add up to exactly 1.
- Most likely amount (15.53(b)): the single most likely amount of the range (the first one on a
  tie of probabilities, so the choice is repeatable); suited to two outcomes (a bonus is won or
  not), IFRS 15 IE Example 20 (IE102-IE104).
- The constraint (15.56-58): only the part of the estimate for which a significant reversal is
  highly probable not to occur is included in the transaction price: at most the estimate
  (from 0 for an estimate that adds to the price; a rebate may be included larger), chosen
  by the accountant with the reason on record (IE Example 23, Case B: none of it while the
  concessions are uncertain).
- A later change of the price (15.87-90) is allocated on the basis of contract inception: by
  the obligations' SSPs at inception, not re-allocated for later changes of SSP (15.88). An
  obligation a modification ended (15.21(a)) passes on the part of its share its successor
  carries (what it no longer keeps of its price, as when the modification moved the variable
  consideration across), and keeps the rest: satisfied, it is recognized in the period of the
  change (15.88, 15.90(a), IE Example 6).

Worked example (a fee with three possible outcomes, as in IFRS 15.53(a): 100,000 at 50%, 80,000
at 30%, 60,000 at 20%; its expected value, and the most likely amount for comparison):
>>> from decimal import Decimal as D
>>> scenarios = (Scenario(D("100000"), D("0.5")), Scenario(D("80000"), D("0.3")),
...              Scenario(D("60000"), D("0.2")))
>>> expected_value(scenarios, "USD"), most_likely_amount(scenarios)
(Decimal('86000.00'), Decimal('100000'))

A change after a modification (IFRS 15 IE Example 6, change in the transaction price after a
contract modification): X and Y share CU1,200 equally
at inception; X transfers. The contract is modified as a new contract for Y and an added Z
(15.21(a)); Y's remaining price goes to Y' and Z (CU450 each: Y' carries all of Y). The
variable consideration is re-estimated up by CU40: CU20 each to X and Y, as at inception;
X's is recognized at once, Y's goes on to Y' (which the example splits further with Z):
>>> attribute_change(D(40), "USD", (("X", D(1)), ("Y", D(1))),
...                  {"Y": ("Y'", D(0), D(600))})
{'X': Decimal('20.00'), "Y'": Decimal('20.00')}
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.money import allocate, round_money

ZERO, ONE = Decimal(0), Decimal(1)
EXPECTED_VALUE, MOST_LIKELY = "expected_value", "most_likely"


@dataclass(frozen=True, slots=True)
class Scenario:
    amount: Decimal  # the variable amount if this outcome occurs (negative for a rebate)
    probability: Decimal  # 0 < p <= 1


def check_scenarios(scenarios: Sequence[Scenario]) -> None:
    if not scenarios:
        raise ValueError("give at least one scenario")
    if any(not ZERO < s.probability <= ONE for s in scenarios):
        raise ValueError("each probability is more than 0 and at most 1")
    total = sum((s.probability for s in scenarios), ZERO)
    if total != ONE:
        raise ValueError(f"the probabilities add up to {total}, not 1")


def expected_value(scenarios: Sequence[Scenario], currency: str) -> Decimal:
    """Σ amount × probability, rounded to the currency (15.53(a))."""
    check_scenarios(scenarios)
    return round_money(sum((s.amount * s.probability for s in scenarios), ZERO), currency)


def most_likely_amount(scenarios: Sequence[Scenario]) -> Decimal:
    """The amount of the most probable scenario, the first on a tie (15.53(b))."""
    check_scenarios(scenarios)
    return max(scenarios, key=lambda s: s.probability).amount


def estimate(method: str, scenarios: Sequence[Scenario], currency: str) -> Decimal:
    if method == EXPECTED_VALUE:
        return expected_value(scenarios, currency)
    if method == MOST_LIKELY:
        return round_money(most_likely_amount(scenarios), currency)
    raise ValueError(f"unknown estimation method {method!r}")


def check_constrained(constrained: Decimal, estimate: Decimal) -> None:
    """The constrained amount is never above the estimate (15.56: revenue is what is held back),
    nor below 0 when the estimate adds to the price; a reduction (a rebate's negative estimate)
    may be included beyond the estimate when a larger one is possible."""
    if constrained > estimate:
        raise ValueError(f"the amount included cannot be more than the estimate ({estimate})")
    if estimate >= 0 > constrained:
        raise ValueError("the amount included cannot be below 0 when the estimate is not")


def _shared(amount: Decimal, successor, currency: str) -> list[tuple[str, Decimal]]:
    """`amount` to one successor (a key), or among several ((key, weight), ...) by largest
    remainder (a negative amount keeps its sign)."""
    if isinstance(successor, str):
        return [(successor, amount)]
    sign = -1 if amount < 0 else 1
    parts = allocate(abs(amount), [weight for _, weight in successor], currency)
    return [(key, sign * part) for (key, _), part in zip(successor, parts, strict=True)]


def attribute_change(change: Decimal, currency: str, basis: Sequence[tuple[str, Decimal]],
                     carried: Mapping[str, tuple[str | Sequence[tuple[str, Decimal]], Decimal,
                                                 Decimal]]) -> dict[str, Decimal]:
    """`change` over the obligations of `basis` ((key, SSP at inception), 15.88) by relative
    SSP, each share then followed through `carried` ({ended key: (successor key, what the ended
    one keeps of its price, its price)}): the successor takes the part not kept. When the
    modification made a new contract of several obligations (15.21(a)), the successor is their
    ((key, its allocation in the new contract), ...) and the part not kept is shared among them
    in those proportions (IE Example 6: Y's share goes to Y and Z); a successor
    that is the ended key itself (an obligation the new contract kept) keeps its part. The
    shares add up exactly to `change`; keys with no share are left out.

    >>> from decimal import Decimal as D
    >>> # IE Example 6 (IE35-IE39): CU40 more, CU20 each to X and Y as at inception; Y was not
    >>> # transferred, so its CU20 goes to the new contract's Y and Z (equal SSPs): CU10 each
    >>> attribute_change(D(40), "USD", (("X", D(1)), ("Y", D(1))),
    ...                  {"Y": ((("Y'", D(1)), ("Z", D(1))), D(0), D(600))})
    {'X': Decimal('20.00'), "Y'": Decimal('10.00'), 'Z': Decimal('10.00')}
    >>> # the same when Y itself stays in the new contract with Z, CU450 each (IE38)
    >>> attribute_change(D(40), "USD", (("X", D(600)), ("Y", D(600))),
    ...                  {"Y": ((("Y", D(450)), ("Z", D(450))), D(0), D(0))})
    {'X': Decimal('20.00'), 'Y': Decimal('10.00'), 'Z': Decimal('10.00')}
    """
    if not basis:
        raise ValueError("no obligation to allocate the change to")
    sign = -1 if change < 0 else 1
    shares: dict[str, Decimal] = {}
    pending = list(zip((key for key, _ in basis),
                       (sign * part for part in allocate(abs(change), [ssp for _, ssp in basis],
                                                         currency)), strict=True))
    while pending:
        key, share = pending.pop(0)
        if key in carried and share:
            successor, kept, price = carried[key]
            passed = round_money(share * (price - kept) / price, currency) if price else share
            share -= passed
            for member, part in _shared(passed, successor, currency):
                if member == key:  # it stays in the new contract: its part is final
                    share += part
                else:
                    pending.append((member, part))
        if share:
            shares[key] = shares.get(key, ZERO) + share
    return shares
