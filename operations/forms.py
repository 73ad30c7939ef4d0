from django import forms

from operations.models import ScheduleSettings


class ScheduleForm(forms.ModelForm):
    class Meta:
        model = ScheduleSettings
        fields = ["invoice_run_mode", "recognize_after_month_end"]
        widgets = {"invoice_run_mode": forms.RadioSelect}


class DismissRefusalForm(forms.Form):
    note = forms.CharField(max_length=500, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "Why (optional)"}))
