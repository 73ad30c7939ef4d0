"""Dunning policies, their steps and email texts, and accounts' dunning settings are kept here;
payments and dunning history are shown read-only (they change only through the services)."""

from django import forms
from django.contrib import admin

from core.admin import ReadOnlyMixin
from payments.dunning_texts import text_problems
from payments.models import (
    AccountDunning,
    ClearingRule,
    CustomerCredit,
    DunningEvent,
    DunningPolicy,
    DunningPolicyStep,
    DunningTemplate,
    DunningThreshold,
    LateCharge,
    Payment,
    PaymentMethod,
    PaymentsProfile,
    ReferenceRate,
    WebhookEvent,
)


class StepInline(admin.TabularInline):
    """Keys and days are unique per policy (constraints), so steps always form a valid
    payments.dunning_rules policy once ordered by days."""

    model = DunningPolicyStep
    extra = 1


class ThresholdInline(admin.TabularInline):
    """The account's whole overdue balance per currency that steps after the due date wait
    for (payments.dunning_rules)."""

    model = DunningThreshold
    extra = 0


@admin.register(DunningPolicy)
class DunningPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "grace_days", "minimum_overdue",
                    "minimum_days_between", "maximum_attempts", "interest"]
    inlines = [StepInline, ThresholdInline]


@admin.register(ReferenceRate)
class ReferenceRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "country", "starts_on", "rate", "source"]
    list_filter = ["currency", "country"]


@admin.register(ClearingRule)
class ClearingRuleAdmin(admin.ModelAdmin):
    list_display = ["country", "order", "interest_margin", "law"]


@admin.register(PaymentsProfile)
class PaymentsProfileAdmin(admin.ModelAdmin):
    list_display = ["account", "auto_apply_credit", "monthly_statement",
                    "statements_sent_through"]
    list_filter = ["auto_apply_credit", "monthly_statement"]
    autocomplete_fields = ["account"]
    search_fields = ["account__name"]


@admin.register(LateCharge)
class LateChargeAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "account", "invoice", "amount", "amount_due", "state"]
    list_filter = ["kind", "state", "currency"]
    search_fields = ["number", "account__name"]


@admin.register(CustomerCredit)
class CustomerCreditAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "account", "amount", "amount_applied", "amount_refunded",
                    "currency"]
    search_fields = ["account__name", "credit_note__number"]


class TemplateForm(forms.ModelForm):
    class Meta:
        model = DunningTemplate
        fields = ["key", "language", "subject", "body"]

    def clean(self):
        data = super().clean()
        for field in ("subject", "body"):
            for problem in text_problems(data.get(field) or ""):
                self.add_error(field, problem[0].upper() + problem[1:] + ".")
        return data


@admin.register(DunningTemplate)
class DunningTemplateAdmin(admin.ModelAdmin):
    form = TemplateForm
    list_display = ["key", "language", "subject"]


@admin.register(AccountDunning)
class AccountDunningAdmin(admin.ModelAdmin):
    list_display = ["account", "policy", "paused", "pause_reason"]
    list_filter = ["paused", "policy"]
    autocomplete_fields = ["account"]
    search_fields = ["account__name"]


@admin.register(PaymentMethod)
class PaymentMethodAdmin(admin.ModelAdmin):
    """Saved cards: finance can stop autopay or retire a card; the card itself (token, brand,
    last four, expiry) is the gateway's and never edited here."""

    list_display = ["__str__", "account", "autopay", "active", "created_at"]
    list_filter = ["autopay", "active", "brand"]
    search_fields = ["account__name", "last4"]
    fields = ["account", "gateway", "token", "brand", "last4", "exp_month", "exp_year",
              "autopay", "active"]
    readonly_fields = ["account", "gateway", "token", "brand", "last4", "exp_month",
                       "exp_year"]

    def has_add_permission(self, request):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "account", "method", "amount", "currency", "state",
                    "received_on"]
    list_filter = ["state", "method", "currency"]
    search_fields = ["reference", "account__name", "gateway_reference"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["received_at", "gateway", "kind", "event_id", "outcome"]
    list_filter = ["gateway", "kind"]
    search_fields = ["event_id", "outcome"]


@admin.register(DunningEvent)
class DunningEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["taken_on", "invoice", "account", "step_key", "action", "outcome"]
    list_filter = ["action", "taken_on"]
