from django import template

from notifications.selectors import deliveries_of, unread_count

register = template.Library()


@register.inclusion_tag("notifications/_inbox_link.html", takes_context=True)
def inbox_link(context):
    """The header's inbox link with the user's unread count (one query)."""
    user = context.get("user")
    return {"unread": unread_count(user) if user is not None and user.is_authenticated else 0}


@register.inclusion_tag("notifications/_deliveries.html", takes_context=True)
def deliveries(context, document):
    """A document's email history with Send again, for its page."""
    request = context["request"]
    return {"deliveries": list(deliveries_of(document)), "request": request,
            "can_send": request.user.has_perm("notifications.send_delivery")}
