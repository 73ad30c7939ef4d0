"""What several contract services share: the policies new lines take (day count, proration
granularity, time zone)."""

from datetime import datetime

from catalog.policies import default_convention, granularity_of, time_zone_of
from catalog.proration import Granularity

__all__ = ["default_day_count", "moment_policies", "time_zone_of"]


def default_day_count() -> str:
    """The day count a new contract line records (setting PRORATION_CONVENTION: "actual" or
    "30/360"); the line's own field is what its charges are computed with from then on."""
    return default_convention().day_count.value



def moment_policies(snapshot: dict, account, *, starts_at: datetime | None = None,
                    time_zone: str | None = None) -> dict:
    """A new line's proration granularity (its frozen price's), time zone (`time_zone`, else its
    account's) and the moment it starts (`starts_at`, kept only by a price counted by the
    second), as ContractLine fields."""
    granularity = granularity_of(snapshot)
    return {"proration_granularity": granularity.value,
            "time_zone": time_zone or time_zone_of(account),
            "starts_at": starts_at if granularity is Granularity.SECOND else None}
