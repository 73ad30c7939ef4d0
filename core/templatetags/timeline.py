from django import template

from core.transitions import history_for

register = template.Library()


@register.inclusion_tag("core/_timeline.html")
def timeline(document):
    """The document's state history, oldest first, in one query."""
    return {"entries": history_for(document)}
