"""Errors as RFC 9457 problem details, with field-level messages under `errors`.

A service's `ValidationError` (keyed by field, as every service raises it) becomes a 400 that
names the field; `PermissionDenied` a 403; a unique constraint lost to a concurrent request a
409. The body is the same shape whatever raised it:

    {"type": "about:blank", "title": "Bad request", "status": 400,
     "detail": "The quantity must be greater than zero.",
     "errors": {"quantity": ["The quantity must be greater than zero."]}}
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM = "application/problem+json"
NON_FIELD = "non_field_errors"


def _messages(value) -> list:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) if not isinstance(v, dict | list) else v for v in value]
    return [str(value)]


def field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {(NON_FIELD if name == "__all__" else name): messages
                for name, messages in error.message_dict.items()}
    return {NON_FIELD: list(error.messages)}


def _first(errors) -> str:
    """The first plain message, depth first, for `detail`."""
    if isinstance(errors, dict):
        for value in errors.values():
            found = _first(value)
            if found:
                return found
        return ""
    if isinstance(errors, list | tuple):
        for value in errors:
            found = _first(value)
            if found:
                return found
        return ""
    return str(errors)


def problem(status_code: int, detail: str, *, errors: dict | None = None,
            code: str = "") -> Response:
    body = {"type": "about:blank", "title": _title(status_code), "status": status_code,
            "detail": detail}
    if code:
        body["code"] = code
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, content_type=PROBLEM)


def _title(status_code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        errors = field_errors(exc)
        return problem(status.HTTP_400_BAD_REQUEST, _first(errors), errors=errors,
                       code="invalid")
    if isinstance(exc, IntegrityError):
        return problem(status.HTTP_409_CONFLICT, "Another request changed the same document at "
                       "the same time; read it again and retry.", code="conflict")
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {NON_FIELD: exc.detail}
        reply = problem(response.status_code, _first(errors), errors=errors, code="invalid")
    else:
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
        code = getattr(getattr(exc, "detail", None), "code", "") or ""
        reply = problem(response.status_code, str(detail), code=code)
    for name in ("WWW-Authenticate", "Retry-After"):
        if name in response:
            reply[name] = response[name]
    return reply
