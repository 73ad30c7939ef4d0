"""AR aging buckets and days sales outstanding: the one definition that the aging report
(payments) and the receivable snapshots (analytics) both use; pure, no ORM.

Money is late by the days between its due date and the day asked about; the aging of an
invoice with a due schedule is the aging of each instalment's unpaid part
(billing.selectors.open_amounts_by_age).

>>> [bucket_of(days).name for days in (-5, 0, 1, 30, 31, 90, 91)]
['current', 'current', 'days_1_30', 'days_1_30', 'days_31_60', 'days_61_90', 'over_90']
>>> days_sales_outstanding(Decimal("50000"), Decimal("150000"), 90)
Decimal('30.0')
"""

from dataclasses import dataclass
from decimal import Decimal

DAYS_PLACES = Decimal("0.1")


@dataclass(frozen=True)
class Bucket:
    name: str
    label: str
    first: int | None  # first day past due in the bucket; None: any day not yet past due
    last: int | None  # last day past due in the bucket; None: no upper end

    def holds(self, days_past_due: int) -> bool:
        return ((self.first is None or days_past_due >= self.first)
                and (self.last is None or days_past_due <= self.last))


BUCKETS = (
    Bucket("current", "Current", None, 0),
    Bucket("days_1_30", "1–30 days", 1, 30),
    Bucket("days_31_60", "31–60 days", 31, 60),
    Bucket("days_61_90", "61–90 days", 61, 90),
    Bucket("over_90", "Over 90 days", 91, None),
)
BUCKET_NAMES = tuple(bucket.name for bucket in BUCKETS)
BUCKET_LABELS = tuple(bucket.label for bucket in BUCKETS)


def bucket_of(days_past_due: int) -> Bucket:
    return next(bucket for bucket in BUCKETS if bucket.holds(days_past_due))


def days_sales_outstanding(receivable: Decimal, billed: Decimal, days: int) -> Decimal | None:
    """DSO: receivables at the period's end divided by what was billed in the period, times the
    period's days (the average days a sale takes to be collected); None when nothing was billed.
    """
    if not billed:
        return None
    return (Decimal(receivable) / Decimal(billed) * days).quantize(DAYS_PLACES)
