"""Idempotency keys on POST, as Stripe has them.

The first request with an `Idempotency-Key` claims the key (a row, committed before the work
starts); its response is stored and replayed to a repeat of the same request (same user, key,
method, path and body) for 24 hours, with `Idempotent-Replayed: true`. The same key with another
body is refused (422); a repeat while the first is still running is refused (409). A request that
fails with a server error gives the key back, so it can be retried.
"""

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from core import clock
from core.api.problems import PROBLEM
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
KEPT_FOR = timedelta(hours=24)
MAX_KEY_LENGTH = 255


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = ("This Idempotency-Key was used with a different request; use a new key "
                      "for a new request.")
    default_code = "idempotency_key_reused"


class KeyInProgress(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still being answered; retry later."
    default_code = "idempotency_key_in_progress"


class Replay(Exception):
    def __init__(self, response: Response):
        self.response = response


def fingerprint(request) -> str:
    data = request.data
    if hasattr(data, "lists"):  # a QueryDict (form or multipart)
        data = {name: values for name, values in data.lists()}
    body = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def claim(request) -> IdempotencyRecord | None:
    """Claim the request's key; raises Replay with the stored response for a repeat."""
    key = request.headers.get(HEADER, "").strip()
    if request.method != "POST" or not key:
        return None
    if len(key) > MAX_KEY_LENGTH or "\x00" in key:
        raise ValidationError({HEADER: [f"At most {MAX_KEY_LENGTH} characters, none of them "
                                        "NUL."]})
    user, print_ = request.user, fingerprint(request)
    IdempotencyRecord.objects.filter(user=user, key=key,
                                     created_at__lt=clock.now() - KEPT_FOR).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(user=user, key=key, fingerprint=print_)
    except IntegrityError:
        pass
    stored = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if stored is None or stored.status_code is None:
        raise KeyInProgress()
    if stored.fingerprint != print_:
        raise KeyReused()
    reply = Response(stored.response_body, status=stored.status_code,
                     content_type=PROBLEM if stored.status_code >= 400 else None)
    reply["Idempotent-Replayed"] = "true"
    raise Replay(reply)


def keep(record: IdempotencyRecord, response) -> None:
    """Store the response to replay; a server error gives the key back instead."""
    if response.status_code >= 500:
        record.delete()
        return
    record.status_code = response.status_code
    record.response_body = getattr(response, "data", None)
    record.save(update_fields=["status_code", "response_body"])


def release(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).delete()
