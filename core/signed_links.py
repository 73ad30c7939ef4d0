"""Customer links signed with Django's signing (quote, contract signature, pay by card).

The token carries a few fields of the document it names and is refused when tampered with, so
no token is stored; each document's service checks the fields against the document itself.
"""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes

INVALID = ("This link is not valid. Please open the link exactly as it is in the email we sent "
           "you.")


class LinkProblem(Exception):
    """Why a customer's link cannot be used, in words for the customer, with an HTTP status."""

    def __init__(self, kind: str, message: str, *, status: int = 410, document=None):
        super().__init__(message)
        self.kind, self.message, self.status = kind, message, status
        self.document = document  # the document, when the link was good but is used up


def link_token(fields: dict, *, salt: str) -> str:
    return signing.dumps(fields, salt=salt, compress=True)


class _OnceKeyedSigner(signing.TimestampSigner):
    """Django's TimestampSigner with its keyed hash derived once, not once per token: the same
    signatures (see `link_tokens`)."""

    def __init__(self, *, salt: str):
        super().__init__(salt=salt)
        self._keyed = salted_hmac(self.salt + "signer", b"", self.key, algorithm=self.algorithm)

    def signature(self, value, key=None):
        if key is not None:
            return super().signature(value, key)
        mac = self._keyed.copy()
        mac.update(force_bytes(value))
        return signing.b64_encode(mac.digest()).decode()


def link_tokens(*, salt: str) -> Callable[[dict], str]:
    """`link_token` for many tokens (a dunning run's pay links): half the cost of each."""
    signer = _OnceKeyedSigner(salt=salt)
    return lambda fields: signer.sign_object(fields, compress=True)


def link_url(view_name: str, token: str, base_url: str | None = None) -> str:
    """From the request's host when a page sends the link, else SITE_URL (tasks)."""
    return (base_url or settings.SITE_URL).rstrip("/") + reverse(view_name, args=[token])


def link_maker(view_name: str, base_url: str | None = None) -> Callable[[str], str]:
    """`link_url` for many tokens: the URL is reversed once (a reverse costs about as much as
    signing a token), then each token is put in its place."""
    marker = "~token~"
    before, after = link_url(view_name, marker, base_url).split(marker)
    return lambda token: before + token + after


def read_link(token: str, *, salt: str, keys: tuple[str, ...], max_age_days: int | None = None,
              expired: str = "") -> tuple:
    """The values of `keys` the token was signed with, or `LinkProblem`: "expired" (with the
    `expired` words) past `max_age_days`, "invalid" for anything tampered or malformed."""
    max_age = timedelta(days=max_age_days) if max_age_days is not None else None
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
        return tuple(data[key] for key in keys)
    except signing.SignatureExpired:
        raise LinkProblem("expired", expired) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkProblem("invalid", INVALID, status=400) from None


def unknown_link() -> LinkProblem:
    """A well-signed link whose document is gone or has changed since it was sent."""
    return LinkProblem("invalid", "This link is not valid.", status=400)
