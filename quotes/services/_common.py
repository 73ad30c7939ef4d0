"""What every quote service starts with: the row lock and the draft check (the permission is
core.actors.require); and the timeline row of an event that does not move the quote."""

from django.core.exceptions import PermissionDenied, ValidationError

from core.actors import as_actor, require
from core.transitions import history_row
from quotes.models import Quote, QuoteLine, QuoteState
from quotes.selectors import quote_for_update


def number_for(year: int, value: int) -> str:
    """The quote number: Q-YYYY-NNNNN, one series per year; a quote's versions share it."""
    return f"Q-{year}-{value:05d}"


def locked(quote: Quote, by) -> Quote:
    """The quote's row, locked for the caller's transaction, if `by` may see it."""
    fresh = quote_for_update(pk=quote.pk, user=as_actor(by).user)
    if fresh is None:
        raise PermissionDenied("You cannot work on this quote.")
    return fresh


def locked_draft(quote: Quote, by) -> Quote:
    """Lock a quote `by` may change, refusing anything but a draft."""
    require(by, "quotes.change_quote", "You are not allowed to change quotes.")
    fresh = locked(quote, by)
    if fresh.state != QuoteState.DRAFT:
        raise ValidationError({"state": f"Only draft quotes can be changed; this one is "
                                        f"{fresh.get_state_display().lower()}."})
    return fresh


def locked_line(line: QuoteLine, quote: Quote) -> QuoteLine:
    """The draft's line, locked, with its product's tax category, on the locked quote."""
    line = (QuoteLine.objects.select_for_update(of=("self",))
            .select_related("product__tax_category").get(pk=line.pk, quote=quote))
    line.quote = quote
    return line


def note_on_quote(quote: Quote, by, transition: str, note: str, on) -> None:
    """A timeline row for an event that does not move the quote (a lower level approving, an
    email sent again)."""
    history_row(quote, transition, by=by, source=quote.state, target=quote.state, note=note,
                on=on).save()
