"""Gapless document numbers.

The sequence row is locked (`select_for_update`) for the rest of the caller's transaction: a
rolled-back document gives its number back, and two writers never get the same one.
"""

from django.db import IntegrityError, transaction

from core.models import NumberSequence


def _locked_sequence(key: str) -> NumberSequence:
    try:
        return NumberSequence.objects.select_for_update().get(key=key)
    except NumberSequence.DoesNotExist:
        try:
            with transaction.atomic():
                NumberSequence.objects.create(key=key)
        except IntegrityError:
            pass  # another transaction created it first; lock theirs
        return NumberSequence.objects.select_for_update().get(key=key)


@transaction.atomic(savepoint=False)  # no savepoint: a failure here fails the caller
def next_numbers(key: str, count: int = 1) -> range:
    """Reserve `count` consecutive numbers of the series `key` in the caller's transaction."""
    sequence = _locked_sequence(key)
    first = sequence.last_value + 1
    sequence.last_value += count
    sequence.save(update_fields=["last_value"])
    return range(first, first + count)


def next_number(key: str) -> int:
    return next_numbers(key, 1)[0]
