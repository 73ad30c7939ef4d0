"""The one visibility rule of owned documents (accounts, quotes, contracts).

A user without the view permission sees nothing; with the "all" permission, everything; with the
"team" permission, their own and those owned by the users who report to them; else their own.
"""

from django.db.models import Q, QuerySet

from core.actors import Actor


def user_of(user):
    """Services pass actors (`core.actors.Actor`); selectors want the user behind them."""
    return user.user if isinstance(user, Actor) else user


def visible_to(queryset: QuerySet, user, *, view: str, view_team: str, view_all: str,
               owner: str = "owner") -> QuerySet:
    user = user_of(user)
    if user is None or not user.is_authenticated or not user.has_perm(view):
        return queryset.none()
    if user.has_perm(view_all):
        return queryset
    if user.has_perm(view_team):
        # The team is the users whose reporting line (customers.ReportingLine) names this manager.
        return queryset.filter(Q(**{owner: user})
                               | Q(**{f"{owner}__reporting_line__manager": user}))
    return queryset.filter(**{owner: user})
