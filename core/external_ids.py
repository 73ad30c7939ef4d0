"""Other systems' ids for our documents (core.models.ExternalId): read in the same query as the
documents, written in the caller's transaction."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery

from core.models import ExternalId

MAX_LENGTH = 255


def with_external_ids(queryset: QuerySet) -> QuerySet:
    """The queryset with each document's external id as `external_id` (a subquery, so a list
    costs no query per row)."""
    kind = ContentType.objects.get_for_model(queryset.model)
    ids = ExternalId.objects.filter(content_type=kind, object_id=OuterRef("pk"))
    return queryset.annotate(external_id=Subquery(ids.values("value")[:1]))


def document_id_for(model, value: str) -> int | None:
    """The pk of the document of this kind known by `value` elsewhere, or None."""
    kind = ContentType.objects.get_for_model(model)
    held = ExternalId.objects.filter(content_type=kind, value=value).values("object_id")
    # A document deleted since (a removed contact) leaves its id free.
    return model._base_manager.filter(pk__in=held).values_list("pk", flat=True).first()


@transaction.atomic
def set_external_id(document, value: str, *, field: str = "external_id") -> None:
    """Name the document by `value`; another document of its kind may not hold the same."""
    value = (value or "").strip()
    if not value or len(value) > MAX_LENGTH:
        raise ValidationError({field: [f"Give 1 to {MAX_LENGTH} characters."]})
    kind = ContentType.objects.get_for_model(document)
    holder = (ExternalId.objects.select_for_update().filter(content_type=kind, value=value)
              .values_list("object_id", flat=True).first())
    if (holder is not None and holder != document.pk
            and not type(document)._base_manager.filter(pk=holder).exists()):  # deleted since
        ExternalId.objects.filter(content_type=kind, value=value).delete()
        holder = None
    if holder is not None and holder != document.pk:
        raise ValidationError({field: [f"Another {kind.model} already has the external id "
                                       f"“{value}”."]})
    ExternalId.objects.update_or_create(content_type=kind, object_id=document.pk,
                                        defaults={"value": value})
    document.external_id = value
