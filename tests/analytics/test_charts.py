from decimal import Decimal
from xml.etree import ElementTree

from analytics import charts


def test_bar_chart_is_valid_svg_with_one_bar_per_value_and_escaped_labels():
    svg = charts.bar_chart("Movements <b>", ["Jan & Feb", "Mar"], [
        charts.Series("New", (Decimal(10), Decimal(20))),
        charts.Series("Churn", (Decimal(-5), Decimal(0))),
    ])

    root = ElementTree.fromstring(svg)  # raises if the markup is broken
    rects = [el for el in root.iter("{http://www.w3.org/2000/svg}rect")
             if el.find("{http://www.w3.org/2000/svg}title") is not None]
    assert len(rects) == 4
    assert "<b>" not in svg and "Jan &amp; Feb" in svg


def test_negative_bars_hang_below_the_zero_line():
    svg = charts.bar_chart("t", ["a", "b"], [charts.Series("s", (Decimal(10), Decimal(-10)))])
    root = ElementTree.fromstring(svg)
    up, down = [el for el in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert float(up.get("y")) < float(down.get("y"))


def test_line_chart_draws_one_point_per_label():
    svg = charts.line_chart("MRR", ["a", "b", "c"], [charts.Series("MRR", (1, 2, 3))])
    points = ElementTree.fromstring(svg).find("{http://www.w3.org/2000/svg}polyline")
    assert len(points.get("points").split()) == 3
