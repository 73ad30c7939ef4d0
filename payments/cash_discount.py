"""Early-payment (cash) discounts and their tax: how much the customer may leave unpaid when
paying inside the discount window, and how that splits into the net discount (sales discounts)
and the tax corrected (tax payable); pure, no ORM.

Three modes, as Odoo's payment terms name them ("Cash discounts and tax reduction"):

- ALWAYS ("always, upon invoice"; the Belgian mixed treatment): the invoice's tax was computed
  on the discounted net at issue, whether the customer takes the discount or not. Paid early,
  the discount is the percentage of the net; the tax is not corrected again.
- ON_EARLY_PAYMENT: tax on the full net at issue; paid early, the discount is the percentage of
  what is due (net and tax) and the tax is corrected with it (Germany's Skonto, §17 UStG).
- NEVER: tax on the full net, never corrected; paid early, the discount is the percentage of
  the net only.

The split of a discount between net and tax follows the invoice's own net and tax
(core.money.allocate: largest remainder, so the two always add up to the discount).

>>> from decimal import Decimal as D
>>> early_payment_discount(D("121.00"), D("100.00"), D("21.00"), D("2"), "EUR",
...                        DiscountTaxMode.ON_EARLY_PAYMENT)
DiscountBooking(net=Decimal('2.00'), tax=Decimal('0.42'))
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from core.money import allocate, round_money

ZERO = Decimal("0")
HUNDRED = Decimal("100")


class DiscountTaxMode(StrEnum):
    ALWAYS = "always"
    ON_EARLY_PAYMENT = "on_early_payment"
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class DiscountBooking:
    net: Decimal  # the discount on the net: Dr sales discounts
    tax: Decimal  # the tax corrected with it: Dr tax payable

    @property
    def discount(self) -> Decimal:
        """What the customer need not pay."""
        return self.net + self.tax


def early_payment_discount(amount_due: Decimal, subtotal: Decimal, tax_total: Decimal,
                           percent: Decimal, currency: str,
                           mode: DiscountTaxMode) -> DiscountBooking:
    """The discount on what is still due of an invoice of `subtotal` net and `tax_total` tax,
    paid inside the window, and its split; rounded once to the currency."""
    if amount_due <= 0 or percent <= 0:
        return DiscountBooking(ZERO, ZERO)
    weights = [subtotal, tax_total] if subtotal > 0 and tax_total > 0 else [Decimal(1), ZERO]
    if mode is DiscountTaxMode.ON_EARLY_PAYMENT:
        discount = round_money(amount_due * percent / HUNDRED, currency)
        net, tax = allocate(discount, weights, currency)
        return DiscountBooking(net, tax)
    net_due, _ = allocate(amount_due, weights, currency)
    return DiscountBooking(round_money(net_due * percent / HUNDRED, currency), ZERO)
