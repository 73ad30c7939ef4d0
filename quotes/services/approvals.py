"""Submitting a quote for approval and deciding it, level by level.

Submitting evaluates the active rules (quotes.approval_rules): no hit approves at once, else one
request per level and approver group. Only the lowest pending level may decide; a member of its
group decides, never the quote's owner. The last approval approves the quote; one rejection
sends it back to draft with the reason and cancels the other requests. Each decision is in the
quote's timeline and emails the owner once the transaction commits.
"""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from core.actors import as_actor
from core.dates import business_date
from core.models import TransitionLog
from core.transitions import run_transition
from quotes import approval_rules
from quotes.models import ApprovalRequest, ApprovalRule, ApprovalState, Quote, QuoteState
from quotes.selectors import lines_of
from quotes.services._common import locked, require


def rule_facts() -> list[approval_rules.RuleFacts]:
    return [approval_rules.RuleFacts(key=r.pk, name=r.name, condition=r.condition,
                                     threshold=r.threshold, group=r.group.name, level=r.level,
                                     currency=r.currency)
            for r in ApprovalRule.objects.filter(active=True).select_related("group")]


def _unit_cost(product, currency: str):
    cost = product.unit_cost
    if cost is None or str(cost.currency) != currency:
        return None
    return cost.amount


def quote_facts(quote: Quote) -> approval_rules.QuoteFacts:
    """The plain snapshot the rules read (top-level and option lines that are priced)."""
    lines = tuple(
        approval_rules.LineFacts(
            position=line.position, sku=line.product.sku, name=line.product.name,
            quantity=line.quantity,
            cost_months=Decimal(quote.term_months if line.is_recurring else 1),
            list_amount=line.list_amount, discount_amount=line.discount_amount,
            net_amount=line.net_amount, unit_cost=_unit_cost(line.product, quote.currency))
        for line in lines_of(quote) if not line.included)
    return approval_rules.QuoteFacts(
        currency=quote.currency, term_months=quote.term_months, list_total=quote.list_total,
        discount_total=quote.discount_total, total_contract_value=quote.total_contract_value,
        payment_terms_name=quote.payment_terms.name,
        payment_terms_days=quote.payment_terms.longest_days, lines=lines)


def _email_owner(quote: Quote, subject: str, body: str) -> None:
    email = quote.owner.email
    if email:
        transaction.on_commit(lambda: send_mail(subject, body, None, [email]))


def _note_on_quote(quote: Quote, by, transition: str, note: str, on) -> None:
    """A timeline row for a decision that does not move the quote (a lower level approving)."""
    actor = as_actor(by)
    TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(quote), object_id=quote.pk,
        transition=transition, source=quote.state, target=quote.state, actor_kind=actor.kind,
        actor=actor.user, actor_name=actor.label, actor_ip=actor.ip, note=note,
        business_date=business_date(on))


@transaction.atomic
def submit_for_approval(*, quote: Quote, by, on=None) -> Quote:
    """Evaluate the rules: approved at once when none hits, else pending with one request per
    level and approver group."""
    require(by, "quotes.submit_quote", "You are not allowed to submit quotes.")
    quote = locked(quote, by)
    if quote.state != QuoteState.DRAFT:
        raise ValidationError({"state": "Only a draft can be submitted."})
    if not quote.lines.exists():
        raise ValidationError({"lines": "Add at least one line before submitting."})
    hits = approval_rules.approval_hits(quote_facts(quote), rule_facts())
    now = timezone.now()
    if not hits:
        return run_transition(quote, "submit", by=by, on=on, needs_approval=False, at=now,
                              note="No approval rule applies.")
    groups = {r.group.name: r.group for r in ApprovalRule.objects.select_related("group")
              .filter(pk__in=[h.rule.key for h in hits])}
    requests = [
        ApprovalRequest(quote=quote, level=level, group=groups[group],
                        reasons=[reason for hit in level_hits for reason in hit.reasons],
                        rules=[hit.rule.name for hit in level_hits])
        for (level, group), level_hits in approval_rules.levels_of(hits).items()]
    run_transition(quote, "submit", by=by, on=on, needs_approval=True, at=now,
                   note="Needs approval: " + "; ".join(
                       f"level {r.level} by {r.group.name} ({', '.join(r.rules)})"
                       for r in requests))
    ApprovalRequest.objects.bulk_create(requests)
    return quote


def _request_to_decide(quote: Quote, by) -> ApprovalRequest:
    """The pending request of the lowest level that `by` may decide, locked."""
    actor = as_actor(by)
    if quote.state != QuoteState.PENDING_APPROVAL:
        raise ValidationError({"state": "This quote is not waiting for approval."})
    if quote.owner_id == actor.user.pk:
        raise PermissionDenied("Nobody approves their own quote: ask another approver.")
    pending = list(quote.approval_requests.select_for_update().filter(
        state=ApprovalState.PENDING).select_related("group").order_by("level", "pk"))
    if not pending:
        raise ValidationError({"state": "No approval is pending on this quote."})
    level = pending[0].level
    mine = set(actor.user.groups.values_list("pk", flat=True))
    for request in pending:
        if request.level == level and request.group_id in mine:
            return request
    waiting = ", ".join(sorted({r.group.name for r in pending if r.level == level}))
    raise PermissionDenied(f"This quote waits for level {level} approval by {waiting}.")


@transaction.atomic
def approve(*, quote: Quote, by, comment: str = "", on=None) -> Quote:
    """Approve the current level for the user's group; the last level approves the quote."""
    require(by, "quotes.approve_quote", "You are not allowed to approve quotes.")
    quote = locked(quote, by)
    request = _request_to_decide(quote, by)
    now = timezone.now()
    user = as_actor(by).user
    run_transition(request, "approve", by=by, on=on, note=comment, user=user, comment=comment,
                   at=now)
    note = f"Level {request.level} approved by {request.group.name}" + (
        f": {comment}" if comment else ".")
    if quote.approval_requests.filter(state=ApprovalState.PENDING).exists():
        _note_on_quote(quote, by, f"approve level {request.level}", note, on)
        _email_owner(quote, f"{quote}: level {request.level} approved", note)
    else:
        run_transition(quote, "approve", by=by, on=on, note=note, at=now)
        _email_owner(quote, f"{quote} is approved", f"{note}\nThe quote can now be sent.")
    return quote


@transaction.atomic
def reject(*, quote: Quote, by, comment: str, on=None) -> Quote:
    """Send the quote back to draft with the reason; the other open requests are cancelled."""
    require(by, "quotes.approve_quote", "You are not allowed to reject quotes.")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "Say why the quote is rejected."})
    quote = locked(quote, by)
    request = _request_to_decide(quote, by)
    user = as_actor(by).user
    run_transition(request, "reject", by=by, on=on, note=comment, user=user, comment=comment,
                   at=timezone.now())
    for other in quote.approval_requests.select_for_update().filter(state=ApprovalState.PENDING):
        run_transition(other, "cancel", by=by, on=on, note="Another level rejected the quote.")
    note = f"Rejected at level {request.level} by {request.group.name}: {comment}"
    run_transition(quote, "reject", by=by, on=on, note=note)
    _email_owner(quote, f"{quote} was rejected", note)
    return quote
