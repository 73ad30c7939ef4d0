"""Whose turn it is, read from the transition history core records for every single-document
state change: one table of (document, transition, target) → who must act and what to tell them.

A listener on core's history row rather than calls in each stage, so no stage imports this app
and the rule for each turn is in one place. It runs inside the service's transaction (a
transition that rolls back notifies nobody), or just after commit when who acts is only known
then (approval requests are written after the quote's transition).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import NoReverseMatch, reverse

from core.actors import SYSTEM_USERNAME
from core.models import TransitionLog
from core.visibility import visible_to
from notifications.services import notify


def holders_of(permission: str) -> Callable:
    """Everyone holding the permission (through a role or directly) acts next."""
    def users(document):
        app_label, codename = permission.split(".", 1)
        perms = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        return list(get_user_model().objects.filter(Q(groups__permissions__in=perms)
                                                    | Q(user_permissions__in=perms))
                    .exclude(username=SYSTEM_USERNAME).distinct())
    return users


def user_at(path: str) -> Callable:
    """The user at this attribute path of the document ("owner", "account.owner") acts next."""
    def users(document):
        for name in path.split("."):
            document = getattr(document, name, None)
        return [document] if document is not None else []
    return users


def next_approvers(quote) -> list:
    """The deciders of the lowest level still pending: the person it was routed to, else the
    members of the level's group who may see the quote (a manager decides for their team only),
    never its owner."""
    pending = list(quote.approval_requests.filter(state="pending")
                   .select_related("approver", "group"))
    if not pending:
        return []
    level = min(request.level for request in pending)
    users = []
    for request in pending:
        if request.level == level:
            users += ([request.approver] if request.approver_id
                      else list(request.group.user_set.filter(is_active=True)))
    this_quote = type(quote).objects.filter(pk=quote.pk)
    return [user for user in users if user.pk != quote.owner_id and visible_to(
        this_quote, user, view="quotes.view_quote", view_team="quotes.view_team_quotes",
        view_all="quotes.view_all_quotes").exists()]


@dataclass(frozen=True)
class Turn:
    kind: str
    text: str  # formatted with {document}: the document the notification is about
    url_name: str
    who: Callable  # document → the users who act next
    about: str = ""  # attribute path from the changed document to the one to tell about
    after_commit: bool = False
    email: bool = True  # False where the stage already emails that person itself


TURNS = {
    ("quotes.quote", "submit", "pending_approval"): Turn(
        "approval.needed", "Quote {document} needs your approval", "quotes:detail",
        next_approvers, after_commit=True),
    ("quotes.approvalrequest", "approve", "approved"): Turn(
        "approval.needed", "Quote {document} needs your approval", "quotes:detail",
        next_approvers, about="quote", after_commit=True),
    ("quotes.quote", "approve", "approved"): Turn(
        "approval.approved", "Quote {document} is approved: send it to the customer",
        "quotes:detail", user_at("owner"), email=False),
    ("quotes.quote", "reject", "draft"): Turn(
        "approval.rejected", "Quote {document} was sent back by the approver", "quotes:detail",
        user_at("owner"), email=False),
    ("quotes.quote", "accept", "accepted"): Turn(
        "quote.accepted", "The customer accepted quote {document}", "quotes:detail",
        user_at("owner")),
    ("quotes.quote", "decline", "declined"): Turn(
        "quote.declined", "The customer declined quote {document}", "quotes:detail",
        user_at("owner")),
    ("contracts.contract", "sign", "signed"): Turn(
        "contract.signed", "Contract {document} is signed by the customer and awaits your "
        "countersignature", "contracts:detail", holders_of("contracts.countersign_contract")),
    ("orders.order", "hold", "on_credit_hold"): Turn(
        "order.credit_hold", "Order {document} is held by the credit check", "orders:detail",
        holders_of("orders.release_order")),
    ("payments.payment", "fail", "failed"): Turn(
        "payment.failed", "Payment {document} failed", "payments:detail",
        user_at("account.owner")),
}


def _tell(turn: Turn, document, actor_id) -> None:
    for name in filter(None, turn.about.split(".")):
        document = getattr(document, name)
    users = [u for u in turn.who(document) if u.pk != actor_id]
    try:
        url = reverse(turn.url_name, args=[document.pk])
    except NoReverseMatch:
        url = ""
    notify(users, kind=turn.kind, text=turn.text.format(document=document), url=url,
           document=document, email=turn.email)


@receiver(post_save, sender=TransitionLog, dispatch_uid="notifications.turns")
def tell_whose_turn(sender, instance: TransitionLog, created: bool, **kwargs):
    if not created:
        return
    kind = instance.content_type
    turn = TURNS.get((f"{kind.app_label}.{kind.model}", instance.transition, instance.target))
    if turn is None:
        return
    document = kind.get_object_for_this_type(pk=instance.object_id)
    if turn.after_commit:
        transaction.on_commit(lambda: _tell(turn, document, instance.actor_id))
    else:
        _tell(turn, document, instance.actor_id)
