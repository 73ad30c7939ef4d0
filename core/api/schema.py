"""The OpenAPI description of what every endpoint may answer besides its success: the problem
details of core.api.problems, so a client (and the schema run in the tests) can rely on the
shape of a refusal as much as on the shape of a document."""

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from core.api.problems import PROBLEM


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(allow_blank=True)
    code = serializers.CharField(required=False)
    errors = serializers.DictField(required=False, help_text="Field name → its messages "
                                                             "(`events[3].quantity` in a batch).")


# Status → when, for every operation; 400 and 404 only where a request can carry them.
ALWAYS = {"401": "No API key, or one unknown, expired or revoked.",
          "403": "The key's user or scopes may not do this.",
          "429": "Too many requests for this key; retry after `Retry-After` seconds."}
BAD_REQUEST = "The request names a field wrongly; `errors` says which and why."
NOT_FOUND = "No such document, or one the user may not see."
ON_POST = {"409": "The document changed under a concurrent request, or the "
                  "`Idempotency-Key` is still being answered.",
           "422": "The `Idempotency-Key` was used with another request."}


def _may_be_blank(field) -> bool:
    """A read-only field of a model field that may be blank: DRF drops `allow_blank` from
    read-only fields, so the schema would promise a choice or a non-empty text where the
    document holds "" (an invoice's rounding mode left to its price book's)."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if not field.read_only or model is None or not hasattr(field, "allow_blank"):
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False


class ApiAutoSchema(AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if _may_be_blank(field):
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _problem(self, description: str) -> dict:
        component = self.resolve_serializer(ProblemSerializer, "response")
        return {"description": description,
                "content": {PROBLEM: {"schema": component.ref}}}

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        problems = dict(ALWAYS)
        if self.method in ("POST", "PUT", "PATCH") or any(
                parameter["in"] == "query" for parameter in self._get_parameters()):
            problems["400"] = BAD_REQUEST
        if "{" in self.path:
            problems["404"] = NOT_FOUND
        if self.method == "POST":
            problems.update(ON_POST)
        for status_code, description in problems.items():
            responses.setdefault(status_code, self._problem(description))
        return responses
