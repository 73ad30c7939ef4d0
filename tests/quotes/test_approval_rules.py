"""The pure approval rules: which rules a quote hits, at which level, and why in words."""

from dataclasses import replace
from decimal import Decimal as D

from quotes.approval_rules import LineFacts, QuoteFacts, RuleFacts, approval_hits, levels_of

LINE_20 = RuleFacts(1, "Line discount above 20%", "line_discount", D(20), "Finance", 1)
TOTAL_10 = RuleFacts(2, "Total discount above 10%", "total_discount", D(10), "Finance", 1)
TCV_250K = RuleFacts(3, "TCV above 250,000 USD", "tcv_above", D(250000), "Sales Manager", 2,
                     "USD")
TERMS_45 = RuleFacts(4, "Terms over 45 days", "payment_terms", D(45), "Finance", 1)
RULES = [TCV_250K, LINE_20, TOTAL_10, TERMS_45]


def seat_line(position=1, discount="0", quantity=10, cost=D(2)):
    list_amount = D(360) * quantity
    off = list_amount * D(discount) / 100
    return LineFacts(position=position, sku="SEAT-USER", name="User seat", quantity=D(quantity),
                     cost_months=D(12), list_amount=list_amount, discount_amount=off,
                     net_amount=list_amount - off, unit_cost=cost)


def facts(*lines, days=30, currency="USD"):
    list_total = sum((x.list_amount for x in lines), D(0))
    off = sum((x.discount_amount for x in lines), D(0))
    return QuoteFacts(currency=currency, term_months=12, list_total=list_total,
                      discount_total=off, total_contract_value=list_total - off,
                      payment_terms_name=f"Net {days}", payment_terms_days=days,
                      lines=tuple(lines))


def test_no_rule_hits_a_small_quote_at_list_price():
    assert approval_hits(facts(seat_line()), RULES) == []


def test_discount_exactly_at_the_threshold_does_not_hit():
    hits = approval_hits(facts(seat_line(discount="10"), seat_line(2, discount="10")), RULES)
    assert hits == []


def test_a_big_line_discount_says_the_discount_margin_and_revenue_given_away():
    # given a 25% discount on 10 seats at 360 a year with a unit cost of 2 a month
    hits = approval_hits(facts(seat_line(discount="25")), [LINE_20])
    # then the reason names the line, the discount, the amount given away and the margin
    (hit,) = hits
    (reason,) = hit.reasons
    assert "Line 1 SEAT-USER: 25.0% off (above 20.0%)" in reason
    assert "900.00 USD given away over the term" in reason
    assert "margin 91.1% against unit cost" in reason  # (2700 - 240) / 2700
    assert reason.endswith("Rule: Line discount above 20%.")


def test_several_rules_route_to_levels_and_groups():
    big = seat_line(discount="25", quantity=1000)
    hits = approval_hits(facts(big, days=60), RULES)
    assert [h.rule.name for h in hits] == [
        "Line discount above 20%", "Terms over 45 days", "Total discount above 10%",
        "TCV above 250,000 USD"]
    assert list(levels_of(hits)) == [(1, "Finance"), (2, "Sales Manager")]
    assert any("last amount due after 60 days" in r for h in hits for r in h.reasons)


def test_an_amount_rule_compares_other_currencies_at_the_dated_rate():
    from dataclasses import replace
    from datetime import date

    big, small = seat_line(quantity=1000), seat_line(quantity=500)  # 360,000 and 180,000
    rates = (("EUR", D("1.10")), ("USD", D("1")))
    eur = replace(facts(big, currency="EUR"), rates=rates, rates_on=date(2026, 1, 1))

    assert approval_hits(eur, [TCV_250K])[0].reasons == (
        "Total contract value 360,000.00 EUR (396,000.00 USD at the rates of 2026-01-01) is "
        "above 250,000.00 USD. Rule: TCV above 250,000 USD.",)
    assert approval_hits(replace(facts(small, currency="EUR"), rates=rates,
                                 rates_on=date(2026, 1, 1)), [TCV_250K]) == []
    assert approval_hits(facts(big), [TCV_250K])[0].reasons == (
        "Total contract value 360,000.00 USD is above 250,000.00 USD. "
        "Rule: TCV above 250,000 USD.",)


def test_an_amount_rule_without_a_rate_asks_for_approval_rather_than_passing():
    from dataclasses import replace
    from datetime import date

    eur = replace(facts(seat_line(quantity=10), currency="EUR"), rates_on=date(2026, 1, 1))
    assert approval_hits(eur, [TCV_250K])[0].reasons == (
        "Total contract value 3,600.00 EUR cannot be compared with 250,000.00 USD: no "
        "exchange rate of EUR or USD on 2026-01-01 (add one on the Exchange rates page). "
        "Rule: TCV above 250,000 USD.",)


def test_margin_is_unknown_without_a_unit_cost():
    (hit,) = approval_hits(facts(seat_line(discount="30", cost=None)), [LINE_20])
    assert "no unit cost on file" in hit.reasons[0]


def test_a_coupon_counts_as_discount_on_its_line_and_on_the_quote():
    # 10 seats at 360 a year, 5% off (180.00), and a coupon taking 1,710.00 more off the line
    # (Stripe's percent_off coupon on top of a price's discount): 1,890.00 of 3,600.00 = 52.5%
    line = seat_line(discount="5")
    couponed = replace(line, coupon_amount=D("1710.00"), net_amount=D("1710.00"))
    quote = replace(facts(line), coupon_total=D("1710.00"), total_contract_value=D("1710.00"),
                    lines=(couponed,))

    assert approval_hits(facts(line), [LINE_20, TOTAL_10]) == []
    line_hit, total_hit = approval_hits(quote, [LINE_20, TOTAL_10])
    assert ("52.5% off (above 20.0%), 1,890.00 USD (1,710.00 USD by coupons) given away over "
            "the term") in line_hit.reasons[0]
    assert ("Total discount 52.5% (above 10.0%): 1,890.00 USD (1,710.00 USD by coupons) given "
            "away over 12 months") in total_hit.reasons[0]
    assert "margin 86.0% against unit cost" in line_hit.reasons[0]  # (1710 - 240) / 1710
