"""Admin: contract templates are kept here; contracts and their lines are read-only (they change
only through the contract services)."""

from django.contrib import admin

from contracts.models import (
    Amendment,
    Contract,
    ContractLine,
    ContractTemplate,
    Renewal,
    RenewalReminder,
    Termination,
)
from contracts.terms import PLACEHOLDERS
from core.admin import ReadOnlyMixin


@admin.register(ContractTemplate)
class ContractTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "acceptance_signs", "auto_renew",
                    "renewal_term_months", "uplift_percent", "renewal_notice_days", "updated_at"]
    search_fields = ["name"]

    def get_form(self, request, obj=None, **kwargs):
        help_text = "Placeholders: " + ", ".join(
            f"{{{{ {name} }}}} ({meaning})" for name, meaning in PLACEHOLDERS.items())
        kwargs.setdefault("help_texts", {})["body"] = help_text
        return super().get_form(request, obj, **kwargs)


class ContractLineInline(ReadOnlyMixin, admin.TabularInline):
    model = ContractLine
    fields = ["position", "product", "quantity", "billing_period", "amount_per_period",
              "net_amount", "start_on", "end_on", "status"]
    readonly_fields = fields
    extra = 0


@admin.register(Contract)
class ContractAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "account", "owner", "state", "currency", "start_on", "end_on",
                    "total_contract_value", "external_reference"]
    list_filter = ["state", "currency", "auto_renew"]
    list_select_related = ["account", "owner"]
    search_fields = ["number", "account__name", "quote__number", "external_reference"]
    inlines = [ContractLineInline]


@admin.register(Amendment)
class AmendmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["contract", "quote", "effective_on", "applied_on", "prorated_total",
                    "created_by"]
    list_select_related = ["contract", "quote", "created_by"]
    search_fields = ["contract__number", "quote__number"]


@admin.register(Termination)
class TerminationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["contract", "effective_on", "credit_amount", "currency", "created_by"]
    list_select_related = ["contract", "created_by"]
    search_fields = ["contract__number"]


@admin.register(Renewal)
class RenewalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["contract", "quote", "created_on"]
    list_select_related = ["contract", "quote"]
    search_fields = ["contract__number", "quote__number"]


@admin.register(RenewalReminder)
class RenewalReminderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["contract", "days_before", "sent_on"]
    list_select_related = ["contract"]
