"""Forms of billing's document pages (shape and field checks; the services decide the rest)."""

from datetime import date
from decimal import Decimal

import django_filters
from django import forms

from billing.models import CreditNote, CreditNoteReason
from billing.services.credit_notes import LineLeft, search_credit_notes
from core.money import round_money

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # ~200,000 usage rows


class DateInput(forms.DateInput):
    input_type = "date"


class CsvUploadForm(forms.Form):
    file = forms.FileField(help_text="A UTF-8 CSV file with a header row.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; split it.")
        return upload


class CreditNoteForm(forms.Form):
    WHOLE, LINES, AMOUNT = "whole", "lines", "amount"
    reason = forms.ChoiceField(choices=[("", "Choose a reason"), *CreditNoteReason.choices])
    reason_note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  label="Note", help_text="Printed on the credit note.")
    how = forms.ChoiceField(choices=[(WHOLE, "Everything left on the invoice"),
                                     (LINES, "Net amounts of some lines (their tax follows)"),
                                     (AMOUNT, "An amount including tax")],
                            widget=forms.RadioSelect, label="Credit",
                            error_messages={"required": "Choose what to credit."})
    amount = forms.DecimalField(required=False, min_value=Decimal("0"), max_digits=19,
                                decimal_places=4, label="Amount including tax")

    def __init__(self, *args, lines: list[tuple[object, LineLeft]], currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.line_rows = []
        for invoice_line, left in lines:
            name = f"line_{invoice_line.pk}"
            self.fields[name] = forms.DecimalField(
                required=False, min_value=Decimal("0"), max_value=left.amount_left,
                max_digits=19, decimal_places=4, label=invoice_line.description)
            self.line_rows.append((invoice_line, left, name))

    def bound_lines(self):
        return [(line, left, self[name]) for line, left, name in self.line_rows]

    def clean(self):
        cleaned = super().clean()
        how = cleaned.get("how")
        if how == self.AMOUNT and not cleaned.get("amount"):
            self.add_error("amount", "Give the amount to credit.")
        if how == self.LINES and not any(cleaned.get(name) for _, _, name in self.line_rows):
            self.add_error(None, "Give a net amount for at least one line.")
        typed = cleaned.get("amount") or any(cleaned.get(n) for _, _, n in self.line_rows)
        if how == self.WHOLE and typed:
            self.add_error(None, "You typed amounts but chose everything left on the invoice: "
                                 "choose “Net amounts of some lines” or clear them.")
        for name in [n for _, _, n in self.line_rows] + ["amount"]:
            value = cleaned.get(name)
            if value and round_money(value, self.currency) != value:
                self.add_error(name, f"Use {self.currency}'s minor unit.")
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {"reason": data["reason"], "reason_note": data.get("reason_note", "")}
        if data["how"] == self.AMOUNT:
            kwargs["amount"] = data["amount"]
        elif data["how"] == self.LINES:
            kwargs["line_amounts"] = {line.pk: data[name] for line, _, name in self.line_rows
                                      if data.get(name)}
        else:
            kwargs["whole"] = True
        return kwargs


class CreditNoteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    reason = django_filters.ChoiceFilter(choices=CreditNoteReason.choices,
                                         empty_label="Any reason")
    issued_from = django_filters.DateFilter(field_name="issue_on", lookup_expr="gte",
                                            label="Issued from", widget=DateInput)
    issued_to = django_filters.DateFilter(field_name="issue_on", lookup_expr="lte",
                                          label="Issued to", widget=DateInput)

    class Meta:
        model = CreditNote
        fields = ["q", "reason", "issued_from", "issued_to"]

    def search(self, queryset, name, value):
        return search_credit_notes(queryset, value)


class OssReportForm(forms.Form):
    year = forms.IntegerField(min_value=2021, max_value=2100)
    quarter = forms.TypedChoiceField(choices=[(q, f"Q{q}") for q in (1, 2, 3, 4)], coerce=int)


class TaxReportForm(forms.Form):
    start = forms.DateField(widget=DateInput, label="From")
    end = forms.DateField(widget=DateInput, label="To")
    currency = forms.CharField(required=False, max_length=3)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        return cleaned

    @staticmethod
    def month_of(day: date) -> dict:
        import calendar

        last = calendar.monthrange(day.year, day.month)[1]
        return {"start": day.replace(day=1), "end": day.replace(day=last)}
