"""Creating and editing accounts, and the overdue flag that billing and dunning set."""

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from djmoney.money import Money

from core import clock
from core.actors import require
from core.dates import business_date
from core.money import round_money
from core.transitions import history_row, run_transition
from customers.models import Account, AccountStatus
from customers.selectors import account_for_update, assignable_owners

ACCOUNT_FIELDS = frozenset({
    "name", "legal_name", "tax_id", "country", "region",
    "billing_street", "billing_city", "billing_postal_code",
    "shipping_street", "shipping_city", "shipping_postal_code",
    "currency", "payment_terms", "credit_limit", "tax_exempt", "bill_day", "owner", "status",
    "tax_exemption_reason", "vat_id", "buyer_reference", "purchase_order", "payment_means",
    "mandate_reference", "debtor_iban", "einvoice_format", "document_language", "peppol_id",
    "document_delivery", "time_zone",
})
_UPPERCASE_FIELDS = {"country", "currency"}
_COUNTRY = re.compile(r"[A-Z]{2}")
# The commercial terms are finance's (separation of duties): sales may see them, never change
# them, so a rep cannot raise their own customer's limit, exempt it from tax, lengthen its terms
# past the quote approval rule or switch its currency.
COMMERCIAL_TERMS = "customers.change_commercial_terms"
TERM_LABELS = {"credit_limit": "credit limit", "payment_terms": "payment terms",
               "tax_exempt": "tax exemption", "currency": "currency"}
# Terms a rep may choose for a new account: the quote approval rule's default threshold.
SALES_TERMS_DAYS = 45
# The money column holds 15 integer digits; a limit anywhere near is a typo.
MAX_CREDIT_LIMIT = 10 ** 12
# Each `pk__in` of the bulk overdue update stays well under SQLite's bound-parameter limit.
OVERDUE_BATCH = 1000


def _known_fields(fields: dict) -> dict:
    unknown = set(fields) - ACCOUNT_FIELDS
    if unknown:
        raise TypeError(f"Unknown account fields: {', '.join(sorted(unknown))}")
    cleaned = {}
    for name, value in fields.items():
        if isinstance(value, str):
            value = value.strip()
            if name in _UPPERCASE_FIELDS:
                value = value.upper()
        cleaned[name] = value
    return cleaned


def _credit_limit_amount(value, currency: str, errors: dict) -> Decimal | None:
    if isinstance(value, Money):
        if str(value.currency) != currency:
            errors["credit_limit"] = [
                f"The credit limit must be in the account's currency ({currency})."]
            return None
        value = value.amount
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        errors["credit_limit"] = ["Enter the credit limit as a number, e.g. 25000.00."]
        return None
    if not amount.is_finite():
        errors["credit_limit"] = ["Enter the credit limit as a number, e.g. 25000.00."]
        return None
    if amount < 0:
        errors["credit_limit"] = ["The credit limit cannot be negative."]
        return None
    if amount >= MAX_CREDIT_LIMIT:
        errors["credit_limit"] = [f"The credit limit is too large: it must be below "
                                  f"{MAX_CREDIT_LIMIT:,}."]
        return None
    return amount


def account_errors(account: Account, *, credit_limit, owner_ids: set, terms_changed: bool,
                   skip: Iterable[str] = ()) -> dict[str, list[str]]:
    """Field errors of an account built in memory; sets its credit limit rounded to the currency.

    No queries: the caller has resolved the owner and terms and knows the owners it may assign.
    """
    errors: dict[str, list[str]] = {}
    try:
        account.full_clean(exclude=["owner", "payment_terms", "credit_limit", *skip],
                           validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    # The model's own currency check ran on the old limit; the limit is checked below instead.
    errors.pop("credit_limit", None)
    if not _COUNTRY.fullmatch(account.country or ""):
        errors["country"] = ["Enter a two-letter country code such as US or DE."]
    if account.currency not in settings.CURRENCIES:
        errors["currency"] = [
            f"“{account.currency}” is not a supported currency; use one of "
            f"{', '.join(settings.CURRENCIES)}."]
    else:
        amount = _credit_limit_amount(credit_limit, account.currency, errors)
        if amount is not None:
            # Stored rounded to the account currency's minor unit (JPY 0, USD 2, KWD 3).
            account.credit_limit = Money(round_money(amount, account.currency), account.currency)
    if account.payment_terms_id is None:
        errors["payment_terms"] = ["Choose the payment terms."]
    elif terms_changed and not account.payment_terms.active:
        errors["payment_terms"] = [f"The payment terms “{account.payment_terms}” are retired."]
    if account.owner_id is None:
        errors["owner"] = ["Choose the account's owner."]
    elif account.owner_id not in owner_ids:
        errors["owner"] = ["You may not make this user the account's owner."]
    for name in skip:
        errors.pop(name, None)
    return errors


@transaction.atomic
def create_account(*, by, **fields) -> Account:
    """Create an account the user may own or assign, validated field by field."""
    actor = require(by, "customers.add_account", "You are not allowed to create accounts.")
    fields = _known_fields(fields)
    fields.setdefault("owner", actor.user)
    fields.setdefault("status", AccountStatus.ACTIVE)
    credit_limit = fields.pop("credit_limit", Decimal("0"))
    account = Account(**fields)
    owner_ids = set(assignable_owners(actor.user).values_list("pk", flat=True))
    errors = account_errors(account, credit_limit=credit_limit, owner_ids=owner_ids,
                            terms_changed=True)
    if not errors and not actor.has_perm(COMMERCIAL_TERMS):
        errors = _terms_sales_may_not_choose(account)
    if errors:
        raise ValidationError(errors)
    account.save()
    return account


def _terms_sales_may_not_choose(account: Account) -> dict[str, list[str]]:
    """A new account made by someone who may not change commercial terms starts with no credit
    limit, no tax exemption and terms of at most SALES_TERMS_DAYS; finance sets the rest after
    review (the form offers no more; this holds for the API and admin too)."""
    errors = {}
    if account.credit_limit.amount:
        errors["credit_limit"] = ["Only finance sets a credit limit; leave it at 0 and ask "
                                  "finance to review the account."]
    if account.tax_exempt:
        errors["tax_exempt"] = ["Only finance marks an account tax exempt."]
    if account.payment_terms.longest_days > SALES_TERMS_DAYS:
        errors["payment_terms"] = [f"Choose terms of up to {SALES_TERMS_DAYS} days; finance "
                                   "sets longer terms."]
    return errors


def _terms_of(account: Account) -> dict:
    return {"credit_limit": account.credit_limit.amount, "payment_terms": account.payment_terms_id,
            "tax_exempt": account.tax_exempt, "currency": account.currency}


def _documents_in(account: Account, currency: str) -> list[str]:
    """The kinds of document (of any app) that name the account in `currency`. Read through
    the account's reverse relations, so customers imports no later stage."""
    kinds = []
    for relation in Account._meta.related_objects:
        model = relation.related_model
        if (not relation.one_to_many and not relation.one_to_one) \
                or model._meta.app_label == Account._meta.app_label:
            continue
        if "currency" not in {f.name for f in model._meta.concrete_fields}:
            continue
        name = str(model._meta.verbose_name_plural)
        if name not in kinds and model._base_manager.filter(
                **{relation.field.name: account, "currency": currency}).exists():
            kinds.append(name)
    return kinds


def _commercial_errors(actor, locked: Account, before: dict) -> dict[str, list[str]]:
    after = _terms_of(locked)
    changed = [name for name in TERM_LABELS if after[name] != before[name]]
    if changed and not actor.has_perm(COMMERCIAL_TERMS):
        return {name: [f"Only finance changes the {TERM_LABELS[name]}."] for name in changed}
    if "currency" in changed:
        kinds = _documents_in(locked, before["currency"])
        if kinds:
            listed = ", ".join(kinds[:-1]) + (" and " if len(kinds) > 1 else "") + kinds[-1]
            return {"currency": [
                f"{locked.name} has {listed} in {before['currency']}: the currency cannot "
                "change under them. Open a new account for the other currency."]}
    return {}


def _record_terms_change(actor, locked: Account, before: dict, terms_before) -> None:
    """One history row saying what finance changed, from what to what."""
    after = _terms_of(locked)
    parts = []
    if after["credit_limit"] != before["credit_limit"] or after["currency"] != before["currency"]:
        old = round_money(before["credit_limit"], before["currency"])
        new = round_money(after["credit_limit"], after["currency"])
        parts.append(f"credit limit {old} {before['currency']} → {new} {after['currency']}"
                     if after["currency"] != before["currency"]
                     else f"credit limit {old} → {new} {after['currency']}")
    if after["payment_terms"] != before["payment_terms"]:
        parts.append(f"payment terms {terms_before} → {locked.payment_terms}")
    if after["tax_exempt"] != before["tax_exempt"]:
        parts.append(f"tax exempt {'yes' if before['tax_exempt'] else 'no'} → "
                     f"{'yes' if after['tax_exempt'] else 'no'}")
    if not parts:
        return
    note = "; ".join(parts) + "."
    history_row(locked, "change_commercial_terms", by=actor, source=locked.status,
                target=locked.status, note=note[0].upper() + note[1:]).save()


@transaction.atomic
def update_account(*, account: Account, by, **fields) -> Account:
    """Change an account the user may see; returns the account as saved (a fresh instance).
    The credit limit, tax exemption, payment terms and currency change only by finance
    (`customers.change_commercial_terms`), are recorded in the account's history, and the
    currency never changes while documents are in the old one."""
    actor = require(by, "customers.change_account", "You are not allowed to edit accounts.")
    fields = _known_fields(fields)
    # Decide on the locked row as stored, not on the caller's (possibly form-mutated) instance.
    locked = account_for_update(pk=account.pk, user=actor.user)
    if locked is None:
        raise PermissionDenied("You may not edit this account.")
    terms_before, owner_before = locked.payment_terms_id, locked.owner_id
    before, terms_named = _terms_of(locked), locked.payment_terms
    credit_limit = fields.pop("credit_limit", locked.credit_limit.amount)
    wanted_status = fields.pop("status", None) or locked.status
    for name, value in fields.items():
        setattr(locked, name, value)
    owner_ids = set(assignable_owners(actor.user).values_list("pk", flat=True))
    # Keeping an owner one could not assign (a manager's account owned by a departed rep) is fine.
    owner_ids.add(owner_before)
    errors = account_errors(locked, credit_limit=credit_limit, owner_ids=owner_ids,
                            terms_changed=locked.payment_terms_id != terms_before)
    if not errors:
        errors = _commercial_errors(actor, locked, before)
    if errors:
        raise ValidationError(errors)
    locked.save()
    _record_terms_change(actor, locked, before, terms_named)
    if wanted_status != locked.status:
        _move_status(locked, wanted_status, actor)
    return locked


def _move_status(account: Account, target: str, actor) -> None:
    """The transition that takes the account to `target`, with its permission and history;
    a move no transition makes is refused at the field."""
    name = STATUS_TRANSITIONS.get((account.status, target))
    if name is None:
        raise ValidationError({"status": f"An account that is "
                                         f"{account.get_status_display().lower()} cannot become "
                                         f"{AccountStatus(target).label.lower()}."})
    run_transition(account, name, by=actor, note=f"Status: {AccountStatus(target).label}")


STATUS_TRANSITIONS = {
    (AccountStatus.PROSPECT, AccountStatus.ACTIVE): "activate",
    (AccountStatus.ON_HOLD, AccountStatus.ACTIVE): "activate",
    (AccountStatus.PROSPECT, AccountStatus.ON_HOLD): "hold",
    (AccountStatus.ACTIVE, AccountStatus.ON_HOLD): "hold",
    (AccountStatus.PROSPECT, AccountStatus.CLOSED): "close",
    (AccountStatus.ACTIVE, AccountStatus.CLOSED): "close",
    (AccountStatus.ON_HOLD, AccountStatus.CLOSED): "close",
    (AccountStatus.CLOSED, AccountStatus.ACTIVE): "reopen",
}


@transaction.atomic
def set_overdue_flag(*, account: Account, overdue: bool, by, on: date | None = None) -> Account:
    """Raise or clear the overdue flag; `overdue_since` keeps the first day it was raised."""
    require(by, "customers.set_overdue_flag", "You are not allowed to change the overdue flag.")
    locked = Account.objects.select_for_update().get(pk=account.pk)
    if overdue and not locked.is_overdue:
        locked.is_overdue, locked.overdue_since = True, business_date(on)
    elif not overdue and locked.is_overdue:
        locked.is_overdue, locked.overdue_since = False, None
    else:
        return locked
    locked.save(update_fields=["is_overdue", "overdue_since", "updated_at"])
    return locked


@transaction.atomic
def set_overdue_flags(*, account_ids: Iterable[int], overdue: bool, by,
                      on: date | None = None) -> int:
    """The bulk form for dunning runs: one update per batch, only rows that change; returns
    how many changed."""
    require(by, "customers.set_overdue_flag", "You are not allowed to change the overdue flag.")
    ids = sorted(set(account_ids))
    changes = ({"is_overdue": True, "overdue_since": business_date(on)} if overdue
               else {"is_overdue": False, "overdue_since": None})
    changed = 0
    for start in range(0, len(ids), OVERDUE_BATCH):
        batch = ids[start:start + OVERDUE_BATCH]
        changed += Account.objects.filter(pk__in=batch, is_overdue=not overdue).update(
            **changes, updated_at=clock.now())
    return changed
