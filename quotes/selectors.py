"""The questions about quotes: which a user may see, one quote for its page, the approval queue.

`quotes_visible_to` is the one visibility rule: list, detail, search, the builder's endpoints,
the approvals queue and every service that changes a quote go through it.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from core.visibility import user_of, visible_to
from quotes import diff
from quotes.models import ApprovalRequest, ApprovalState, Quote, QuoteLine

VIEW = "quotes.view_quote"
VIEW_TEAM = "quotes.view_team_quotes"
VIEW_ALL = "quotes.view_all_quotes"




def quotes_visible_to(user) -> QuerySet[Quote]:
    """Rep: owned; manager: own and the team's; finance, accountants, system: all; else none."""
    quotes = Quote.objects.select_related("account", "owner", "contact", "price_book",
                                          "payment_terms")
    return visible_to(quotes, user, view=VIEW, view_team=VIEW_TEAM, view_all=VIEW_ALL)


def search_quotes(quotes: QuerySet[Quote], text: str) -> QuerySet[Quote]:
    text = text.strip()
    if not text:
        return quotes
    return quotes.filter(Q(number__icontains=text) | Q(account__name__icontains=text))


def quote_for_detail(*, pk, user) -> Quote:
    """The quote if the user may see it, else 404."""
    return get_object_or_404(quotes_visible_to(user), pk=pk)


def quote_for_update(*, pk, user) -> Quote | None:
    """Lock the quote row (in the caller's transaction) if the user may see it; else None."""
    return (quotes_visible_to(user).select_for_update(of=("self",)).filter(pk=pk).first())


def lines_of(quote: Quote) -> QuerySet[QuoteLine]:
    """Lines for pages and rules; the price snapshot (JSON) is left out until it is needed."""
    return (quote.lines.select_related("product").defer("price_snapshot")
            .order_by("position", "pk"))


def approval_requests_of(quote: Quote) -> QuerySet[ApprovalRequest]:
    return quote.approval_requests.select_related("group", "decided_by").order_by(
        "-created_at", "level", "pk")


def approvals_queue(user) -> QuerySet[ApprovalRequest]:
    """Pending requests of the user's groups on quotes they may see, not on their own quotes,
    at each quote's current (lowest pending) level."""
    user = user_of(user)
    if not user.is_authenticated or not user.has_perm("quotes.approve_quote"):
        return ApprovalRequest.objects.none()
    visible = quotes_visible_to(user).exclude(owner=user).values("pk")
    pending = ApprovalRequest.objects.filter(state=ApprovalState.PENDING)
    lower = pending.filter(quote=OuterRef("quote"), level__lt=OuterRef("level"))
    return (pending.filter(group__in=user.groups.all(), quote__in=visible)
            .exclude(Exists(lower))
            .select_related("quote", "quote__account", "quote__owner", "group")
            .order_by("quote__submitted_at", "pk"))


def line_snapshots(quote: Quote) -> list[diff.LineSnapshot]:
    return [
        diff.LineSnapshot(
            position=line.position, sku=line.product.sku, name=line.product.name,
            billing_period=line.billing_period, quantity=line.quantity,
            discount_percent=line.discount_percent,
            discount_per_period=line.discount_per_period, net_amount=line.net_amount)
        for line in lines_of(quote)
    ]


def diff_against_previous(quote: Quote) -> diff.QuoteDiff | None:
    """What changed against the version this one revises (None for a first version)."""
    if quote.revises_id is None:
        return None
    return diff.quote_diff(line_snapshots(quote.revises), line_snapshots(quote))
