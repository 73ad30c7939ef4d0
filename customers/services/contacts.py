"""An account's contacts: added, changed and removed by whoever may edit the account."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from core.actors import require
from customers.models import Account, Contact, ContactRole
from customers.selectors import account_for_update

CONTACT_FIELDS = frozenset({"name", "email", "phone", "role"})
DUPLICATE_EMAIL = "This account already has a contact with this email."


def _editable_account(actor, account_id) -> Account:
    account = account_for_update(pk=account_id, user=actor.user)
    if account is None:
        raise PermissionDenied("You may not edit this account's contacts.")
    return account


def contact_errors(contact: Contact) -> dict[str, list[str]]:
    """Field errors of a contact built in memory (no queries)."""
    try:
        contact.full_clean(exclude=["account"], validate_unique=False,
                           validate_constraints=False)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def _save_checked(contact: Contact) -> Contact:
    errors = contact_errors(contact)
    duplicate = Contact.objects.filter(account_id=contact.account_id,
                                       email__iexact=contact.email).exclude(pk=contact.pk)
    if "email" not in errors and duplicate.exists():
        errors["email"] = [DUPLICATE_EMAIL]
    if errors:
        raise ValidationError(errors)
    contact.save()
    return contact


def _cleaned(fields: dict) -> dict:
    unknown = set(fields) - CONTACT_FIELDS
    if unknown:
        raise TypeError(f"Unknown contact fields: {', '.join(sorted(unknown))}")
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


@transaction.atomic
def add_contact(*, account: Account, by, name: str, email: str, phone: str = "",
                role: str = ContactRole.OTHER) -> Contact:
    """Add a contact to an account the user may edit; one email once per account."""
    actor = require(by, "customers.add_contact", "You are not allowed to add contacts.")
    locked = _editable_account(actor, account.pk)
    fields = _cleaned({"name": name, "email": email, "phone": phone, "role": role})
    return _save_checked(Contact(account=locked, **fields))


@transaction.atomic
def update_contact(*, contact: Contact, by, **fields) -> Contact:
    """Change a contact's name, email, phone or role."""
    actor = require(by, "customers.change_contact", "You are not allowed to edit contacts.")
    fields = _cleaned(fields)
    stored = Contact.objects.get(pk=contact.pk)
    _editable_account(actor, stored.account_id)
    for name, value in fields.items():
        setattr(stored, name, value)
    return _save_checked(stored)


@transaction.atomic
def remove_contact(*, contact: Contact, by) -> None:
    """Delete a contact of an account the user may edit."""
    actor = require(by, "customers.delete_contact", "You are not allowed to remove contacts.")
    stored = Contact.objects.get(pk=contact.pk)
    _editable_account(actor, stored.account_id)
    try:
        stored.delete()
    except ProtectedError as exc:
        raise ValidationError(
            f"{stored.name} is named on other documents and cannot be removed.") from exc
