"""What several contract services share: the creation history row and the default day-count
convention new lines take."""

from datetime import date

from django.contrib.contenttypes.models import ContentType

from catalog.policies import default_convention
from contracts.models import Contract
from core.actors import Actor
from core.models import TransitionLog


def default_day_count() -> str:
    """The day count a new contract line records (setting PRORATION_CONVENTION: "actual" or
    "30/360"); the line's own field is what its charges are computed with from then on."""
    return default_convention().day_count.value


def creation_log(contract: Contract, actor: Actor, today: date, *, transition: str = "create",
                 note: str) -> TransitionLog:
    """History for a contract that is created (not moved) into its first state."""
    return TransitionLog(
        content_type=ContentType.objects.get_for_model(Contract), object_id=contract.pk,
        transition=transition, source="", target=contract.state, actor_kind=actor.kind,
        actor=actor.user, actor_name=actor.label, actor_ip=actor.ip, note=note,
        business_date=today)


def note_on(contract: Contract, actor: Actor, today: date, *, transition: str,
            note: str) -> None:
    """A history row on the contract for an event that keeps its state (amended, credited)."""
    log = creation_log(contract, actor, today, transition=transition, note=note)
    log.source = contract.state
    log.save()
