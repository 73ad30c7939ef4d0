"""Month pickers, the report filters, a revenue contract's recognition policy, the
override of a modification's treatment, estimates of variable consideration and of returns,
financing components (one payment or a plan), and material rights with their exercise."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms

from catalog.revenue_schedule import Basis
from core.dates import add_months, business_date, month_start
from core.money import minor_units, round_money
from revrec.models import (
    EstimateMethod,
    MidMonthEnd,
    RecognitionBasis,
    RemainderTo,
    RightKind,
    Treatment,
    VariableKind,
)

REPORTS = {
    "waterfall": "Revenue waterfall",
    "rollforward": "Deferred revenue roll-forward",
    "recognized": "Recognized revenue",
    "disaggregation": "Disaggregation of revenue",
    "geography": "Revenue by geography",
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


class VariableConsiderationForm(forms.Form):
    """Scenarios one a line as `amount probability` (a single line for a most likely amount
    known for certain: `500.00 1`); the obligation empty to allocate by relative SSP."""

    kind = forms.ChoiceField(choices=VariableKind.choices)
    method = forms.ChoiceField(choices=EstimateMethod.choices)
    scenarios = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                                help_text="One a line: amount probability (-200.00 0.3)")
    constrained = forms.DecimalField(label="Amount included (constrained)", max_digits=19,
                                     decimal_places=4)
    constraint_reason = forms.CharField(label="Why a reversal is highly probable not to occur",
                                        max_length=1000)
    allocated_to = forms.TypedChoiceField(label="Allocate to", required=False, coerce=int,
                                          empty_value=None)
    allocation_reason = forms.CharField(label="Why to that obligation alone (IFRS 15.85)",
                                        max_length=1000, required=False)
    reason = forms.CharField(label="Reason for the estimate", max_length=1000)

    def __init__(self, *args, obligations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allocated_to"].choices = [("", "All open obligations by relative SSP")] + [
            (o.pk, f"#{o.contract_line.position} {o.product.name}") for o in obligations]

    def clean_scenarios(self):
        return scenario_rows(self.cleaned_data["scenarios"], "an amount")


def scenario_rows(text: str, what: str) -> list[tuple[str, str]]:
    """`value probability` pairs, one a line (blank lines skipped)."""
    rows = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.replace(",", " ").split()
        if len(parts) != 2:
            raise forms.ValidationError(f"Line {n}: give {what} and a probability.")
        rows.append((parts[0], parts[1]))
    return rows


class MaterialRightForm(forms.Form):
    """A material right the contract grants (IFRS 15.B40-B42); rates as fractions (0.3)."""

    kind = forms.ChoiceField(choices=RightKind.choices)
    description = forms.CharField(max_length=200)
    units = forms.DecimalField(label="Rights granted", max_digits=19, decimal_places=4)
    value = forms.DecimalField(label="Purchases they apply to (full price)", max_digits=19,
                               decimal_places=4)
    discount_rate = forms.DecimalField(label="Incremental discount (0.3 for 30%)",
                                       max_digits=7, decimal_places=6)
    likelihood = forms.DecimalField(label="Likelihood of exercise (0.8)", max_digits=7,
                                    decimal_places=6)
    units_expected = forms.DecimalField(label="Rights expected to be exercised", required=False,
                                        max_digits=19, decimal_places=4,
                                        help_text="Empty: rights granted × likelihood")
    expires_on = forms.DateField(label="Last day they can be exercised",
                                 widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.CharField(label="Why material, and what the estimates rest on",
                               max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RightEventForm(forms.Form):
    """Rights exercised (`units`), or a new estimate of those that will be (`units_expected`)."""

    action = forms.ChoiceField(choices=[("redeem", "Rights exercised"),
                                        ("reestimate", "Re-estimate the rights expected")])
    units = forms.DecimalField(label="Rights", max_digits=19, decimal_places=4)
    reason = forms.CharField(max_length=1000, required=False)


class ReturnEstimateForm(forms.Form):
    """Products expected back for one point-in-time obligation (IFRS 15.B23): scenarios one a
    line as `units probability`."""

    obligation = forms.TypedChoiceField(label="Goods", coerce=int)
    method = forms.ChoiceField(choices=EstimateMethod.choices)
    scenarios = forms.CharField(label="Units returned", widget=forms.Textarea(attrs={"rows": 3}),
                                help_text="One a line: units probability (2 0.3)")
    units_sold = forms.DecimalField(max_digits=19, decimal_places=4)
    unit_cost = forms.DecimalField(label="Cost of one unit", max_digits=19, decimal_places=4)
    reason = forms.CharField(label="What the estimate rests on", max_length=1000)

    def __init__(self, *args, obligations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligation"].choices = [
            (o.pk, f"#{o.contract_line.position} {o.product.name}") for o in obligations]

    def clean_scenarios(self):
        return scenario_rows(self.cleaned_data["scenarios"], "the units")


LARGEST_PAYMENT = Decimal(10) ** 15  # what a stored amount holds (19 digits, 4 places)


def _payment(n: int, line: str, currency: str) -> tuple[date, Decimal]:
    """Line `n` of a payment plan, `day amount`, or why it is not one."""
    parts = line.replace(",", " ").split()
    if len(parts) != 2:
        raise forms.ValidationError(f"Line {n}: give a day and an amount (2027-03-31 1200.00).")
    try:
        day = date.fromisoformat(parts[0])
    except ValueError:
        raise forms.ValidationError(f"Line {n}: {parts[0]} is not a day (YYYY-MM-DD).") from None
    try:
        amount = Decimal(parts[1])
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or abs(amount) >= LARGEST_PAYMENT:
        raise forms.ValidationError(f"Line {n}: {parts[1]} is not an amount.")
    if amount <= 0:
        raise forms.ValidationError(f"Line {n}: {parts[1]} is not more than 0.")
    if round_money(amount, currency) != amount:
        raise forms.ValidationError(f"Line {n}: {parts[1]} has more decimals than {currency} "
                                    f"allows ({minor_units(currency)}).")
    return day, amount


def payment_rows(text: str, currency: str) -> list[tuple[date, Decimal]]:
    """`day amount` pairs, one a line (blank lines skipped), in the order of their days; every
    bad line is named by its number."""
    rows, errors = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(_payment(n, line, currency))
        except forms.ValidationError as error:
            errors.append(error)
    if errors:
        raise forms.ValidationError(errors)
    return sorted(rows)


class FinancingForm(forms.Form):
    """When the customer pays for goods transferred at a point in time (IFRS 15.60-65): one
    payment (`paid_on`) or a plan of instalments (`payments`), exactly one of them. The
    currency is the revenue contract's (the plan's amounts are checked against its minor
    unit); read from the first obligation's when not given."""

    obligation = forms.TypedChoiceField(label="Goods", coerce=int)
    paid_on = forms.DateField(label="Paid on", required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    payments = forms.CharField(label="Or payments", required=False,
                               widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="One a line: day amount (2027-03-31 1200.00)")
    rate = forms.DecimalField(label="Annual rate of a separate financing (0.06)", required=False,
                              max_digits=9, decimal_places=6,
                              help_text="Not needed within a year of the transfer (15.63)")
    rate_after = forms.DecimalField(label="Rate after the transfer (the customer's)",
                                    required=False, max_digits=9, decimal_places=6,
                                    help_text="A plan across the transfer only; empty: the "
                                              "rate above (15.64)")
    reason = forms.CharField(label="What the terms and the rate rest on", max_length=1000)

    def __init__(self, *args, obligations=(), currency: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligation"].choices = [
            (o.pk, f"#{o.contract_line.position} {o.product.name}") for o in obligations]
        self.currency = currency or next(
            (o.revenue_contract.currency for o in obligations), None)

    def clean_payments(self):
        # no obligation to choose: the form is refused on it, and there is no currency
        if self.currency is None:
            return []
        return payment_rows(self.cleaned_data["payments"], self.currency)

    def clean(self):
        data = super().clean()
        if "paid_on" not in data or "payments" not in data:
            return data  # refused on one of them already
        if bool(data["paid_on"]) == bool(data["payments"]):
            self.add_error("payments", "Give the day paid or the payments, not both."
                           if data["paid_on"] else "Give the day paid, or the payments one a "
                                                   "line.")
        elif data.get("rate_after") is not None and not data["payments"]:
            self.add_error("rate_after", "A second rate is for a plan across the transfer: "
                                         "give the payments.")
        return data


class MinimumForm(forms.Form):
    """A usage obligation's guaranteed minimum (IFRS 15.B63)."""

    obligation = forms.TypedChoiceField(label="Usage", coerce=int)
    amount = forms.DecimalField(label="Guaranteed minimum", max_digits=19, decimal_places=4)
    reason = forms.CharField(label="Where the contract guarantees it", max_length=1000)

    def __init__(self, *args, obligations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligation"].choices = [
            (o.pk, f"#{o.contract_line.position} {o.product.name}") for o in obligations]


class PrepaidForm(forms.Form):
    """Goods sold as prepaid credits or a gift card, earned on redemption (IFRS 15.B44-B47)."""

    obligation = forms.TypedChoiceField(label="Goods", coerce=int)
    units = forms.DecimalField(label="Credits sold", max_digits=19, decimal_places=4)
    units_expected = forms.DecimalField(label="Credits expected to be used", max_digits=19,
                                        decimal_places=4)
    expires_on = forms.DateField(label="Last day they can be used",
                                 widget=forms.DateInput(attrs={"type": "date"}))
    evidence = forms.CharField(label="What the expected use rests on", max_length=2000)

    def __init__(self, *args, obligations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligation"].choices = [
            (o.pk, f"#{o.contract_line.position} {o.product.name}") for o in obligations]
