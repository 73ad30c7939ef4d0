"""The pure version diff: lines added, removed and repriced."""

from decimal import Decimal as D

from quotes.diff import LineSnapshot, quote_diff


def line(position, sku, quantity=1, discount="0", net="100", period="monthly"):
    return LineSnapshot(position=position, sku=sku, name=sku.title(), billing_period=period,
                        quantity=D(quantity), discount_percent=D(discount),
                        discount_per_period=D(0), net_amount=D(net))


def test_the_same_lines_are_unchanged():
    lines = [line(1, "SEAT-USER"), line(2, "ONBOARDING", period="one_time")]
    assert quote_diff(lines, list(lines)).unchanged


def test_added_removed_and_repriced_lines():
    old = [line(1, "SEAT-USER", 10, net="3600"), line(2, "ONBOARDING", period="one_time"),
           line(3, "SEAT-SSO")]
    new = [line(1, "SEAT-USER", 12, "10", net="3888"), line(2, "SEAT-SSO"),
           line(3, "DEVICE-GW", period="one_time")]
    result = quote_diff(old, new)
    assert [x.sku for x in result.added] == ["DEVICE-GW"]
    assert [x.sku for x in result.removed] == ["ONBOARDING"]
    assert [(r.old.quantity, r.new.quantity, r.old.net_amount, r.new.net_amount)
            for r in result.repriced] == [(D(10), D(12), D(3600), D(3888))]


def test_repeated_products_match_in_order_of_position():
    old = [line(1, "SEAT-USER", 5), line(2, "SEAT-USER", 7)]
    new = [line(1, "SEAT-USER", 5), line(2, "SEAT-USER", 7), line(3, "SEAT-USER", 9)]
    result = quote_diff(old, new)
    assert [x.quantity for x in result.added] == [D(9)] and not result.repriced


def test_a_different_billing_period_is_another_line():
    result = quote_diff([line(1, "SEAT-USER")], [line(1, "SEAT-USER", period="annual")])
    assert len(result.added) == 1 and len(result.removed) == 1
