"""What several contract services share: the policies new lines take (day count, proration
granularity, time zone), and the moment a change (an amendment, a termination) ends a line."""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from catalog.policies import default_convention, granularity_of, time_zone_of
from catalog.proration import Granularity
from core.transitions import run_bulk_transition

__all__ = ["default_day_count", "end_line_states", "moment_policies", "stop_moment", "stops_of",
           "time_zone_of"]


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


def stop_moment(change, line) -> datetime | None:
    """The moment `change` (an `EffectiveMoment`: amendment or termination) stops `line`: its
    effective time on its effective date in the line's time zone when the line is priced by
    the second (None: the line serves the day before whole, whatever the time)."""
    if line.proration_granularity != Granularity.SECOND:
        return None
    return change.moment_in(line.time_zone)


def stops_of(change, lines) -> dict[int, datetime]:
    """The `lines` priced by the second (by pk) with the moment `change` stops each."""
    return {line.pk: at for line in lines if (at := stop_moment(change, line)) is not None}


def end_line_states(change, lines, *, stops: Mapping[int, datetime], by, on: date | None,
                    note: str) -> None:
    """End `lines` (in bulk) for `change`: the day before its effective date, or at the moment
    `stops` names for a line (by pk), within the effective date."""
    groups: dict[datetime | None, list] = defaultdict(list)
    for line in lines:
        groups[stops.get(line.pk)].append(line)
    effective = change.effective_on
    for at, group in groups.items():
        run_bulk_transition(group, "end", by=by, on=on, update_fields=["end_on", "ends_at"],
                            note=note, at=at,
                            last_day=effective - timedelta(days=1) if at is None else effective)
