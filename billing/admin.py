"""Admin: billing documents are read-only here (they change only through the billing services:
runs, draft editing, issue, void, settlement, credit notes)."""

from django.contrib import admin

from billing.models import (
    BillingRecord,
    CreditNote,
    CreditNoteLine,
    DueInstalment,
    Invoice,
    InvoiceLine,
    InvoiceRun,
    InvoiceRunFailure,
    InvoiceTax,
    UsageRecord,
)
from core.admin import ReadOnlyMixin


class InvoiceLineInline(ReadOnlyMixin, admin.TabularInline):
    model = InvoiceLine
    fields = ["position", "source", "description", "period_start", "period_end", "quantity",
              "unit_price", "amount", "tax_amount"]


class InvoiceTaxInline(ReadOnlyMixin, admin.TabularInline):
    model = InvoiceTax
    fields = ["name", "percent", "country", "region", "taxable_amount", "tax_amount"]


class DueInstalmentInline(ReadOnlyMixin, admin.TabularInline):
    model = DueInstalment
    fields = ["sequence", "due_on", "amount"]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "account", "state", "kind", "currency", "issue_on", "due_on",
                    "total", "amount_due"]
    list_filter = ["state", "kind", "currency"]
    search_fields = ["number", "account__name"]
    list_select_related = ["account"]
    inlines = [InvoiceLineInline, InvoiceTaxInline, DueInstalmentInline]


class InvoiceRunFailureInline(ReadOnlyMixin, admin.TabularInline):
    model = InvoiceRunFailure
    fields = ["account", "reason", "created_at"]


@admin.register(InvoiceRun)
class InvoiceRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "state", "currency", "bill_day", "account_count", "chunk_count",
                    "created_by", "created_at", "finished_at"]
    list_filter = ["state"]
    inlines = [InvoiceRunFailureInline]


@admin.register(BillingRecord)
class BillingRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["contract_line", "kind", "period_start", "period_end", "amount", "currency",
                    "invoice"]
    list_filter = ["kind", "currency"]
    raw_id_fields = ["contract_line", "invoice", "invoice_line"]


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["account", "product", "quantity", "occurred_at", "idempotency_key",
                    "billing_record"]
    search_fields = ["idempotency_key", "account__name"]
    list_select_related = ["account", "product"]


class CreditNoteLineInline(ReadOnlyMixin, admin.TabularInline):
    model = CreditNoteLine
    fields = ["position", "description", "quantity", "amount", "tax_amount"]


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "invoice", "account", "state", "reason", "issue_on", "total"]
    list_filter = ["state", "reason"]
    search_fields = ["number", "invoice__number", "account__name"]
    inlines = [CreditNoteLineInline]
