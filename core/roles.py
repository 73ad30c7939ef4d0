"""Roles as Django groups, and the one table that says what each role may do.

Each app lists, in its `grants.py`, the "app_label.codename" permissions each role holds on its
documents, so core imports no other app; the merged table is applied after every migrate,
idempotently (groups get exactly the listed permissions).
"""

import importlib
import importlib.util

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class Role(models.TextChoices):
    SALES_REP = "Sales Rep"
    SALES_MANAGER = "Sales Manager"
    FINANCE = "Finance"
    ACCOUNTANT = "Accountant"
    CATALOG_ADMIN = "Catalog Admin"
    SYSTEM = "System"


# Roles whose users work in Django admin (limited there by these same permissions).
STAFF_ROLES = {Role.FINANCE, Role.ACCOUNTANT, Role.CATALOG_ADMIN}


def role_permissions() -> dict[str, list[str]]:
    """Each role's permissions, gathered from every installed app's `grants.GRANTS`.

    An app says what each role may do with its own documents in its `grants.py`, next to the
    permissions its models declare; core only merges them (as admin autodiscovers `admin.py`).
    """
    from django.apps import apps

    table: dict[str, list[str]] = {role: [] for role in Role}
    for config in apps.get_app_configs():
        if importlib.util.find_spec(f"{config.name}.grants") is None:
            continue
        grants = importlib.import_module(f"{config.name}.grants").GRANTS
        for role, names in grants.items():
            table[role].extend(name for name in names if name not in table[role])
    return table


def _resolve(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = list(
        Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={code for _, code in wanted},
        ).select_related("content_type")
    )
    found = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise ImproperlyConfigured(f"Role table names unknown permissions: {sorted(missing)}")
    return found


def apply_roles() -> None:
    """Make each role's group hold exactly the permissions of the table."""
    for role, names in role_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(_resolve(names))


def apply_roles_after_migrate(sender, app_config=None, using="default", plan=None, **kwargs):
    # Runs once per migrate (for the last app), after every app's permissions exist.
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if app_config is with_models[-1]:
        apply_roles()


def assign_role(user, role: str) -> None:
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    if role in STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])


def roles_of(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_q2c_roles"):
        user._q2c_roles = set(user.groups.values_list("name", flat=True))
    return user._q2c_roles

