"""Billing forms: shape and field checks only; the services decide the rest."""

from django import forms
from django.conf import settings

from core.dates import business_date
from customers.models import Account


def _currency_choices(blank: str):
    return [("", blank)] + [(c, c) for c in settings.CURRENCIES]


class RunForm(forms.Form):
    as_of = forms.DateField(label="Bill through", widget=forms.DateInput(attrs={"type": "date"}),
                            help_text="Everything due on or before this day.")
    currency = forms.ChoiceField(choices=(), required=False)
    bill_day = forms.IntegerField(min_value=1, max_value=28, required=False, label="Bill day")
    accounts = forms.CharField(required=False, label="Accounts",
                               help_text="Account numbers (ids) separated by commas; empty: "
                                         "every account.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = _currency_choices("Any currency")
        self.fields["as_of"].initial = business_date()

    def clean_accounts(self) -> list[int]:
        text = self.cleaned_data["accounts"] or ""
        parts = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
        bad = [part for part in parts if not part.isdigit()]
        if bad:
            raise forms.ValidationError(f"Not account numbers: {', '.join(bad)}.")
        ids = sorted({int(part) for part in parts})
        found = set(Account.objects.filter(pk__in=ids).values_list("pk", flat=True))
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise forms.ValidationError(f"No such accounts: {', '.join(missing)}.")
        return ids

    def filters(self) -> dict:
        data = self.cleaned_data
        return {"as_of": data["as_of"], "currency": data["currency"],
                "bill_day": data["bill_day"], "accounts": data["accounts"]}


class ChargeForm(forms.Form):
    description = forms.CharField(max_length=255)
    quantity = forms.DecimalField(max_digits=19, decimal_places=6, initial=1)
    unit_price = forms.DecimalField(max_digits=19, decimal_places=6)
    period_start = forms.DateField(required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class LineForm(forms.Form):
    description = forms.CharField(max_length=255)
    quantity = forms.DecimalField(max_digits=19, decimal_places=6)
    unit_price = forms.DecimalField(max_digits=19, decimal_places=6)


class ManualInvoiceForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.order_by("name"))
    currency = forms.ChoiceField(choices=(), required=False,
                                 help_text="Empty: the account's currency.")
    memo = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = _currency_choices("Account's currency")


class ReferencesForm(forms.Form):
    purchase_order = forms.CharField(label="PO number", max_length=100, required=False,
                                     help_text="Empty: the account's.")
    buyer_reference = forms.CharField(max_length=200, required=False,
                                      help_text="Empty: the account's.")


class VoidForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class BulkIssueForm(forms.Form):
    invoices = forms.ModelMultipleChoiceField(queryset=None)

    def __init__(self, *args, drafts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoices"].queryset = drafts
