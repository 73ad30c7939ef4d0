"""Early-payment discounts and their tax (payments.cash_discount): worked examples from public
sources for each tax mode, and properties over generated invoices. No database."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payments.cash_discount import DiscountBooking, DiscountTaxMode, early_payment_discount

ALWAYS, ON_PAYMENT, NEVER = (DiscountTaxMode.ALWAYS, DiscountTaxMode.ON_EARLY_PAYMENT,
                             DiscountTaxMode.NEVER)


@pytest.mark.parametrize("mode, tax, early_total, booking", [
    (ALWAYS, D("20.58"), D("118.58"), DiscountBooking(D("2.00"), D("0"))),
    (ON_PAYMENT, D("21.00"), D("118.58"), DiscountBooking(D("2.00"), D("0.42"))),
    (NEVER, D("21.00"), D("119.00"), DiscountBooking(D("2.00"), D("0"))),
])
def test_odoo_cash_discount_tax_reduction_example(mode, tax, early_total, booking):
    """Odoo documentation, "Cash discounts and tax reduction": a EUR 100 invoice (tax
    excluded), 21% tax, 2% if paid within seven days. Always (upon invoice): the tax is on 98
    (20.58) and an early payer pays 118.58; on early payment: 121.00, early 118.58 (98 +
    21% of 98); never: 121.00, early 119.00 (98 + 21% of 100)."""
    due = D("100.00") + tax

    got = early_payment_discount(due, D("100.00"), tax, D("2"), "EUR", mode)

    assert got == booking and due - got.discount == early_total


def test_skonto_corrects_the_tax_with_the_discount():
    """Haufe, "UStG §10 Bemessungsgrundlage, Skonto" (Rz. 70): EUR 1,000 + 190 VAT = 1,190;
    5% Skonto is 59.50: the price falls by 50.00 to 950.00 and the VAT by 9.50 to 180.50, so
    1,130.50 is paid. steuerrechner24.de: 1,190 less 2% is 1,166.20 (Skonto 20.00 + VAT
    3.80)."""
    five = early_payment_discount(D("1190.00"), D("1000.00"), D("190.00"), D("5"), "EUR",
                                  ON_PAYMENT)
    two = early_payment_discount(D("1190.00"), D("1000.00"), D("190.00"), D("2"), "EUR",
                                 ON_PAYMENT)

    assert (five.net, five.tax, D("1190.00") - five.discount) == (D("50.00"), D("9.50"),
                                                                  D("1130.50"))
    assert (two.net, two.tax, D("1190.00") - two.discount) == (D("20.00"), D("3.80"),
                                                               D("1166.20"))


def test_nothing_due_or_no_percentage_grants_nothing_and_yen_round_to_whole_units():
    assert early_payment_discount(D("0"), D("100"), D("20"), D("2"), "USD",
                                  ON_PAYMENT).discount == 0
    assert early_payment_discount(D("120"), D("100"), D("20"), D("0"), "USD",
                                  NEVER).discount == 0
    assert early_payment_discount(D("1100"), D("1000"), D("100"), D("3"), "JPY",
                                  ON_PAYMENT) == DiscountBooking(D("30"), D("3"))


MONEY = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)


@given(MONEY, st.decimals(min_value=0, max_value=D("0.27"), places=4),
       st.decimals(min_value=D("0.01"), max_value=D("100"), places=2),
       st.decimals(min_value=D("0.01"), max_value=D("1"), places=2),
       st.sampled_from(list(DiscountTaxMode)))
def test_a_discount_splits_exactly_and_corrects_tax_only_on_early_payment(
        net, rate, percent, share_due, mode):
    tax = (net * rate).quantize(D("0.01"))
    due = max(((net + tax) * share_due).quantize(D("0.01")), D("0.01"))

    got = early_payment_discount(due, net, tax, percent, "USD", mode)

    assert got.net >= 0 and got.tax >= 0 and got.discount <= due
    assert got.discount.as_tuple().exponent >= -2
    if mode is not ON_PAYMENT:
        assert got.tax == 0
    elif tax and got.discount:  # the invoice's own proportions, to the cent
        assert abs(got.tax - got.discount * tax / (net + tax)) <= D("0.01")
