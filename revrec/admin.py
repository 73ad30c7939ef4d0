"""Admin: revrec's records are read-only here (they change only through the revrec services);
the SSP table is edited here. The accountant's judgements on returns and financing are shown
too: goods returns are posted when recorded and never change; a return estimate or a financing
component no run has posted yet may have its reason corrected, nothing else (its amounts drive
the obligation's allocation: a change is a new estimate through the service)."""

from django.contrib import admin

from core.admin import ReadOnlyMixin
from revrec.models import (
    FinancingComponent,
    GoodsReturn,
    InterestLine,
    PerformanceObligation,
    RecognitionItem,
    RecognitionRun,
    ReturnEstimate,
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
              "ssp_low", "ssp_high", "allocated", "variable", "units_before", "earned_before",
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


class ReasonUntilPostedMixin:
    """Never added or deleted here; once posted (`is_posted`), not changed either; before, only
    the reason may be corrected."""

    def is_posted(self, obj) -> bool:
        raise NotImplementedError

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or not self.is_posted(obj))

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "reason"]


@admin.register(ReturnEstimate)
class ReturnEstimateAdmin(ReasonUntilPostedMixin, admin.ModelAdmin):
    list_display = ["obligation", "version", "method", "units_sold", "units_returned", "gross",
                    "refund", "asset", "recorded_on", "posted_in"]
    list_filter = ["method", "recorded_on"]
    list_select_related = ["obligation__revenue_contract", "posted_in"]
    search_fields = ["obligation__revenue_contract__number"]

    def is_posted(self, obj) -> bool:
        return obj.posted_in_id is not None


@admin.register(GoodsReturn)
class GoodsReturnAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Posted when recorded (`revrec.services.returns.record_return`)."""

    list_display = ["obligation", "quantity", "returned_on", "refund", "cost", "credit_note",
                    "recorded_by", "entry"]
    list_filter = ["returned_on"]
    list_select_related = ["obligation__revenue_contract", "credit_note", "recorded_by",
                           "entry"]
    search_fields = ["obligation__revenue_contract__number"]


class InterestLineInline(ReadOnlyMixin, admin.TabularInline):
    model = InterestLine
    fields = ["month", "kind", "amount", "amount_functional", "run", "entry"]
    readonly_fields = fields
    extra = 0


@admin.register(FinancingComponent)
class FinancingComponentAdmin(ReasonUntilPostedMixin, admin.ModelAdmin):
    list_display = ["obligation", "kind", "rate", "rate_after", "paid_on", "transferred_on",
                    "amount", "revenue", "interest", "recorded_on"]
    list_filter = ["kind", "recorded_on"]
    list_select_related = ["obligation__revenue_contract"]
    search_fields = ["obligation__revenue_contract__number"]
    inlines = [InterestLineInline]

    def is_posted(self, obj) -> bool:
        return obj.interest_lines.filter(run__isnull=False).exists()
