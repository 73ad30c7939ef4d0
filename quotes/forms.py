"""The quotes app's forms: shape and field checks only; the services decide the rest."""

from decimal import Decimal

from django import forms
from django.db.models import Q

from catalog.charge_schedule import Alignment
from catalog.models import PriceBook
from catalog.selectors import price_books_on, products_visible_to
from core.forms import add_service_errors
from customers.models import Contact, PaymentTerms
from customers.selectors import accounts_visible_to
from quotes.models import Quote

__all__ = ["DecisionForm", "LineForm", "QuoteForm", "RejectForm", "add_service_errors"]

HEADER_FIELDS = ["contact", "start_on", "term_months", "expires_on", "price_book",
                 "payment_terms", "customer_notes", "internal_notes"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class QuoteForm(forms.ModelForm):
    """The header: a new quote chooses its account; a draft's header keeps it."""

    class Meta:
        model = Quote
        fields = ["account", *HEADER_FIELDS]
        widgets = {"start_on": DATE, "expires_on": DATE,
                   "customer_notes": forms.Textarea(attrs={"rows": 3}),
                   "internal_notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"price_book": "Empty: the standard book of the account's currency.",
                      "payment_terms": "Empty: the account's terms.",
                      "expires_on": "Empty: 30 days from today."}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        editing = self.instance.pk is not None
        if editing:
            del self.fields["account"]
            self.fields["contact"].queryset = Contact.objects.filter(
                account=self.instance.account_id)
            self.fields["price_book"].queryset = PriceBook.objects.filter(
                Q(pk=self.instance.price_book_id) | Q(pk__in=price_books_on(
                    currency=self.instance.currency).values("pk")))
        else:
            self.fields["account"].queryset = accounts_visible_to(user).order_by("name")
            self.fields["contact"].queryset = Contact.objects.filter(
                account__in=accounts_visible_to(user).values("pk")).select_related("account")
            self.fields["contact"].label_from_instance = lambda c: f"{c.name} ({c.account})"
            self.fields["price_book"].queryset = price_books_on()
            for name in ("price_book", "payment_terms", "expires_on", "start_on"):
                self.fields[name].required = False
        self.fields["payment_terms"].queryset = PaymentTerms.objects.filter(
            Q(active=True) | Q(pk=self.instance.payment_terms_id))

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields
                if name in self.fields}


ALIGNMENTS = [(a.value, a.label) for a in Alignment]


class LineForm(forms.Form):
    quantity = forms.DecimalField(min_value=Decimal("0.0001"), max_digits=15, decimal_places=4)
    discount_percent = forms.DecimalField(min_value=0, max_value=100, max_digits=7,
                                          decimal_places=4, required=False)
    discount_per_period = forms.DecimalField(min_value=0, max_digits=15, decimal_places=4,
                                             required=False)

    billing_alignment = forms.ChoiceField(choices=ALIGNMENTS, required=False,
                                          label="Billing alignment")

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {"quantity": data["quantity"],
                  "discount_percent": data.get("discount_percent") or Decimal(0),
                  "discount_per_period": data.get("discount_per_period") or Decimal(0)}
        if data.get("billing_alignment"):  # left out: the line keeps its alignment
            fields["billing_alignment"] = data["billing_alignment"]
        return fields


class AddLineForm(LineForm):
    """A product to add; options come as `opt-<SKU>` quantities (empty or 0: not selected)."""

    product = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    billing_period = forms.CharField(required=False, widget=forms.HiddenInput)
    billing_alignment = None  # a new line follows the account's bill day; change it after

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products_visible_to(user)

    def options(self) -> dict[str, Decimal] | None:
        if not self.data.get("configured"):
            return None
        chosen = {}
        for key, value in self.data.items():
            if key.startswith("opt-") and value.strip():
                try:
                    chosen[key[4:]] = Decimal(value)
                except ArithmeticError:
                    self.add_error(None, f"{key[4:]}: enter a number.")
        return chosen


class DecisionForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(forms.Form):
    comment = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="The owner sees it in the quote's history.")


