from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from analytics import metrics

amounts = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)


@given(st.lists(st.tuples(amounts, amounts), max_size=30))
def test_movements_of_every_account_add_up_from_opening_to_closing(accounts):
    moves = [metrics.movement_of(previous, current) for previous, current in accounts]

    opening = sum((m.opening for m in moves), Decimal(0))
    closing = sum((m.closing for m in moves), Decimal(0))

    assert opening == sum((p for p, _ in accounts), Decimal(0))
    assert closing == sum((c for _, c in accounts), Decimal(0))


def test_each_kind_of_movement_is_named_by_what_the_account_did():
    assert metrics.movement_of(Decimal(0), Decimal(50)).new == 50
    assert metrics.movement_of(Decimal(50), Decimal(80)).expansion == 30
    assert metrics.movement_of(Decimal(80), Decimal(50)).contraction == 30
    assert metrics.movement_of(Decimal(80), Decimal(0)).churn == 80


def test_percent_has_one_place_and_no_answer_without_a_whole():
    assert metrics.percent(Decimal(1), Decimal(3)) == Decimal("33.3")
    assert metrics.percent(Decimal(1), Decimal(0)) is None


def test_collection_effectiveness_worked_example():
    # opening 100k, billed 200k, closing 120k of which 80k not yet due:
    # collected 180k of the 220k that could have been.
    assert metrics.collection_effectiveness(Decimal(100000), Decimal(200000), Decimal(120000),
                                            Decimal(80000)) == Decimal("81.8")


@given(st.lists(st.tuples(amounts, amounts), min_size=1, max_size=20))
def test_gross_retention_never_exceeds_100_percent(accounts):
    starting = sum((p for p, _ in accounts if p), Decimal(0))
    capped = sum((min(p, c) for p, c in accounts if p), Decimal(0))
    grr = metrics.gross_revenue_retention(starting, capped)
    assert grr is None or grr <= 100
