"""Admin: the chart of accounts and exchange rates are kept here; periods and journal entries
are shown read-only (periods change state on the Periods page, entries never change)."""

from django.contrib import admin

from core.admin import ReadOnlyMixin
from ledger.models import (
    AccountingPeriod,
    ExchangeRate,
    GLAccount,
    GLAccountMapping,
    JournalEntry,
    JournalLine,
)


@admin.register(GLAccount)
class GLAccountAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "type", "active"]
    list_filter = ["type", "active"]
    search_fields = ["code", "name"]

    def get_readonly_fields(self, request, obj=None):
        # Posted lines refer to the account by row; its code stays what it was when they posted.
        return ["code"] if obj is not None and obj.lines.exists() else []

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: posted lines keep pointing at it


@admin.register(AccountingPeriod)
class AccountingPeriodAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "start_on", "end_on", "state", "closed_at", "closed_by"]
    list_filter = ["state"]
    list_select_related = ["closed_by"]
    date_hierarchy = "start_on"


class JournalLineInline(admin.TabularInline):
    model = JournalLine
    extra = 0
    can_delete = False
    fields = ["gl_account", "description", "debit", "credit", "customer_account",
              "document_currency", "document_amount", "rate"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("gl_account", "customer_account")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["reference", "posted_on", "document_date", "memo", "source_label", "period",
                    "posted_by"]
    list_filter = ["period"]
    list_select_related = ["period", "posted_by"]
    search_fields = ["=number", "memo", "source_label"]
    date_hierarchy = "posted_on"
    inlines = [JournalLineInline]
    readonly_fields = ["number", "document_date", "posted_on", "period", "memo", "source_type",
                       "source_id", "source_label", "reverses", "posted_by", "created_at"]
    fields = readonly_fields


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "valid_on", "rate"]
    list_filter = ["currency"]
    search_fields = ["currency"]
    date_hierarchy = "valid_on"

    def has_delete_permission(self, request, obj=None):
        return False  # a wrong rate is corrected by a new value; entries keep the rate they used


@admin.register(GLAccountMapping)
class GLAccountMappingAdmin(admin.ModelAdmin):
    """The accountant's map to the chart of the system the ledger is exported to; an account
    left out is exported under its own code and name. Past exports keep the map they used."""

    list_display = ["gl_account", "target_code", "target_name"]
    list_select_related = ["gl_account"]
    search_fields = ["gl_account__code", "gl_account__name", "target_code", "target_name"]
    autocomplete_fields = ["gl_account"]
