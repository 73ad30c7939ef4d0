"""Checking an account's VAT ID with VIES (customers.vies) and keeping the answer, with its date,
on the account: a reverse-charge invoice rests on the buyer's VAT ID, and the check (with its
consultation number) is the seller's evidence that it was valid then."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.actors import require
from core.company import seller
from customers.models import Account, compact_vat_id
from customers.selectors import account_for_update
from customers.vies import VatCheck, VatNumberChecker, ViesClient, ViesUnavailable


def check_vat_id(*, account: Account, by, checker: VatNumberChecker | None = None) -> Account:
    """Ask VIES about the account's VAT ID and record the answer. The question is asked outside
    the transaction, so a slow member state holds no lock; a VAT ID changed meanwhile is not
    given an answer about the old one."""
    actor = require(by, "customers.change_account",
                    "You are not allowed to check this account's VAT ID.")
    vat_id = compact_vat_id(account.vat_id, account.country)
    if not vat_id:
        raise ValidationError({"vat_id": "Enter the VAT ID before checking it in VIES."})
    checker = checker or ViesClient(requester_vat_id=seller().vat_id)
    try:
        result = checker.check(vat_id)
    except ViesUnavailable as exc:
        raise ValidationError({"vat_id": f"VIES did not answer ({exc}); try again later."}
                              ) from exc
    return _record(account, result, actor.user)


@transaction.atomic
def _record(account: Account, result: VatCheck, user) -> Account:
    locked = account_for_update(pk=account.pk, user=user)
    if locked is None:
        raise PermissionDenied("You are not allowed to check this account's VAT ID.")
    if compact_vat_id(locked.vat_id, locked.country) != result.vat_id:
        raise ValidationError({"vat_id": "The VAT ID changed while VIES was asked; check again."})
    locked.vat_checked_at, locked.vat_check_valid = result.checked_at, result.valid
    locked.vat_check = result.as_dict()
    locked.save(update_fields=["vat_checked_at", "vat_check_valid", "vat_check", "updated_at"])
    return locked
