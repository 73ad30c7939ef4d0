"""Forms of the contract pages: shape and field checks only; the services decide the rest."""

from django import forms


def effective_time_field(what: str) -> forms.TimeField:
    return forms.TimeField(
        label="at", required=False, widget=forms.TimeInput(attrs={"type": "time"},
                                                           format="%H:%M"),
        help_text=f"Optional: lines priced by the second {what} at this time of that day, in "
                  f"the line's time zone.")


class AmendmentForm(forms.Form):
    effective_on = forms.DateField(label="Effective from", widget=forms.DateInput(
        attrs={"type": "date"}), help_text="Changed lines end the day before; new ones start "
                                           "on it. The amendment runs to the contract's end.")
    effective_time = effective_time_field("change")


class TerminationPreviewForm(forms.Form):
    effective_on = forms.DateField(label="First day without service", widget=forms.DateInput(
        attrs={"type": "date"}), help_text="Lines end the day before it.")
    effective_time = effective_time_field("stop")


class TerminationForm(TerminationPreviewForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV or XLSX file", help_text="One row per contract line.")
