"""API keys: issued (shown once), rotated, revoked, and checked on each request.

A key reads `q2c_<prefix>_<secret>`. Only the SHA-256 of the whole key is stored: the secret has
256 bits of entropy, so a fast hash is enough (a slow password hash would cost every request and
protect nothing more), and the prefix finds the row without scanning.

A key acts as its user, within its scopes: permission names drawn from the grants of the user's
roles (core.roles). What a request may do is the user's permissions *now* intersected with the
scopes, so taking a role from the user takes it from their keys too.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import clock
from core.models import ApiKey, ApiKeyKind
from core.roles import role_permissions, roles_of

TOKEN_START = "q2c_"
MANAGE = "core.manage_api_keys"
# `last_used_at` is written at most once a minute per key, not on every request.
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedKey:
    """The stored key and its token: the only moment the token exists in clear."""

    key: ApiKey
    token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def grantable_scopes(user) -> set[str]:
    """The permission names the user's roles grant: what a key of theirs may carry."""
    table = role_permissions()
    return {name for role in roles_of(user) for name in table.get(role, [])}


def _may_manage(by, user) -> bool:
    return by.pk == user.pk or by.has_perm(MANAGE)


def _new_key(*, user, name: str, kind: str, scopes: list[str],
             expires_at: datetime | None, by) -> IssuedKey:
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(name=name, kind=kind, user=user, prefix=prefix,
                                secret_hash=_hash(token), scopes=sorted(scopes),
                                expires_at=expires_at, created_by=by)
    return IssuedKey(key=key, token=token)


def key_errors(*, user, name: str, kind: str, scopes: list[str] | None,
               expires_at: datetime | None) -> tuple[dict[str, list[str]], set[str]]:
    """Field errors of a key to issue, and the scopes it would carry (no writes)."""
    errors = {}
    if user.is_superuser:
        errors["user"] = ["A superuser cannot hold an API key: give the integration a user "
                          "with a role."]
    elif not user.is_active:
        errors["user"] = ["This user is inactive."]
    if not (name or "").strip():
        errors["name"] = ["Name the key (what uses it)."]
    if kind not in ApiKeyKind.values:
        errors["kind"] = [f"Choose one of {', '.join(ApiKeyKind.values)}."]
    grantable = grantable_scopes(user)
    wanted = set(scopes or grantable)
    if not wanted:
        errors["scopes"] = ["The key would carry no permission: give the user a role first."]
    elif wanted - grantable:
        errors["scopes"] = [f"Not granted to {user.get_username()}'s roles: "
                            f"{', '.join(sorted(wanted - grantable))}."]
    if expires_at is not None and expires_at <= clock.now():
        errors["expires_at"] = ["The expiry is in the past."]
    return errors, wanted


@transaction.atomic
def issue_api_key(*, user, name: str, by, scopes: list[str] | None = None,
                  kind: str = ApiKeyKind.PERSONAL,
                  expires_at: datetime | None = None) -> IssuedKey:
    """A new key for `user` (a person for themself, or an admin for anyone); without scopes it
    carries every grant of the user's roles."""
    if not _may_manage(by, user):
        raise PermissionDenied("You may issue keys only for yourself.")
    errors, wanted = key_errors(user=user, name=name, kind=kind, scopes=scopes,
                                expires_at=expires_at)
    if errors:
        raise ValidationError(errors)
    return _new_key(user=user, name=name.strip(), kind=kind, scopes=sorted(wanted),
                    expires_at=expires_at, by=by)


def _locked_live(key: ApiKey, by) -> ApiKey:
    locked = ApiKey.objects.select_for_update().select_related("user").get(pk=key.pk)
    if not _may_manage(by, locked.user):
        raise PermissionDenied("You may manage only your own keys.")
    if locked.is_revoked:
        raise ValidationError("This key is revoked.")
    return locked


@transaction.atomic
def rotate_api_key(*, key: ApiKey, by, overlap: timedelta = timedelta(0)) -> IssuedKey:
    """Issue a new key with the same user, name, kind, scopes and expiry; the old one stops
    after `overlap` (at once by default) so a deployment can switch without a gap."""
    old = _locked_live(key, by)
    scopes = set(old.scopes) & grantable_scopes(old.user)
    if not scopes:
        raise ValidationError({"scopes": ["The user's roles no longer grant any of the key's "
                                          "scopes."]})
    issued = _new_key(user=old.user, name=old.name, kind=old.kind, scopes=sorted(scopes),
                      expires_at=old.expires_at, by=by)
    old.replaced_by = issued.key
    stop = clock.now() + overlap
    old.expires_at = stop if old.expires_at is None else min(old.expires_at, stop)
    old.save(update_fields=["replaced_by", "expires_at"])
    return issued


@transaction.atomic
def revoke_api_key(*, key: ApiKey, by) -> ApiKey:
    """Stop a key for good (its owner or an admin)."""
    locked = _locked_live(key, by)
    locked.revoked_at, locked.revoked_by = clock.now(), by
    locked.save(update_fields=["revoked_at", "revoked_by"])
    return locked


def key_for_token(token: str) -> ApiKey | None:
    """The live key the token belongs to (not revoked, not expired, its user active), else
    None; notes when it was last used."""
    if not token.startswith(TOKEN_START):
        return None
    prefix, _, secret = token[len(TOKEN_START):].partition("_")
    if not prefix or not secret:
        return None
    key = ApiKey.objects.select_related("user").filter(prefix=prefix).first()
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(token)):
        return None
    now = clock.now()
    if key.is_revoked or (key.expires_at is not None and key.expires_at <= now):
        return None
    if not key.user.is_active or key.user.is_superuser:
        return None
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def limit_to_scopes(user, scopes) -> None:
    """Narrow the user's permissions, for this request, to the key's scopes: Django's
    ModelBackend answers `has_perm` from these caches, so every service's check sees them."""
    allowed = user.get_all_permissions() & set(scopes)
    user._perm_cache = allowed
    user._user_perm_cache = user.get_user_permissions() & allowed
    user._group_perm_cache = user.get_group_permissions() & allowed
