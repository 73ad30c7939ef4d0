"""Forms of the order pages: finance's note on a hold, and the fulfilment of lines."""

from decimal import Decimal

from django import forms

from core import clock
from core.formatting import plain_quantity
from orders.services.fulfilment import line_field


class NoteForm(forms.Form):
    note = forms.CharField(label="Note", max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="Kept in the order's history.")


class FulfilmentForm(forms.Form):
    """One quantity per open line (prefilled with what is left) and the day it happened."""

    on = forms.DateField(label="Fulfilled on", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="Note (optional)", max_length=255, required=False)

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", clock.today())
        self.open_lines = [line for line in lines if not line.is_fulfilled]
        for line in self.open_lines:
            self.fields[line_field(line)] = forms.DecimalField(
                label=f"#{line.position} {line.product.name}", required=False, min_value=0,
                max_value=line.open_quantity, max_digits=19, decimal_places=4,
                initial=plain_quantity(line.open_quantity),
                widget=forms.NumberInput(attrs={"step": "any", "class": "qty"}))

    def rows(self, lines):
        """(line, its quantity field or None when fulfilled) for the lines table."""
        return [(line, self[line_field(line)] if line_field(line) in self.fields else None)
                for line in lines]

    def quantities(self) -> dict[int, Decimal]:
        return {line.pk: self.cleaned_data[line_field(line)] or Decimal(0)
                for line in self.open_lines}

