"""Invoices, credit notes and usage over the API: read with lines and taxes, the kept PDFs, and
issue, void, credit and usage ingest through billing's services (finance's permissions)."""

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from billing.models import (
    CreditNote,
    CreditNoteLine,
    CreditNoteReason,
    CreditNoteTax,
    Invoice,
    InvoiceLine,
    InvoiceTax,
)
from billing.pdf import PdfUnavailable
from billing.selectors import credit_notes_visible_to, invoices_visible_to
from billing.services.credit_notes import issue_credit_note
from billing.services.documents import DocumentNotIssued, stored_pdf
from billing.services.issuing import issue_invoice, void_invoice
from billing.services.usage_ingest import MAX_EVENTS, ingest_usage_events
from billing.usage_csv import MAX_KEY_LENGTH
from core.api.filters import UPDATED_SINCE, parsed, updated_since
from core.api.problems import problem
from core.api.viewsets import ApiViewSet, PdfRenderer
from customers.models import Account

AMOUNT = {"max_digits": 19, "decimal_places": 4}
PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY,
                409: OpenApiResponse(description="The document is a draft: it has no PDF.")}


def pdf_response(document):
    try:
        pdf = stored_pdf(document)
    except (PdfUnavailable, DocumentNotIssued) as error:
        return problem(status.HTTP_409_CONFLICT, str(error), code="no_document")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.number}.pdf"'
    response["X-Content-SHA256"] = document.pdf_sha256
    return response


class TaxTotalSerializer(serializers.Serializer):
    name = serializers.CharField()
    percent = serializers.DecimalField(max_digits=7, decimal_places=4)
    country = serializers.CharField()
    region = serializers.CharField()
    taxable_amount = serializers.DecimalField(**AMOUNT)
    tax_amount = serializers.DecimalField(**AMOUNT)
    per_unit_amount = serializers.DecimalField(**AMOUNT, allow_null=True, required=False,
                                               help_text="A levy's amount per unit; null for "
                                                         "a percentage.")


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["id", "position", "source", "product", "contract_line", "description",
                  "quantity", "unit_price", "amount", "inclusive_amount", "tax_amount",
                  "tax_detail", "tax_category", "vat_category", "vat_reason", "vat_article",
                  "period_start", "period_end"]
        read_only_fields = fields


class InvoiceSerializer(serializers.ModelSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    taxes = TaxTotalSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = ["id", "number", "kind", "account", "currency", "state", "issue_on", "due_on",
                  "memo", "subtotal", "tax_total", "cash_rounding", "total", "amount_due",
                  "amount_paid", "amount_credited", "rounding_mode", "tax_rounding",
                  "cash_rounding_step", "inclusive_rounding", "early_discount_tax_mode",
                  "early_discount_percent", "early_discount_days", "amount_written_off",
                  "functional_currency", "fx_rate", "functional_total", "journal_entry",
                  "void_entry", "voided_on", "void_reason", "issued_at", "created_at",
                  "updated_at", "lines", "taxes"]
        read_only_fields = fields


class CreditNoteLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditNoteLine
        fields = ["id", "position", "invoice_line", "description", "quantity", "unit_price",
                  "amount", "tax_amount", "vat_category", "vat_reason", "vat_article",
                  "period_start", "period_end"]
        read_only_fields = fields


class CreditNoteSerializer(serializers.ModelSerializer):
    lines = CreditNoteLineSerializer(many=True, read_only=True)
    taxes = TaxTotalSerializer(many=True, read_only=True)

    class Meta:
        model = CreditNote
        fields = ["id", "number", "invoice", "account", "currency", "reason", "reason_note",
                  "state", "issue_on", "subtotal", "tax_total", "cash_rounding", "total",
                  "functional_total",
                  "journal_entry", "issued_at", "created_at", "lines", "taxes"]
        read_only_fields = fields


class VoidSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="Why the invoice is void.")


class CreditNoteInputSerializer(serializers.Serializer):
    """One of: `whole`, `amount` (gross, spread over the lines) or `lines` (net per line)."""

    reason = serializers.ChoiceField(choices=CreditNoteReason.choices)
    reason_note = serializers.CharField(required=False, allow_blank=True, default="")
    whole = serializers.BooleanField(required=False, default=False)
    amount = serializers.DecimalField(**AMOUNT, required=False)
    lines = serializers.DictField(child=serializers.DecimalField(**AMOUNT), required=False,
                                  help_text="Invoice line id → net amount to credit.")

    def validate_lines(self, value):
        try:
            return {int(line_id): amount for line_id, amount in value.items()}
        except ValueError:
            raise serializers.ValidationError("Name each line by its id.") from None


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """The invoices the user may see (sales roles: their accounts'; finance: all), with lines
    and tax totals (three queries for a page)."""

    queryset = Invoice.objects.none()
    serializer_class = InvoiceSerializer

    def get_queryset(self):
        lines = InvoiceLine.objects.order_by("position", "pk")
        invoices = invoices_visible_to(self.request.user).prefetch_related(
            Prefetch("lines", queryset=lines),
            Prefetch("taxes", queryset=InvoiceTax.objects.order_by("pk")))
        return updated_since(invoices, self.request)

    def _answer(self, invoice, code=status.HTTP_200_OK):
        return Response(InvoiceSerializer(self.get_queryset().get(pk=invoice.pk)).data,
                        status=code)

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        """Issue a draft: numbered, due schedule made, journal entry posted."""
        return self._answer(issue_invoice(invoice=self.get_object(), by=request.user))

    @extend_schema(request=VoidSerializer, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        """Void an issued invoice with nothing applied (its entry is reversed)."""
        invoice = self.get_object()
        data = parsed(VoidSerializer, request.data)
        return self._answer(void_invoice(invoice=invoice, by=request.user,
                                         reason=data["reason"]))

    @extend_schema(request=CreditNoteInputSerializer, responses={201: CreditNoteSerializer})
    @action(detail=True, methods=["post"], url_path="credit-notes")
    def credit(self, request, pk=None):
        """Credit the invoice (whole, an amount, or per line); posts the reversing entry."""
        invoice = self.get_object()
        data = parsed(CreditNoteInputSerializer, request.data)
        note = issue_credit_note(invoice=invoice, by=request.user, reason=data["reason"],
                                 reason_note=data["reason_note"], whole=data["whole"],
                                 amount=data.get("amount"), line_amounts=data.get("lines"))
        return Response(CreditNoteSerializer(
            CreditNoteViewSet.documents(request.user).get(pk=note.pk)).data,
            status=status.HTTP_201_CREATED)

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request, pk=None):
        """The issued invoice's kept PDF (rendered and kept on the first download)."""
        return pdf_response(self.get_object())


class CreditNoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Credit notes of the invoices the user may see."""

    queryset = CreditNote.objects.none()
    serializer_class = CreditNoteSerializer

    @staticmethod
    def documents(user):
        return credit_notes_visible_to(user).prefetch_related(
            Prefetch("lines", queryset=CreditNoteLine.objects.order_by("position", "pk")),
            Prefetch("taxes", queryset=CreditNoteTax.objects.order_by("pk")))

    def get_queryset(self):
        return self.documents(self.request.user)

    @extend_schema(responses=PDF_RESPONSE)
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PdfRenderer])
    def pdf(self, request, pk=None):
        """The issued credit note's kept PDF."""
        return pdf_response(self.get_object())


class UsageEventSerializer(serializers.Serializer):
    account = serializers.IntegerField(required=False, help_text="Our account id, or:")
    account_external_id = serializers.CharField(required=False, max_length=255)
    sku = serializers.CharField(max_length=64)
    quantity = serializers.DecimalField(max_digits=19, decimal_places=6, min_value=0)
    timestamp = serializers.DateTimeField(help_text="ISO 8601; without an offset, the "
                                                    "business's time zone.")
    idempotency_key = serializers.CharField(max_length=MAX_KEY_LENGTH,
                                            help_text="The sender's id: a key counts once "
                                                      "per account.")


class UsageBatchSerializer(serializers.Serializer):
    """The batch's shape, for the schema: the events are checked by billing's ingest service
    (`billing.services.usage_ingest.parse_events`), which names each bad event and field as
    `events[i].field` without the cost of a serializer per event."""

    events = UsageEventSerializer(many=True, allow_empty=False, max_length=MAX_EVENTS)


class UsageResultSerializer(serializers.Serializer):
    import_id = serializers.IntegerField(help_text="The usage import that records the batch.")
    received = serializers.IntegerField()
    created = serializers.IntegerField(help_text="Events new by their idempotency key.")
    duplicates = serializers.IntegerField(help_text="Events whose key was already stored (or "
                                                    "repeated in the batch) with the same "
                                                    "facts.")


class UsageEventViewSet(ApiViewSet):
    """Metered usage in batches of up to 10,000 events, every event or none. An event whose
    key is already stored for its account with the same facts counts once (a duplicate); with
    other facts it refuses the batch. Errors name an event by its place in the batch, from 0,
    and its field: `events[3].quantity`."""

    queryset = Account.objects.none()

    @extend_schema(request=UsageBatchSerializer, responses={201: UsageResultSerializer,
                                                            200: UsageResultSerializer})
    def create(self, request):
        events = request.data.get("events") if isinstance(request.data, dict) else None
        result = ingest_usage_events(events=events, by=request.user)
        body = {"import_id": result.usage_import.pk, "received": result.received,
                "created": result.created, "duplicates": result.duplicates}
        return Response(body, status=status.HTTP_201_CREATED if result.created
                        else status.HTTP_200_OK)
