"""Admin: revrec's records are read-only here (they change only through the revrec services);
the SSP table is edited here."""

from django.contrib import admin

from core.admin import ReadOnlyMixin
from revrec.models import (
    PerformanceObligation,
    RecognitionItem,
    RecognitionRun,
    RevenueContract,
    ScheduleLine,
    StandalonePrice,
    VariableConsideration,
)


@admin.register(StandalonePrice)
class StandalonePriceAdmin(admin.ModelAdmin):
    """The SSP table is reference data an accountant keeps here (like the catalog)."""

    list_display = ["product", "currency", "basis", "amount", "low", "high", "method"]
    list_filter = ["method", "currency", "basis"]
    list_select_related = ["product"]
    search_fields = ["product__sku", "product__name"]
    autocomplete_fields = ["product"]


class ObligationInline(ReadOnlyMixin, admin.TabularInline):
    model = PerformanceObligation
    fields = ["contract_line", "product", "family", "pattern", "ssp", "ssp_basis", "ssp_method",
              "ssp_low", "ssp_high", "allocated", "variable",
              "allocation_rule", "service_start", "service_end", "status", "ended_on"]
    readonly_fields = fields
    extra = 0


class VariableInline(ReadOnlyMixin, admin.TabularInline):
    model = VariableConsideration
    fields = ["version", "kind", "method", "scenarios", "estimate", "constrained",
              "constraint_reason", "allocated_to", "allocation_reason", "reason", "recorded_by",
              "recorded_on"]
    readonly_fields = fields
    extra = 0


@admin.register(RevenueContract)
class RevenueContractAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "contract", "account", "kind", "currency", "transaction_price",
                    "variable_consideration", "created_on", "modified_on"]
    list_filter = ["kind", "currency"]
    list_select_related = ["contract", "account"]
    search_fields = ["number", "contract__number", "account__name"]
    inlines = [ObligationInline, VariableInline]


@admin.register(ScheduleLine)
class ScheduleLineAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["obligation", "month", "start_on", "end_on", "amount", "run"]
    list_filter = ["month"]
    list_select_related = ["obligation", "run"]


class ItemInline(ReadOnlyMixin, admin.TabularInline):
    model = RecognitionItem
    fields = ["revenue_contract", "recognized", "recognized_functional", "billed_to_date",
              "contract_asset", "entry", "reclass_entry"]
    readonly_fields = fields
    extra = 0


@admin.register(RecognitionRun)
class RecognitionRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["month", "state", "contracts_done", "contracts_total", "started_by",
                    "finished_at"]
    list_filter = ["state"]
    inlines = [ItemInline]
