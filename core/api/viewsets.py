"""The base of every API view: authentication (key or session), problem-details errors,
cursor pagination and idempotency keys on POST."""

import json

from rest_framework import renderers, viewsets

from core.api import idempotency
from core.api.parsers import JsonParser
from core.api.schema import ApiAutoSchema


class ApiViewMixin:
    """`Idempotency-Key` on POST (core.api.idempotency); the login-required middleware lets
    API requests through, because the API answers 401 and 403 itself; the schema describes
    those answers (core.api.schema)."""

    _idempotency_record = None
    schema = ApiAutoSchema()
    parser_classes = [JsonParser]

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        view.login_required = False
        return view

    def initial(self, request, *args, **kwargs):
        self._idempotency_record = None
        super().initial(request, *args, **kwargs)
        self._idempotency_record = idempotency.claim(request)

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        try:
            return super().handle_exception(exc)
        except Exception:
            if self._idempotency_record is not None:
                idempotency.release(self._idempotency_record)
                self._idempotency_record = None
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency_record is not None:
            idempotency.keep(self._idempotency_record, response)
            self._idempotency_record = None
        return response


class ApiViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """Read and act on one kind of document; subclasses add the mixins and actions they need
    and set `queryset` to their model's (for the schema; `get_queryset` applies visibility)."""

    lookup_value_regex = r"[0-9]+"


class PdfRenderer(renderers.BaseRenderer):
    """Lets a client ask for `application/pdf`; a problem on the way is still sent as JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | bytearray):
            return bytes(data)
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/problem+json"
        return json.dumps(data, default=str).encode()
