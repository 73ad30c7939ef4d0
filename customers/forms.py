"""Shapes and field checks of the customers pages; the services decide and write."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from djmoney.money import Money

from core.imports import TableRefused, file_format
from customers.models import Account, Contact, DocumentDelivery, PaymentMeans, PaymentTerms
from customers.selectors import assignable_owners, terms_due_within
from customers.services.accounts import COMMERCIAL_TERMS, SALES_TERMS_DAYS, TERM_LABELS
from customers.services.importing import MAX_IMPORT_BYTES

ACCOUNT_FORM_FIELDS = [
    "name", "legal_name", "tax_id", "owner", "status",
    "country", "region", "time_zone", "currency", "payment_terms", "credit_limit", "tax_exempt",
    "bill_day",
    "billing_street", "billing_city", "billing_postal_code",
    "shipping_street", "shipping_city", "shipping_postal_code",
    "vat_id", "tax_exemption_reason", "buyer_reference", "purchase_order",
    "payment_means", "mandate_reference", "debtor_iban", "einvoice_format",
    "document_language", "peppol_id", "document_delivery",
]


class AccountForm(forms.ModelForm):
    country = forms.CharField(max_length=10, help_text="Two letters (ISO 3166), e.g. US, DE.")
    currency = forms.ChoiceField(choices=())
    credit_limit = forms.DecimalField(min_value=0, max_digits=15, decimal_places=4,
                                      help_text="In the account currency; rounded to its "
                                                "smallest unit.")

    class Meta:
        model = Account
        fields = [f for f in ACCOUNT_FORM_FIELDS if f != "credit_limit"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [(c, c) for c in settings.CURRENCIES]
        self.fields["owner"].queryset = assignable_owners(user)
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        current_terms = self.instance.payment_terms_id
        self.fields["payment_terms"].queryset = PaymentTerms.objects.filter(
            Q(active=True) | Q(pk=current_terms))
        if self.instance.pk:
            self.initial.setdefault("credit_limit", self.instance.credit_limit.amount)
        else:
            self.initial.setdefault("owner", user.pk)
            self.initial.setdefault("currency", settings.DEFAULT_CURRENCY)
            self.initial.setdefault("credit_limit", 0)
        self.fields["payment_means"].required = False  # credit transfer unless told
        self.fields["document_delivery"].required = False  # email unless told
        if not user.has_perm(COMMERCIAL_TERMS):
            self._leave_terms_to_finance()
        self.order_fields(ACCOUNT_FORM_FIELDS)

    def clean_payment_means(self):
        return self.cleaned_data.get("payment_means") or PaymentMeans.CREDIT_TRANSFER

    def clean_document_delivery(self):
        return self.cleaned_data.get("document_delivery") or DocumentDelivery.EMAIL

    def _leave_terms_to_finance(self):
        """Sales see the commercial terms but cannot post them (a disabled field keeps its
        stored value whatever is sent). A new account starts with no limit, no exemption and
        terms within the quote approval threshold; its currency is the rep's to choose."""
        finance_only = (["credit_limit", "tax_exempt", "payment_terms", "currency"]
                        if self.instance.pk else ["credit_limit", "tax_exempt"])
        for name in finance_only:
            self.fields[name].disabled = True
            self.fields[name].help_text = f"Finance sets the {TERM_LABELS.get(name, name)}."
        if not self.instance.pk:
            self.fields["payment_terms"].queryset = terms_due_within(SALES_TERMS_DAYS)
            self.fields["payment_terms"].help_text = (
                f"Up to {SALES_TERMS_DAYS} days; finance sets longer terms.")

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise ValidationError("Enter a two-letter country code such as US or DE.")
        return country

    def clean(self):
        cleaned = super().clean()
        # The model checks the limit's currency against the account's: keep the two together.
        if "credit_limit" in cleaned and "currency" in cleaned:
            self.instance.credit_limit = Money(cleaned["credit_limit"], cleaned["currency"])
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ACCOUNT_FORM_FIELDS}


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "email", "phone", "role"]


class ImportForm(forms.Form):
    accounts_file = forms.FileField(label="Accounts file (CSV or XLSX)")
    contacts_file = forms.FileField(label="Contacts file (CSV or XLSX)", required=False)

    def clean(self):
        cleaned = super().clean()
        for name in ("accounts_file", "contacts_file"):
            if (upload := cleaned.get(name)) and (problem := _upload_problem(upload)):
                self.add_error(name, problem)
        return cleaned


def _upload_problem(upload) -> str:
    """Why the upload is refused before it is read ("" when it may be read)."""
    try:
        file_format(upload.name)
    except TableRefused as refused:
        return " ".join(refused.problems)
    if upload.size > MAX_IMPORT_BYTES:
        return f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB; split it."
    return ""
