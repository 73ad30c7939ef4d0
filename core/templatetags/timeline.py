from django import template

from core.transitions import history_for

register = template.Library()


@register.inclusion_tag("core/_timeline.html")
def timeline(document):
    """The document's state history, oldest first, in one query."""
    return {"entries": history_for(document)}


@register.filter
def spoken(code: str) -> str:
    """A state or transition code as words: "pending_approval" → "Pending approval"."""
    return str(code).replace("_", " ").capitalize()
