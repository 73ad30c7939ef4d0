"""EU VAT treatment by rule (catalog.tax.vat_treatment): worked examples with the articles of
Council Directive 2006/112/EC they apply, and properties. No database.

The VAT IDs are the public test numbers python-stdnum and the Commission's VIES examples use
(their check digits are valid; validity in VIES is not asked here)."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.tax import (
    EU_MEMBER_STATES,
    DistanceSales,
    Exemption,
    Supply,
    TaxRate,
    VatCategory,
    vat_id_country,
    vat_treatment,
    with_rates,
)

BELGIAN_VAT_ID = "BE0477472701"
GERMAN_VAT_ID = "DE811128135"
GREEK_VAT_ID = "EL094259216"


def treat(buyer, supply, vat_id="", seller="DE", **kwargs):
    return vat_treatment(seller_country=seller, buyer_country=buyer, supply=Supply(supply),
                         buyer_vat_id=vat_id, **kwargs)


def test_domestic_supplies_are_taxed_at_the_sellers_rate():
    treatment = treat("DE", "services", GERMAN_VAT_ID)

    assert (treatment.category, treatment.rates_country, treatment.exemption) == (
        VatCategory.STANDARD, "DE", None)


def test_b2b_services_to_another_member_state_are_reverse_charged():
    """Art. 44 (place of supply: where the customer is established) and Art. 196 (the customer
    pays); Art. 226(11a): the invoice mentions "Reverse charge"."""
    treatment = treat("BE", "digital", BELGIAN_VAT_ID)

    assert (treatment.category, treatment.rates_country) == (VatCategory.REVERSE_CHARGE, None)
    assert treatment.exemption == Exemption("Reverse charge", "VATEX-EU-AE")
    assert not treatment.charged


def test_goods_to_a_business_in_another_member_state_are_an_intra_community_supply():
    """Art. 138(1): exempt supply of goods dispatched to a taxable person in another state."""
    treatment = treat("BE", "goods", BELGIAN_VAT_ID)

    assert treatment.category is VatCategory.INTRA_COMMUNITY
    assert treatment.exemption == Exemption("Intra-Community supply", "VATEX-EU-IC")


def test_a_vat_id_of_another_country_than_the_buyers_makes_no_business():
    """The reverse charge needs the buyer identified in its own member state: a German VAT ID on
    a Belgian address is not evidence of a Belgian taxable person."""
    assert treat("BE", "digital", GERMAN_VAT_ID).category is VatCategory.STANDARD


def test_an_invalid_vat_id_makes_no_business():
    assert treat("BE", "services", "BE0477472702").category is VatCategory.STANDARD


def test_b2c_digital_services_take_the_consumers_rate_through_the_oss():
    """Art. 58 (place of supply of electronically supplied services to consumers) and the
    special scheme of Art. 369a-369k: the French consumer pays French VAT."""
    treatment = treat("FR", "digital")

    assert (treatment.category, treatment.rates_country, treatment.oss) == (
        VatCategory.STANDARD, "FR", True)


def test_b2c_distance_sales_of_goods_take_the_consumers_rate_through_the_oss():
    """Art. 33(a), with the EUR 10,000 threshold of Art. 59c taken as passed."""
    treatment = treat("FR", "goods")

    assert (treatment.rates_country, treatment.oss, treatment.article) == ("FR", True, "Art. 33")


@pytest.mark.parametrize("supply", ["digital", "goods"])
def test_within_the_eur_10000_threshold_b2c_supplies_stay_at_the_sellers_rate(supply):
    """Art. 59c(1): a seller established in one member state whose B2C TBE services and
    distance sales to other member states stay within EUR 10,000 this year and last taxes them
    at home; the line says so (the Commission's Explanatory Notes on the VAT e-commerce rules,
    2020, on the EUR 10 000 threshold)."""
    sales = DistanceSales(this_year=D("9999.99"), last_year=D("4200.00"))

    treatment = treat("FR", supply, distance_sales=sales)

    assert (treatment.category, treatment.rates_country, treatment.oss, treatment.article) == (
        VatCategory.STANDARD, "DE", False, "Art. 59c")
    assert treatment.reason == ("Art. 59c: EU distance sales EUR 9,999.99 this year and EUR "
                                "4,200.00 last year, within EUR 10,000: taxed where the seller "
                                "is")


@pytest.mark.parametrize(("this_year", "last_year", "opted"), [
    ("10000.01", "0", False),   # passed during this year: from the supply that passes it
    ("0", "10000.01", False),   # passed last year: destination all this year
    ("10.00", "0", True),       # opted for the destination (Art. 59c(3))
])
def test_past_the_threshold_or_opted_in_b2c_supplies_go_through_the_oss(this_year, last_year,
                                                                         opted):
    sales = DistanceSales(D(this_year), D(last_year), opted_for_destination=opted)

    treatment = treat("FR", "digital", distance_sales=sales)

    assert (treatment.rates_country, treatment.oss) == ("FR", True)
    assert treatment.reason.startswith("Art. 58: B2C supply taxed in FR")


def test_exactly_eur_10000_is_still_within_the_threshold():
    """"does not exceed EUR 10 000" (Art. 59c(1)(c))."""
    assert DistanceSales(D(10_000), D(10_000)).below_threshold


def test_the_threshold_leaves_b2b_and_general_services_alone():
    sales = DistanceSales(D(0), D(0))

    assert treat("BE", "digital", BELGIAN_VAT_ID, distance_sales=sales).category is (
        VatCategory.REVERSE_CHARGE)
    assert treat("FR", "services", distance_sales=sales).article == "Art. 45"


def test_general_b2c_services_stay_at_the_sellers_rate():
    """Art. 45: the general rule for consumers is where the supplier is established."""
    treatment = treat("FR", "services")

    assert (treatment.category, treatment.rates_country, treatment.oss) == (
        VatCategory.STANDARD, "DE", False)


@pytest.mark.parametrize(("supply", "article"), [("goods", "Art. 146"),
                                                 ("services", "Art. 44, 59"),
                                                 ("digital", "Art. 44, 59")])
def test_supplies_to_customers_outside_the_eu_bear_no_eu_vat(supply, article):
    treatment = treat("CH", supply)

    assert (treatment.category, treatment.rates_country, treatment.article) == (
        VatCategory.EXPORT, None, article)
    assert treatment.exemption == Exemption("Export outside the EU", "VATEX-EU-G")


def test_an_exempt_customer_is_exempt_with_its_reason():
    reason = Exemption("Exempt: diplomatic mission, Art. 151(1)(a)")

    treatment = treat("DE", "services", buyer_exempt=reason)

    assert (treatment.category, treatment.exemption) == (VatCategory.EXEMPT, reason)


def test_an_exempt_kind_of_supply_is_exempt_at_home_and_reverse_charged_abroad():
    """Art. 132(1)(i) exempts education where it is supplied; a business customer abroad
    receives it under the reverse charge of its own state."""
    training = Exemption("Exempt education service, Art. 132(1)(i)", "VATEX-EU-132-1I")

    assert treat("DE", "services", category_exemption=training).category is VatCategory.EXEMPT
    assert treat("BE", "services", BELGIAN_VAT_ID,
                 category_exemption=training).category is VatCategory.REVERSE_CHARGE


def test_a_seller_outside_the_eu_keeps_the_destinations_rates():
    treatment = treat("CA", "services", seller="US")

    assert (treatment.category, treatment.rates_country) == (VatCategory.STANDARD, "CA")


def test_standard_with_zero_rates_is_zero_rated():
    treatment = treat("DE", "goods")

    assert with_rates(treatment, (TaxRate("VAT", 0),)).category is VatCategory.ZERO
    assert with_rates(treatment, (TaxRate("VAT", 19),)).category is VatCategory.STANDARD


def test_greece_writes_el_in_its_vat_ids():
    assert vat_id_country(GREEK_VAT_ID) == "GR"
    assert treat("GR", "services", GREEK_VAT_ID).category is VatCategory.REVERSE_CHARGE


MEMBER = st.sampled_from(sorted(EU_MEMBER_STATES))


@given(seller=MEMBER, buyer=st.one_of(MEMBER, st.sampled_from(["CH", "US", "GB", "NO"])),
       supply=st.sampled_from(list(Supply)), business=st.booleans())
def test_only_a_standard_treatment_charges_and_every_untaxed_one_says_why(seller, buyer, supply,
                                                                        business):
    vat_id = BELGIAN_VAT_ID if business and buyer == "BE" else ""

    treatment = treat(buyer, supply, vat_id, seller=seller)

    assert treatment.charged == (treatment.category is VatCategory.STANDARD)
    assert treatment.charged or treatment.exemption is not None
    # a charged supply is taxed at home or, through the OSS, where the consumer is
    assert treatment.rates_country in (None, seller, buyer)
    assert treatment.oss == (treatment.charged and treatment.rates_country != seller)


def test_the_note_names_the_exemption_and_its_article_of_the_directive():
    """Art. 226(11): an exempt invoice refers to the provision of the directive (or national
    law) it rests on; the rule's own reason is kept where it chose the rates (Art. 59c)."""
    assert treat("BE", "digital", BELGIAN_VAT_ID).note == (
        "Reverse charge (Art. 44, 196 Directive 2006/112/EC)")
    assert treat("BE", "goods", BELGIAN_VAT_ID).note == (
        "Intra-Community supply (Art. 138 Directive 2006/112/EC)")
    assert treat("DE", "services").note == ""
    within = treat("FR", "digital", distance_sales=DistanceSales(D(10), D(0)))
    assert within.note == within.reason and within.note.startswith("Art. 59c")


@given(st.sampled_from(sorted(EU_MEMBER_STATES - {"DE"})), st.sampled_from(list(Supply)),
       st.booleans())
def test_only_b2c_digital_and_goods_to_another_member_state_are_distance_sales(buyer, supply,
                                                                             within):
    """Art. 59c(1)(b) counts intra-Community distance sales of goods and TBE services to
    consumers, whichever side of the threshold they fall on; B2B and general services never."""
    sales = DistanceSales(D(0) if within else D(20_000), D(0))

    consumer = treat(buyer, supply, distance_sales=sales)
    business = treat(buyer, supply, BELGIAN_VAT_ID if buyer == "BE" else GREEK_VAT_ID,
                     distance_sales=sales)

    assert consumer.distance_sale is (supply is not Supply.SERVICES)
    assert consumer.oss is (supply is not Supply.SERVICES and not within)
    if buyer in ("BE", "GR"):
        assert not business.distance_sale
