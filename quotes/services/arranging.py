"""Arranging a draft's lines: moving a product (with its options and components) up or down.

Sections and notes are set with `update_line`; positions stay 1..n in the order shown.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from quotes.models import Quote, QuoteLine
from quotes.services._common import locked_draft, locked_line


def _blocks(lines: Sequence[QuoteLine]) -> list[list[QuoteLine]]:
    """Top-level lines, each with the options and components that follow it."""
    blocks: list[list[QuoteLine]] = []
    for line in lines:
        if line.parent_id is None or not blocks:
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return blocks


@transaction.atomic
def move_line(*, line: QuoteLine, by, up: bool) -> Quote:
    """Move a top-level line (with its options) one place up or down; positions stay 1..n in
    the new order. Positions are unique, so the lines that move go out of the way first."""
    quote = locked_draft(line.quote, by)
    line = locked_line(line, quote)
    if line.parent_id:
        raise ValidationError({"position": "An option moves with its product."})
    lines = list(quote.lines.select_for_update(of=("self",)).order_by("position", "pk")
                 .only("pk", "position", "parent_id"))
    blocks = _blocks(lines)
    at = next(n for n, block in enumerate(blocks) if block[0].pk == line.pk)
    other = at - 1 if up else at + 1
    if not 0 <= other < len(blocks):
        return quote  # already first (or last): nothing to move
    blocks[at], blocks[other] = blocks[other], blocks[at]
    ordered = [x for block in blocks for x in block]
    moved = {x: n for n, x in enumerate(ordered, start=1) if x.position != n}
    offset = len(ordered) + max(x.position for x in ordered)
    for x in moved:
        x.position += offset
    QuoteLine.objects.bulk_update(list(moved), ["position"], batch_size=500)
    for x, position in moved.items():
        x.position = position
    QuoteLine.objects.bulk_update(list(moved), ["position"], batch_size=500)
    return quote
