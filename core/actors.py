"""Who acts on a document: a signed-in user, a named task as the `system` user, or a customer.

A customer through a signed link has no user: the valid token is the permission, and the history
keeps the signer's name and IP instead.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models

SYSTEM_USERNAME = "system"


class ActorKind(models.TextChoices):
    USER = "user", "User"
    SYSTEM = "system", "System task"
    CUSTOMER = "customer", "Customer"


@dataclass(frozen=True)
class Actor:
    kind: str
    user: object | None = None
    name: str = ""
    ip: str | None = None

    @classmethod
    def customer(cls, *, name: str, ip: str | None) -> "Actor":
        return cls(kind=ActorKind.CUSTOMER, name=name, ip=ip)

    @classmethod
    def task(cls, task_name: str) -> "Actor":
        return cls(kind=ActorKind.SYSTEM, user=system_user(), name=task_name)

    @property
    def label(self) -> str:
        if self.kind == ActorKind.USER:
            return self.user.get_full_name() or self.user.get_username()
        return self.name or self.kind

    def has_perm(self, perm: str) -> bool:
        """Customers act through a verified token; users and tasks need the permission."""
        return self.kind == ActorKind.CUSTOMER or self.user.has_perm(perm)


def as_actor(by) -> Actor:
    if isinstance(by, Actor):
        return by
    if by is None:
        raise ValueError("every action needs an actor (by=...)")
    if by.get_username() == SYSTEM_USERNAME:
        return Actor(kind=ActorKind.SYSTEM, user=by, name=SYSTEM_USERNAME)
    return Actor(kind=ActorKind.USER, user=by, name=by.get_username())


def require(by, permission: str, refusal: str) -> Actor:
    """The actor behind `by` if it holds `permission`; otherwise PermissionDenied(refusal),
    worded for the person refused ("You are not allowed to ...")."""
    actor = as_actor(by)
    if not actor.has_perm(permission):
        raise PermissionDenied(refusal)
    return actor


def system_user():
    """The user named tasks act as: it cannot log in and holds only the System role."""
    from core.roles import Role, assign_role

    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"first_name": "System", "last_name": "task"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        assign_role(user, Role.SYSTEM)
    return user
