"""Roles as Django groups, and the one table that says what each role may do.

The table names permissions as "app_label.codename" strings, so core imports no other app; it is
applied after every migrate, idempotently (groups get exactly the listed permissions).
"""

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

_VIEW_CUSTOMERS = [
    "customers.view_account", "customers.view_contact", "customers.view_paymentterms",
]
_EDIT_CUSTOMERS = [
    "customers.add_account", "customers.change_account",
    "customers.add_contact", "customers.change_contact", "customers.delete_contact",
]
_VIEW_LEDGER = [
    "ledger.view_glaccount", "ledger.view_accountingperiod", "ledger.view_journalentry",
    "ledger.view_journalline", "ledger.view_exchangerate",
]
_SELL_QUOTES = [
    "quotes.view_quote", "quotes.add_quote", "quotes.change_quote", "quotes.submit_quote",
    "quotes.revise_quote", "quotes.send_quote",
]
_SELL_CONTRACTS = ["contracts.view_contract", "contracts.view_contractline",
                   "contracts.send_contract"]
_VIEW_ALL_CONTRACTS = ["contracts.view_contract", "contracts.view_contractline",
                       "contracts.view_all_contracts"]
_CATALOG_MODELS = [
    "product", "standalonesellingprice", "optiongroup", "productoption", "configurationrule",
    "bundlecomponent", "pricebook", "pricebookentry", "pricetier", "taxcategory", "taxrate",
]
_VIEW_CATALOG = [f"catalog.view_{model}" for model in _CATALOG_MODELS]
_EDIT_CATALOG = [
    f"catalog.{action}_{model}"
    for model in _CATALOG_MODELS for action in ("add", "change", "delete")
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.SALES_REP: [*_VIEW_CUSTOMERS, *_EDIT_CUSTOMERS, *_VIEW_CATALOG, *_SELL_QUOTES,
                     *_SELL_CONTRACTS],
    Role.SALES_MANAGER: [*_VIEW_CUSTOMERS, *_EDIT_CUSTOMERS, *_VIEW_CATALOG,
                         "customers.view_team_accounts", *_SELL_QUOTES,
                         "quotes.view_team_quotes", "quotes.approve_quote",
                         *_SELL_CONTRACTS, "contracts.view_team_contracts"],
    Role.FINANCE: [
        *_VIEW_CUSTOMERS, *_EDIT_CUSTOMERS, *_VIEW_LEDGER, *_VIEW_CATALOG,
        "catalog.view_pricechange",
        "customers.view_all_accounts", "customers.import_accounts",
        "customers.add_paymentterms", "customers.change_paymentterms",
        "customers.set_overdue_flag",
        "ledger.add_exchangerate", "ledger.change_exchangerate", "ledger.import_rates",
        "ledger.post_entries",
        "quotes.view_quote", "quotes.view_quoteline", "quotes.view_all_quotes",
        "quotes.approve_quote", "quotes.view_approvalrequest", "quotes.view_approvalrule",
        "quotes.add_approvalrule", "quotes.change_approvalrule",
        *_VIEW_ALL_CONTRACTS, "contracts.add_contract", "contracts.countersign_contract",
        "contracts.activate_contract", "contracts.terminate_contract",
        "contracts.view_contracttemplate",
        "contracts.add_contracttemplate", "contracts.change_contracttemplate",
    ],
    Role.ACCOUNTANT: [
        *_VIEW_CUSTOMERS, *_VIEW_LEDGER, *_VIEW_CATALOG,
        "catalog.view_pricechange",
        "customers.view_all_accounts",
        "ledger.add_glaccount", "ledger.change_glaccount",
        "ledger.add_exchangerate", "ledger.change_exchangerate", "ledger.import_rates",
        "ledger.post_entries", "ledger.start_close", "ledger.close_period",
        "ledger.reopen_period",
        "quotes.view_quote", "quotes.view_quoteline", "quotes.view_all_quotes",
        *_VIEW_ALL_CONTRACTS,
    ],
    Role.CATALOG_ADMIN: [
        *_VIEW_CATALOG, *_EDIT_CATALOG, "catalog.view_pricechange", "catalog.import_prices",
    ],
    Role.SYSTEM: [
        *_VIEW_CUSTOMERS, *_VIEW_LEDGER, *_VIEW_CATALOG, "customers.view_all_accounts",
        "customers.set_overdue_flag", "ledger.post_entries",
        "quotes.view_quote", "quotes.view_all_quotes", "quotes.expire_quote",
        *_VIEW_ALL_CONTRACTS, "contracts.add_contract", "contracts.activate_contract",
        "contracts.expire_contract", "contracts.renew_contract",
    ],
}


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
    for role, names in ROLE_PERMISSIONS.items():
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


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))
