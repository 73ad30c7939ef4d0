"""Shapes and field checks of the payments forms; the services make the money decisions."""

from decimal import Decimal

from django import forms

from core.dates import business_date, month_start
from customers.models import Account
from ledger.selectors import open_period_for
from payments.models import PaymentMethodKind


class RecordPaymentForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.order_by("name"))
    method = forms.ChoiceField(choices=[(k, v) for k, v in PaymentMethodKind.choices
                                        if k != PaymentMethodKind.CARD]
                               + [(PaymentMethodKind.CARD, "Card (taken outside the gateway)")])
    amount = forms.DecimalField(max_digits=19, decimal_places=4, min_value=Decimal("0.0001"))
    currency = forms.CharField(max_length=3, min_length=3)
    received_on = forms.DateField(initial=business_date,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(max_length=140, required=False)

    def clean_currency(self):
        return self.cleaned_data["currency"].upper()

    def clean_received_on(self):
        """Refused at the field when its month is closed (the ledger would post it later)."""
        day = self.cleaned_data["received_on"]
        landing = open_period_for(day)
        if landing.start_on > month_start(day):
            month = f"{day:%B %Y}"
            raise forms.ValidationError(
                f"{month} is closed: a payment dated {day.isoformat()} would post in "
                f"{landing.start_on:%B %Y}. Date it in an open period, or ask an accountant to "
                f"reopen {month}.")
        return day


class AllocationForm(forms.Form):
    """One amount field per open invoice (`invoice_<pk>`), built from the invoices given."""

    def __init__(self, *args, invoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoices = list(invoices)
        for invoice in self.invoices:
            self.fields[f"invoice_{invoice.pk}"] = forms.DecimalField(
                label=str(invoice), required=False, min_value=Decimal("0"), max_digits=19,
                decimal_places=4)

    def applications(self) -> list[tuple[int, Decimal]]:
        return [(invoice.pk, self.cleaned_data[f"invoice_{invoice.pk}"])
                for invoice in self.invoices if self.cleaned_data.get(f"invoice_{invoice.pk}")]


class RefundForm(forms.Form):
    amount = forms.DecimalField(max_digits=19, decimal_places=4, min_value=Decimal("0.0001"))
    reason = forms.CharField(max_length=255)


class DisputeForm(forms.Form):
    reason = forms.CharField(max_length=255)


class WriteOffForm(forms.Form):
    note = forms.CharField(max_length=255, label="Why it cannot be collected")


class StatementForm(forms.Form):
    file = forms.FileField(label="Bank statement (CSV)")


class AgingForm(forms.Form):
    as_of = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    currency = forms.CharField(max_length=3, required=False)


class DsoForm(forms.Form):
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("The period must start before it ends.")
        return data


class WaiveForm(forms.Form):
    reason = forms.CharField(max_length=255, label="Why it is waived")


class ApplyCreditForm(forms.Form):
    invoice = forms.ModelChoiceField(queryset=None, label="Open invoice")
    amount = forms.DecimalField(max_digits=19, decimal_places=4, min_value=Decimal("0.0001"))

    def __init__(self, *args, invoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].queryset = invoices


class RefundCreditForm(forms.Form):
    amount = forms.DecimalField(max_digits=19, decimal_places=4, min_value=Decimal("0.0001"))
    reason = forms.CharField(max_length=255)


class PauseBillingForm(forms.Form):
    reason = forms.CharField(max_length=255, label="Why billing is paused")
    credit_blocked_days = forms.BooleanField(
        required=False, label="Credit the blocked days on resume",
        help_text="The recurring charges of the paused days are credited once billing resumes.")


class ResumeBillingForm(forms.Form):
    reason = forms.CharField(max_length=255, label="Why billing resumes")
