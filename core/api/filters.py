"""Query parameters shared by list endpoints."""

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

UPDATED_SINCE = OpenApiParameter(
    "updated_since", OpenApiTypes.DATETIME, description="Only documents changed at or after "
    "this moment (ISO 8601, e.g. 2026-11-01T00:00:00Z).")


def updated_since(queryset, request, field: str = "updated_at"):
    text = request.query_params.get("updated_since", "").strip()
    if not text:
        return queryset
    moment = parse_datetime(text.replace(" ", "+"))
    if moment is None:
        raise ValidationError({"updated_since": ["Give a moment like 2026-11-01T00:00:00Z."]})
    return queryset.filter(**{f"{field}__gte": moment})


def parsed(serializer_class, data, **kwargs) -> dict:
    """The request body checked for shape by `serializer_class` (400 naming each bad field)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
