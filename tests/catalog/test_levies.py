"""Fixed-amount taxes and levies per unit (issue 17): a tax rate may be an amount per unit in a
currency, charged on the line's quantity, and a percentage after it may be charged on the net
plus the levy.

Worked examples:
- Odoo, "Taxes > Computation: Fixed" (odoo.com/documentation, Accounting > Taxes): a fixed tax
  of 10.00 on a line of 2 units is 20.00 ("the amount is multiplied by the quantity"); with
  "Affect Base of Subsequent Taxes" (include_base_amount) a 10 % tax after it is charged on
  the price plus the fixed tax: 2 × 100.00 + 20.00 fixed → 10 % of 220.00 = 22.00.
- ERPNext, "Sales Taxes and Charges" charge type "On Item Quantity" (docs.erpnext.com): the
  rate is an amount per unit of the item's quantity, e.g. 5 per unit on 10 units = 50.
"""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from catalog import tax
from catalog.models import TaxRate
from tests.catalog.factories import TaxRateFactory

FIXED_10 = tax.TaxRate("Eco fee", D(0), per_unit=D("10.00"), currency="USD", affects_base=True)
VAT_10 = tax.TaxRate("VAT", D(10))


def test_odoo_fixed_tax_multiplies_by_quantity_and_affects_the_base_after_it():
    line = tax.TaxLine("a", D("200.00"), (FIXED_10, VAT_10), quantity=D(2))
    result = tax.tax_line(line, "USD")
    assert [(t.name, t.amount) for t in result.taxes] == [("Eco fee", D("20.00")),
                                                          ("VAT", D("22.00"))]
    assert (result.net, result.tax, result.gross) == (D("200.00"), D("42.00"), D("242.00"))
    assert result.taxes[1].base == D("220.00")


def test_a_levy_that_does_not_affect_the_base_leaves_the_percentage_on_the_net():
    levy = tax.TaxRate("Excise", D(0), per_unit=D("10.00"), currency="USD")
    result = tax.tax_line(tax.TaxLine("a", D("200.00"), (levy, VAT_10), quantity=D(2)), "USD")
    assert [t.amount for t in result.taxes] == [D("20.00"), D("20.00")]


def test_erpnext_on_item_quantity():
    per_unit = tax.TaxRate("Excise", D(0), per_unit=D(5), currency="INR")
    result = tax.tax_line(tax.TaxLine("a", D("1000.00"), (per_unit,), quantity=D(10)), "INR")
    assert result.tax == D("50.00")


def test_a_tax_inclusive_price_takes_the_levy_out_before_the_percentage():
    # 242.00 including a 20.00 levy and 10 % on net + levy: net 200.00
    line = tax.TaxLine("a", D("242.00"), (FIXED_10, VAT_10), quantity=D(2))
    result = tax.tax_line(line, "USD", inclusive=True)
    assert (result.net, result.tax) == (D("200.00"), D("42.00"))


def test_a_levy_in_another_currency_is_refused():
    with pytest.raises(ValueError, match="cannot be charged in EUR"):
        tax.tax_line(tax.TaxLine("a", D("1.00"), (FIXED_10,)), "EUR")


@given(per_unit=st.decimals("0", "50", places=4),
       quantity=st.decimals("0", "10000", places=3),
       price=st.decimals("0", "100", places=2),
       rounding=st.sampled_from(list(tax.TaxRounding)),
       currency=st.sampled_from(["USD", "JPY", "KWD"]))
def test_a_levy_is_the_amount_times_the_quantity_rounded_once(per_unit, quantity, price,
                                                              rounding, currency):
    from core.money import round_money
    levy = tax.TaxRate("Levy", D(0), per_unit=per_unit, currency=currency, affects_base=True)
    amount = round_money(price * quantity, currency)
    lines = [tax.TaxLine(str(i), amount, (levy, VAT_10), quantity=quantity) for i in range(3)]
    document = tax.tax_document(lines, currency, rounding=rounding)
    expected = round_money(per_unit * quantity, currency)
    for line in document.lines:
        assert line.taxes[0].amount == expected
        assert line.gross == line.net + line.tax
    assert document.gross == document.net + document.tax


@pytest.mark.django_db
def test_the_admin_rate_is_a_percent_or_an_amount_per_unit_in_a_currency_in_use():
    TaxRateFactory(name="Container levy", country="DE", percent=D(0),
                   per_unit_amount=D("0.25"), currency="EUR", affects_base=True).full_clean()
    for fields, field in (({"percent": D(19), "per_unit_amount": D("0.25"), "currency": "EUR"},
                           "percent"),
                          ({"percent": D(0), "per_unit_amount": D("0.25")}, "currency"),
                          ({"percent": D(0), "per_unit_amount": D("0.25"), "currency": "XTS"},
                           "currency"),
                          ({"percent": D(19), "currency": "EUR"}, "currency")):
        rate = TaxRate(name="Levy", country="FR", effective_from="2026-01-01", **fields)
        with pytest.raises(ValidationError) as error:
            rate.full_clean()
        assert field in error.value.message_dict
    assert "0.25 EUR/unit" in str(TaxRate(name="Levy", country="DE", percent=D(0),
                                          per_unit_amount=D("0.25"), currency="EUR"))
