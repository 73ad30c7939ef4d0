import copy

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from core.forms import add_service_errors
from customers import services
from customers.models import Account, Contact, Instalment, PaymentTerms, ReportingLine
from customers.selectors import accounts_visible_to, assignable_owners
from customers.services.accounts import ACCOUNT_FIELDS, account_errors


class AccountAdminForm(forms.ModelForm):
    """Runs the services' field rules (country, currency, owner, terms) so that the service
    call in `save_model` finds nothing left to refuse."""

    user = None  # set per request by AccountAdmin.get_form

    class Meta:
        model = Account
        fields = ["name", "legal_name", "tax_id", "owner", "status", "country", "region",
                  "currency", "payment_terms", "credit_limit", "tax_exempt",
                  "billing_street", "billing_city", "billing_postal_code",
                  "shipping_street", "shipping_city", "shipping_postal_code",
                  "vat_id", "tax_exemption_reason", "buyer_reference", "purchase_order",
                  "payment_means", "mandate_reference", "debtor_iban", "einvoice_format",
                  "document_language", "peppol_id", "document_delivery"]

    def _post_clean(self):
        super()._post_clean()
        account = copy.copy(self.instance)
        owner_ids = set(assignable_owners(self.user).values_list("pk", flat=True))
        if self.instance.pk:
            owner_ids.add(self.initial.get("owner"))
        errors = account_errors(account, credit_limit=account.credit_limit, owner_ids=owner_ids,
                                terms_changed="payment_terms" in self.changed_data,
                                skip=[name for name in self.errors if name != "__all__"])
        if errors:
            add_service_errors(self, ValidationError(errors))


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "email", "phone", "role"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "currency", "payment_terms", "credit_limit", "owner",
                    "status", "is_overdue"]
    list_filter = ["status", "is_overdue", "currency", "country", "payment_terms", "tax_exempt"]
    search_fields = ["name", "legal_name", "tax_id", "vat_id", "contacts__email"]
    list_select_related = ["payment_terms", "owner"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["billing_state", "is_overdue", "overdue_since", "created_at", "updated_at",
                       "vat_checked_at", "vat_check_valid"]
    inlines = [ContactInline]
    form = AccountAdminForm
    fieldsets = [
        (None, {"fields": ["name", "legal_name", "tax_id", "owner", "status"]}),
        ("Terms", {"fields": ["country", "region", "time_zone", "currency", "payment_terms",
                              "credit_limit", "tax_exempt"]}),
        ("E-invoicing and payment", {"fields": [
            "vat_id", "tax_exemption_reason", "buyer_reference", "purchase_order",
            "payment_means", "mandate_reference", "debtor_iban", "einvoice_format",
            "document_language", "peppol_id", "document_delivery", "vat_checked_at",
            "vat_check_valid"]}),
        ("Billing address", {"fields": ["billing_street", "billing_city",
                                        "billing_postal_code"]}),
        ("Shipping address", {"fields": ["shipping_street", "shipping_city",
                                         "shipping_postal_code"]}),
        ("Set by billing and dunning", {"fields": ["is_overdue", "overdue_since",
                                                 "billing_state"]}),
        ("Record", {"fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        # The same visibility rule as the back office: admin shows no more than the list does.
        return accounts_visible_to(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        """Writes go through the services, so admin edits obey the same rules."""
        fields = {name: form.cleaned_data[name] for name in form.cleaned_data
                  if name in ACCOUNT_FIELDS and (name in form.changed_data or not change)}
        if "credit_limit" in fields or "currency" in fields:
            fields["credit_limit"] = form.cleaned_data["credit_limit"].amount
        if change:
            saved = services.update_account(account=obj, by=request.user, **fields)
        else:
            saved = services.create_account(by=request.user, **fields)
        obj.pk = saved.pk
        obj.refresh_from_db()


class InstalmentFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        rows = [form.instance for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("DELETE")]
        services.validate_instalments(self.instance, instalments=rows)


class InstalmentInline(admin.TabularInline):
    model = Instalment
    formset = InstalmentFormSet
    extra = 0
    fields = ["sequence", "percent", "basis", "due_days"]


@admin.register(PaymentTerms)
class PaymentTermsAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "days", "early_discount_percent",
                    "early_discount_days", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]
    inlines = [InstalmentInline]


@admin.register(ReportingLine)
class ReportingLineAdmin(admin.ModelAdmin):
    list_display = ["user", "manager", "team_name"]
    list_select_related = ["user", "manager"]
    search_fields = ["user__username", "manager__username", "team_name"]
    autocomplete_fields = ["user", "manager"]
