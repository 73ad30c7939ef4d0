"""Admin: revrec's records are read-only here (they change only through the revrec services)."""

from django.contrib import admin

from core.admin import ReadOnlyMixin
from revrec.models import (
    PerformanceObligation,
    RecognitionItem,
    RecognitionRun,
    RevenueContract,
    ScheduleLine,
)


class ObligationInline(ReadOnlyMixin, admin.TabularInline):
    model = PerformanceObligation
    fields = ["contract_line", "product", "family", "pattern", "ssp", "ssp_basis", "allocated",
              "allocation_rule", "service_start", "service_end", "status", "ended_on"]
    readonly_fields = fields
    extra = 0


@admin.register(RevenueContract)
class RevenueContractAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "contract", "account", "kind", "currency", "transaction_price",
                    "created_on", "modified_on"]
    list_filter = ["kind", "currency"]
    list_select_related = ["contract", "account"]
    search_fields = ["number", "contract__number", "account__name"]
    inlines = [ObligationInline]


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
