"""Billing forms: shape and field checks only; the services decide the rest."""

from datetime import date
from decimal import Decimal

from django import forms
from django.conf import settings

from billing.crediting import LineLeft
from billing.models import CreditNoteReason
from core.dates import business_date
from core.money import round_money
from customers.models import Account

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # ~200,000 usage rows


class DateInput(forms.DateInput):
    input_type = "date"


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


class CsvUploadForm(forms.Form):
    file = forms.FileField(help_text="A CSV (UTF-8) or XLSX file with a header row.",
                           widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; split it.")
        return upload


class CreditNoteForm(forms.Form):
    WHOLE, LINES, AMOUNT = "whole", "lines", "amount"
    reason = forms.ChoiceField(
        choices=[("", "Choose a reason"), *CreditNoteReason.choices],
        help_text="“Goods returned” when the customer sent the goods back; a lower price for "
                  "goods the customer keeps is goodwill or a service issue.")
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


class MarkPostedForm(forms.Form):
    copies = forms.ModelMultipleChoiceField(
        queryset=None, error_messages={"required": "Choose the documents you posted."})
    posted_on = forms.DateField(widget=DateInput, label="Posted on")

    def __init__(self, *args, to_post, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copies"].queryset = to_post
