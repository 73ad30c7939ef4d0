"""Month pickers, the report filters, a revenue contract's recognition policy and the
override of a modification's treatment."""

from datetime import date

from django import forms

from core.dates import add_months, business_date, month_start
from revrec.models import MidMonthEnd, RecognitionBasis, RemainderTo, Treatment
from revrec.schedules import Basis

REPORTS = {
    "waterfall": "Revenue waterfall",
    "rollforward": "Deferred revenue roll-forward",
    "recognized": "Recognized revenue",
    "disaggregation": "Disaggregation of revenue",
    "rpo": "Remaining performance obligations",
    "journal": "Revenue journal (ERP export)",
}


def parse_month(value: str) -> date:
    try:
        year, month = (int(part) for part in value.split("-")[:2])
        return date(year, month, 1)
    except (TypeError, ValueError):
        raise forms.ValidationError("Give the month as YYYY-MM.") from None


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        return parse_month(value) if value else None


def this_month() -> date:
    return month_start(business_date())


class MonthForm(forms.Form):
    month = MonthField(label="Month")


class ReportForm(forms.Form):
    first = MonthField(label="From", required=False)
    last = MonthField(label="To", required=False)
    months = forms.TypedChoiceField(label="Months ahead", coerce=int, required=False,
                                    choices=[(12, "12"), (18, "18"), (24, "24")])
    currency = forms.CharField(max_length=3, required=False)
    family = forms.CharField(max_length=100, required=False)
    account = forms.CharField(max_length=100, required=False, label="Customer")

    def values(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        today = this_month()
        last = data.get("last") or today
        return {
            "first": data.get("first") or add_months(last, -11), "last": last,
            "months": data.get("months") or 12, "currency": data.get("currency") or "",
            "family": data.get("family") or "", "account": data.get("account") or "",
        }


class PolicyForm(forms.Form):
    recognition_basis = forms.ChoiceField(label="Basis", choices=RecognitionBasis.choices)
    remainder_to = forms.ChoiceField(label="Rounding remainder to", choices=RemainderTo.choices)
    mid_month_end = forms.ChoiceField(label="A service ending mid-month is recognized",
                                      choices=MidMonthEnd.choices)

    def basis(self) -> Basis:
        data = self.cleaned_data
        return Basis(data["recognition_basis"], data["remainder_to"], data["mid_month_end"])


class OverrideForm(forms.Form):
    treatment = forms.ChoiceField(choices=[(t.value, t.label) for t in Treatment
                                           if t != Treatment.SEPARATE])
    reason = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
