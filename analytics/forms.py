from datetime import date

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model

from core.dates import add_months


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (an <input type=month>), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


MAX_MONTHS = 36


class AnalyticsFilterForm(forms.Form):
    start = MonthField(label="From month")
    end = MonthField(label="To month")
    currency = forms.ChoiceField(required=False, label="Currency")
    owner = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False,
                                   label="Owner", empty_label="Everyone I can see")

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = [("", f"All, in {settings.FUNCTIONAL_CURRENCY}")] + [
            (code, code) for code in settings.CURRENCIES]
        self.fields["owner"].queryset = owners

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The last month comes before the first.")
            elif add_months(start, MAX_MONTHS) <= end:
                self.add_error("end", f"Choose at most {MAX_MONTHS} months.")
        return cleaned

    @staticmethod
    def initial_for(start: date, end: date) -> dict:
        return {"start": start, "end": end, "currency": "", "owner": None}
