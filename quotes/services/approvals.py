"""Submitting a quote for approval and deciding it, level by level.

Submitting evaluates the active rules (quotes.approval_rules): no hit approves at once, else one
request per level and approver group. Nobody decides their own quote, so a rule's group may have
no one left for it (a sales manager's own big deal, when the other managers do not see it): the
request is then routed to the owner's manager by name (customers.ReportingLine), else escalated
to Finance, and says so. Only the lowest pending level may decide; a member of its group (or the
person it names) decides, never the quote's owner. The last approval approves the quote; one
rejection sends it back to draft with the reason and cancels the other requests. Each decision
is in the quote's timeline and emails the owner once the transaction commits.
"""


from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import clock
from core.actors import as_actor, require
from core.outbox import enqueue
from core.roles import Role
from core.transitions import run_transition
from customers.models import ReportingLine
from quotes import approval_rules
from quotes.models import ApprovalRequest, ApprovalRule, ApprovalState, Quote, QuoteState
from quotes.selectors import first_decider_in, may_decide, quote_facts_for
from quotes.services._common import locked, note_on_quote
from quotes.services.coupons import check_contract_stacking


def rule_facts() -> list[approval_rules.RuleFacts]:
    return [approval_rules.RuleFacts(key=r.pk, name=r.name, condition=r.condition,
                                     threshold=r.threshold, group=r.group.name, level=r.level,
                                     currency=r.currency)
            for r in ApprovalRule.objects.filter(active=True).select_related("group")]


def quote_facts(quote: Quote) -> approval_rules.QuoteFacts:
    """The plain snapshot the rules read (top-level and option lines that are priced)."""
    return quote_facts_for([quote])[quote.pk]


def _email_owner(quote: Quote, subject: str, body: str) -> None:
    """Through the outbox: a mail server or broker that is down delays the email, never fails
    the decision."""
    if quote.owner.email:
        enqueue("quotes.tasks.email_quote_owner_task", quote.owner.email, subject, body)


def _name(user) -> str:
    return user.get_full_name() or user.username


def _route(quote: Quote, group: Group) -> tuple[Group, object, str]:
    """Who decides a rule's level for this quote: (group, named approver or None, why)."""
    if first_decider_in(group, quote) is not None:
        return group, None, ""
    owner = _name(quote.owner)
    line = ReportingLine.objects.select_related("manager").filter(user=quote.owner_id).first()
    if line is not None and may_decide(line.manager, quote):
        return group, line.manager, (
            f"No one else in {group.name} can decide a quote of {owner}: routed to their "
            f"manager, {_name(line.manager)}.")
    finance = Group.objects.filter(name=Role.FINANCE).first()
    if finance is not None and finance != group and first_decider_in(finance, quote):
        return finance, None, (
            f"No one else in {group.name} can decide a quote of {owner} and they have no "
            f"manager who can: escalated to {finance.name}.")
    return group, None, (f"No one in {group.name} can decide a quote of {owner} yet: an "
                         f"administrator must add an approver to the group.")


def _requests(quote: Quote, hits) -> list[ApprovalRequest]:
    """One request per level and decider; rules that route to the same one are merged."""
    groups = {r.group.name: r.group for r in ApprovalRule.objects.select_related("group")
              .filter(pk__in=[h.rule.key for h in hits])}
    routes: dict[str, tuple] = {}
    requests: dict[tuple, ApprovalRequest] = {}
    for (level, group_name), level_hits in approval_rules.levels_of(hits).items():
        if group_name not in routes:
            routes[group_name] = _route(quote, groups[group_name])
        group, approver, routing = routes[group_name]
        key = (level, group.pk, approver.pk if approver else None)
        approval = requests.setdefault(key, ApprovalRequest(
            quote=quote, level=level, group=group, approver=approver, reasons=[], rules=[]))
        if routing and routing not in approval.routing:
            approval.routing = f"{approval.routing} {routing}".strip()
        approval.reasons += [reason for hit in level_hits for reason in hit.reasons]
        approval.rules += [hit.rule.name for hit in level_hits]
    return list(requests.values())


def decider_label(approval: ApprovalRequest) -> str:
    return _name(approval.approver) if approval.approver_id else approval.group.name


@transaction.atomic
def submit_for_approval(*, quote: Quote, by, on=None) -> Quote:
    """Evaluate the rules: approved at once when none hits, else pending with one request per
    level and decider (routed past the owner when the rule's group has no one else)."""
    require(by, "quotes.submit_quote", "You are not allowed to submit quotes.")
    quote = locked(quote, by)
    if quote.state != QuoteState.DRAFT:
        raise ValidationError({"state": "Only a draft can be submitted."})
    if not quote.lines.exists():
        raise ValidationError({"lines": "Add at least one line before submitting."})
    check_contract_stacking(quote)
    hits = approval_rules.approval_hits(quote_facts(quote), rule_facts())
    now = clock.now()
    if not hits:
        return run_transition(quote, "submit", by=by, on=on, needs_approval=False, at=now,
                              note="No approval rule applies.")
    requests = _requests(quote, hits)
    run_transition(quote, "submit", by=by, on=on, needs_approval=True, at=now,
                   note="Needs approval: " + "; ".join(
                       f"level {r.level} by {decider_label(r)} ({', '.join(r.rules)})"
                       + (f". {r.routing}" if r.routing else "")
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
    pending = list(quote.approval_requests.select_for_update(of=("self",)).filter(
        state=ApprovalState.PENDING).select_related("group", "approver").order_by("level", "pk"))
    if not pending:
        raise ValidationError({"state": "No approval is pending on this quote."})
    level = pending[0].level
    mine = set(actor.user.groups.values_list("pk", flat=True))
    for approval in pending:
        if approval.level != level:
            continue
        if (approval.approver_id == actor.user.pk
                or approval.approver_id is None and approval.group_id in mine):
            return approval
    waiting = ", ".join(sorted({decider_label(r) for r in pending if r.level == level}))
    raise PermissionDenied(f"This quote waits for level {level} approval by {waiting}.")


@transaction.atomic
def approve(*, quote: Quote, by, comment: str = "", on=None) -> Quote:
    """Approve the current level for the user's group; the last level approves the quote."""
    require(by, "quotes.approve_quote", "You are not allowed to approve quotes.")
    quote = locked(quote, by)
    approval = _request_to_decide(quote, by)
    now = clock.now()
    user = as_actor(by).user
    run_transition(approval, "approve", by=by, on=on, note=comment, user=user, comment=comment,
                   at=now)
    note = f"Level {approval.level} approved by {decider_label(approval)}" + (
        f": {comment}" if comment else ".")
    if quote.approval_requests.filter(state=ApprovalState.PENDING).exists():
        note_on_quote(quote, by, f"approve level {approval.level}", note, on)
        _email_owner(quote, f"{quote}: level {approval.level} approved", note)
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
    approval = _request_to_decide(quote, by)
    user = as_actor(by).user
    run_transition(approval, "reject", by=by, on=on, note=comment, user=user, comment=comment,
                   at=clock.now())
    for other in quote.approval_requests.select_for_update().filter(state=ApprovalState.PENDING):
        run_transition(other, "cancel", by=by, on=on, note="Another level rejected the quote.")
    note = f"Rejected at level {approval.level} by {decider_label(approval)}: {comment}"
    run_transition(quote, "reject", by=by, on=on, note=note)
    _email_owner(quote, f"{quote} was rejected", note)
    return quote
