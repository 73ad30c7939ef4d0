"""The aging buckets and DSO that every page shares (billing.aging)."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from billing.aging import BUCKETS, bucket_of, days_sales_outstanding


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_every_day_past_due_falls_in_exactly_one_bucket(days):
    assert sum(bucket.holds(days) for bucket in BUCKETS) == 1
    assert bucket_of(days).holds(days)


def test_dso_is_receivable_over_billed_times_days():
    # 50,000 receivable against 150,000 billed over a 90-day quarter: a third of the quarter
    assert days_sales_outstanding(Decimal(50000), Decimal(150000), 90) == Decimal("30.0")
    assert days_sales_outstanding(Decimal(1), Decimal(0), 90) is None
