"""Journal entries over the API, read only, with their lines (entries are posted by the
documents' services, never through the API); and the general ledger exports: made (by the
accountant, through the ledger's export service, as on the exports page), listed and
downloaded."""

from django.db.models import Prefetch
from django.utils.dateparse import parse_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api.filters import parsed
from core.api.permissions import HasPerms
from core.api.viewsets import ApiViewSet
from ledger.models import (
    AccountingPeriod,
    ExportFormat,
    JournalEntry,
    JournalLine,
    LedgerExport,
)
from ledger.services.exports import export_journal_entries
from ledger.views import export_download_response


class JournalLineSerializer(serializers.ModelSerializer):
    gl_account = serializers.CharField(source="gl_account.code", read_only=True)

    class Meta:
        model = JournalLine
        fields = ["id", "gl_account", "debit", "credit", "customer_account",
                  "document_currency", "document_amount", "rate", "description"]
        read_only_fields = fields


class JournalEntrySerializer(serializers.ModelSerializer):
    period = serializers.DateField(source="period.start_on", read_only=True)
    source_type = serializers.SerializerMethodField()
    lines = JournalLineSerializer(many=True, read_only=True)

    class Meta:
        model = JournalEntry
        fields = ["id", "number", "document_date", "posted_on", "period", "memo",
                  "source_type", "source_id", "source_label", "created_at", "lines"]
        read_only_fields = fields

    def get_source_type(self, entry) -> str | None:
        kind = entry.source_type
        return f"{kind.app_label}.{kind.model}" if kind else None


def _date(request, name: str):
    text = request.query_params.get(name, "").strip()
    if not text:
        return None
    day = parse_date(text)
    if day is None:
        raise ValidationError({name: ["Give a date like 2026-11-30."]})
    return day


class JournalEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Posted entries, balanced, each with its lines (two queries a page), newest first."""

    queryset = JournalEntry.objects.none()
    serializer_class = JournalEntrySerializer
    permission_classes = [HasPerms]
    required_perms = ["ledger.view_journalentry", "ledger.view_journalline"]

    def get_queryset(self):
        lines = JournalLine.objects.select_related("gl_account").order_by("pk")
        entries = JournalEntry.objects.select_related("period", "source_type").prefetch_related(
            Prefetch("lines", queryset=lines))
        posted_from, posted_to = _date(self.request, "posted_from"), _date(self.request,
                                                                          "posted_to")
        if posted_from:
            entries = entries.filter(posted_on__gte=posted_from)
        if posted_to:
            entries = entries.filter(posted_on__lte=posted_to)
        return entries

    @extend_schema(parameters=[
        OpenApiParameter("posted_from", OpenApiTypes.DATE, description="First posting day."),
        OpenApiParameter("posted_to", OpenApiTypes.DATE, description="Last posting day.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class LedgerExportSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    period = serializers.DateField(source="period.start_on", read_only=True, allow_null=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    filename = serializers.CharField(read_only=True)

    class Meta:
        model = LedgerExport
        fields = ["id", "reference", "period", "format", "created_by", "created_at",
                  "entry_count", "line_count", "total_debit", "total_credit",
                  "first_posted_on", "last_posted_on", "filename"]
        read_only_fields = fields


class LedgerExportInputSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=ExportFormat.choices)
    period = serializers.DateField(required=False, allow_null=True, help_text=(
        "A day of the accounting period to export (its entries not exported before); left "
        "out: every entry not exported before."))

    def validate_period(self, day):
        if day is None:
            return None
        period = AccountingPeriod.objects.filter(start_on__lte=day, end_on__gte=day).first()
        if period is None:
            raise serializers.ValidationError(f"No accounting period holds {day:%Y-%m-%d}.")
        return period


class LedgerExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """General ledger exports, newest first; `download` streams the file (the same bytes each
    time: CSV or SAF-T XML, as the export was made). Each journal entry is exported once; a
    re-export is a download of the export that holds it."""

    queryset = LedgerExport.objects.none()
    serializer_class = LedgerExportSerializer
    permission_classes = [HasPerms]
    required_perms = ["ledger.view_ledgerexport"]

    def get_queryset(self):
        return LedgerExport.objects.select_related("period", "created_by")

    @extend_schema(request=LedgerExportInputSerializer, responses={201: LedgerExportSerializer})
    def create(self, request):
        """Export the journal entries not exported before (of one period, or all), with the
        account map to the target chart as it stands now."""
        data = parsed(LedgerExportInputSerializer, request.data)
        export = export_journal_entries(by=request.user, format=data["format"],
                                        period=data.get("period"))
        return Response(LedgerExportSerializer(self.get_queryset().get(pk=export.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY,
                              (200, "application/xml"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        return export_download_response(self.get_object())


class AccountingPeriodSerializer(serializers.ModelSerializer):
    """An accounting period and its state (what `period.closed` webhooks carry)."""

    closed_by = serializers.CharField(source="closed_by.username", read_only=True,
                                      allow_null=True)

    class Meta:
        model = AccountingPeriod
        fields = ["id", "start_on", "end_on", "state", "closed_at", "closed_by"]
        read_only_fields = fields
