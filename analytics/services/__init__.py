"""Keeping the analytics snapshots (the page reads only these and the quotes):

- `MrrSnapshot`: each account's MRR at each month's end (from the contract lines);
- `MrrMonth`: per month, owner and currency, the MRR movements and twelve-month retention
  (aggregated from the account snapshots);
- `ReceivableMonth`: per month, owner and currency, billed, receivables ledger balance, not yet
  due and AR aging buckets (aggregated from invoices and the receivables ledger).

`refresh_snapshots` rebuilds all of them for recent months; the beat task runs it nightly."""

from datetime import date

from django.db import transaction

from analytics.services.mrr import SNAPSHOT_MONTHS, refresh_mrr_snapshots
from analytics.services.receivables import refresh_receivable_months

__all__ = ["SNAPSHOT_MONTHS", "refresh_mrr_snapshots", "refresh_receivable_months",
           "refresh_snapshots"]


@transaction.atomic
def refresh_snapshots(*, on: date | None = None, months: int = SNAPSHOT_MONTHS) -> int:
    """Rebuild every analytics snapshot of the last `months` months up to `on`'s month;
    returns the rows written. Idempotent: running it twice writes the same rows."""
    return (refresh_mrr_snapshots(on=on, months=months)
            + refresh_receivable_months(on=on, months=months))
