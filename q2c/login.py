"""Sign-in throttling: a few wrong passwords for one user, or many from one address, and
sign-in is refused for a while, even with the right password (a guesser learns nothing).

Counts live in the cache (`CACHE_URL`: Redis in production, so every web worker shares them;
the per-process memory cache of `make run` is enough for one process)."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError

from q2c.portal import client_ip

FAILURES_PER_USER = 5
FAILURES_PER_ADDRESS = 20  # one address trying many usernames
LOCK_MINUTES = 15
TOO_MANY = (f"Too many failed sign-ins: try again in {LOCK_MINUTES} minutes, or ask an "
            "administrator to reset your password.")


def _keys(request, username: str) -> list[tuple[str, int]]:
    keys = [(f"login-failures:user:{username.strip().casefold()}", FAILURES_PER_USER)]
    address = client_ip(request) if request is not None else None
    if address:
        keys.append((f"login-failures:address:{address}", FAILURES_PER_ADDRESS))
    return keys


def _count_failure(key: str) -> None:
    # The window starts at the first failure; the lock lasts until it ends.
    if not cache.add(key, 1, timeout=LOCK_MINUTES * 60):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=LOCK_MINUTES * 60)


class ThrottledLogin:
    """Mixin for Django's sign-in forms: refuse while locked, count each failure."""

    def clean(self):
        keys = _keys(self.request, self.data.get("username", ""))
        if any(cache.get(key, 0) >= limit for key, limit in keys):
            raise ValidationError(TOO_MANY, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            for key, _limit in keys:
                _count_failure(key)
            raise
        cache.delete(keys[0][0])  # a success forgets the user's failures (not the address's)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLogin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLogin, AdminAuthenticationForm):
    pass
