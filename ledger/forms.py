from django import forms

from ledger.models import AccountingPeriod, ExportFormat, GLAccount
from ledger.selectors import JournalFilters


class DateInput(forms.DateInput):
    input_type = "date"


class TrialBalanceForm(forms.Form):
    as_of = forms.DateField(required=False, label="As of", widget=DateInput)


class JournalFilterForm(forms.Form):
    date_from = forms.DateField(required=False, label="Posted from", widget=DateInput)
    date_to = forms.DateField(required=False, label="Posted to", widget=DateInput)
    gl_account = forms.ModelChoiceField(queryset=GLAccount.objects.order_by("code"),
                                        to_field_name="code", required=False,
                                        label="GL account", empty_label="Any account")
    source = forms.CharField(required=False, label="Source or memo", max_length=100)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def filters(self) -> JournalFilters:
        """The filters of a valid form; none of them when the form is invalid."""
        if not self.is_valid():
            return JournalFilters()
        data = self.cleaned_data
        account = data.get("gl_account")
        return JournalFilters(date_from=data.get("date_from"), date_to=data.get("date_to"),
                              gl_code=account.code if account else "",
                              source=data.get("source", "").strip())


class ReopenForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Kept in the period's history.")


class ReverseEntryForm(forms.Form):
    memo = forms.CharField(max_length=255, label="Reason", help_text="The reversing entry's memo.")
    on = forms.DateField(required=False, label="Reversal date", widget=DateInput,
                         help_text="Today when left empty.")


class RateImportForm(forms.Form):
    file = forms.FileField(help_text="CSV or XLSX with the columns currency, date, rate "
                                     "(functional-currency units per unit), at most 2 MB.")


class RateFilterForm(forms.Form):
    currency = forms.CharField(required=False, max_length=3)


class ManualJournalForm(forms.Form):
    document_date = forms.DateField(label="Date", widget=DateInput)
    memo = forms.CharField(max_length=255, help_text="What the journal records and why.")


class ManualJournalLineForm(forms.Form):
    gl_account = forms.ModelChoiceField(
        queryset=GLAccount.objects.filter(active=True).order_by("code"), to_field_name="code",
        required=False, label="Account", empty_label="—")
    debit = forms.DecimalField(required=False, min_value=0, max_digits=19, decimal_places=4)
    credit = forms.DecimalField(required=False, min_value=0, max_digits=19, decimal_places=4)
    description = forms.CharField(required=False, max_length=255)

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("debit") or cleaned.get("credit")) and not cleaned.get("gl_account"):
            self.add_error("gl_account", "Choose the account for this amount.")
        return cleaned


ManualJournalLineFormSet = forms.formset_factory(ManualJournalLineForm, extra=4, max_num=50,
                                                 validate_max=True)


class RejectJournalForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="The preparer reads this.")


class LedgerExportForm(forms.Form):
    """A new export: of one period's entries not yet exported, or of all since the last."""

    format = forms.ChoiceField(choices=ExportFormat.choices, initial=ExportFormat.CSV)
    period = forms.ModelChoiceField(queryset=AccountingPeriod.objects.order_by("-start_on"),
                                    required=False, empty_label="Since the last export")
