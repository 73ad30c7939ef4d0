"""Arranging a draft's lines: moving a product (with its options and components) up or down,
or putting several in a new order (a drag in the builder).

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
    _place([x for block in blocks for x in block])
    return quote


def _place(ordered: Sequence[QuoteLine]) -> None:
    """Store positions 1..n in `ordered`'s order. Positions are unique, so the lines that move
    go out of the way first (two bulk updates, only of the lines that move)."""
    moved = {x: n for n, x in enumerate(ordered, start=1) if x.position != n}
    if not moved:
        return
    offset = len(ordered) + max(x.position for x in ordered)
    for x in moved:
        x.position += offset
    QuoteLine.objects.bulk_update(list(moved), ["position"], batch_size=500)
    for x, position in moved.items():
        x.position = position
    QuoteLine.objects.bulk_update(list(moved), ["position"], batch_size=500)


def _order_errors(order: Sequence[int], heads: dict[int, int], options: set[int]) -> list[str]:
    if not order:
        return ["Drag at least one line."]
    errors, seen = [], set()
    for pk in order:
        if pk in seen:
            errors.append(f"Line {pk} is given twice.")
        elif pk in options:
            errors.append(f"An option moves with its product (line {pk}).")
        elif pk not in heads:
            errors.append(f"Line {pk} is not on this quote.")
        seen.add(pk)
    return errors


@transaction.atomic
def reorder_lines(*, quote: Quote, by, order: Sequence[int]) -> Quote:
    """Put the products named in `order` (top-level line ids, a page's worth or all) in that
    order, each with its options, in the places those products held; every other line keeps
    its place. Nothing moves unless every id is a product of this draft, named once."""
    quote = locked_draft(quote, by)
    lines = list(quote.lines.select_for_update(of=("self",)).order_by("position", "pk")
                 .only("pk", "position", "parent_id"))
    blocks = _blocks(lines)
    heads = {block[0].pk: n for n, block in enumerate(blocks)}
    errors = _order_errors(order, heads, {x.pk for x in lines if x.parent_id})
    if errors:
        raise ValidationError({"order": errors})
    slots = sorted(heads[pk] for pk in order)
    moving = [blocks[heads[pk]] for pk in order]
    for slot, block in zip(slots, moving, strict=True):
        blocks[slot] = block
    _place([x for block in blocks for x in block])
    return quote
