"""The quotes app's forms: shape and field checks only; the services decide the rest."""

from datetime import UTC
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q
from django.utils import timezone

from catalog.charge_schedule import Alignment
from catalog.models import PriceBook
from catalog.policies import time_zone_of
from catalog.selectors import price_books_on, products_visible_to
from core.forms import add_service_errors
from customers.models import Contact, PaymentTerms
from customers.selectors import accounts_visible_to
from quotes.models import Quote, QuoteKind
from quotes.selectors import quote_templates_for
from quotes.services import LineItem
from quotes.services.building import FIXED_BY_AMENDMENT

__all__ = ["AddLineForm", "AddManyForm", "DecisionForm", "LineForm", "QuoteForm", "RejectForm",
           "add_service_errors"]

HEADER_FIELDS = ["contact", "start_on", "starts_at", "term_months", "expires_on", "price_book",
                 "payment_terms", "customer_notes", "internal_notes"]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WallClockField(forms.DateTimeField):
    """A date and time as typed (`datetime-local`), naive: the form reads it in the account's
    time zone, which the company's (the request's) need not be. `time_zone` shows a stored
    moment in that zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    time_zone = "UTC"

    def to_python(self, value):
        with timezone.override(UTC):  # no time is missing or doubled in UTC
            moment = super().to_python(value)
        return moment.replace(tzinfo=None) if moment is not None else None

    def prepare_value(self, value):
        if getattr(value, "tzinfo", None) is not None:
            value = value.astimezone(ZoneInfo(self.time_zone)).replace(tzinfo=None)
        return super().prepare_value(value)


class QuoteForm(forms.ModelForm):
    """The header: a new quote chooses its account; a draft's header keeps it. The start
    moment is typed as the account's wall clock; the service checks it falls on the start
    day there."""

    starts_at = WallClockField(
        required=False, label="Starts at",
        help_text="Optional: the moment service starts on the start day, in the account's time "
                  "zone; prices counted by the second charge their first period from it "
                  "(empty: from the start of the day).")

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
            self.fields["template"] = forms.ModelChoiceField(
                queryset=quote_templates_for(user), required=False,
                help_text="Empty: start with no lines.",
                error_messages={"invalid_choice": "Choose a template from the list."})
            self.fields["account"].queryset = accounts_visible_to(user).order_by("name")
            self.fields["contact"].queryset = Contact.objects.filter(
                account__in=accounts_visible_to(user).values("pk")).select_related("account")
            self.fields["contact"].label_from_instance = lambda c: f"{c.name} ({c.account})"
            self.fields["price_book"].queryset = price_books_on()
            for name in ("price_book", "payment_terms", "expires_on", "start_on"):
                self.fields[name].required = False
        self.fields["payment_terms"].queryset = PaymentTerms.objects.filter(
            Q(active=True) | Q(pk=self.instance.payment_terms_id))
        if editing:
            self.fields["starts_at"].time_zone = time_zone_of(self.instance.account)
        if editing and self.instance.kind == QuoteKind.AMENDMENT:
            for name in FIXED_BY_AMENDMENT:  # the service refuses a change, at the field
                self.fields[name].widget.attrs["readonly"] = True
                self.fields[name].help_text = ("Set by the amendment: it applies at its own "
                                               "effective date and time, to the contract's end.")

    def clean(self):
        cleaned = super().clean()
        account = self.instance.account if self.instance.pk else cleaned.get("account")
        if cleaned.get("starts_at") is not None and account is not None:
            cleaned["starts_at"] = cleaned["starts_at"].replace(
                tzinfo=ZoneInfo(time_zone_of(account)))
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields
                if name in self.fields}


ALIGNMENTS = [(a.value, a.label) for a in Alignment]


NUMBER = "Enter a number, such as 12 or 2.5."
QUANTITY_ERRORS = {"required": "Enter a quantity.", "invalid": NUMBER,
                   "min_value": "The quantity must be greater than zero.",
                   "max_digits": "That quantity is too large.",
                   "max_decimal_places": "A quantity has at most 4 decimal places.",
                   "max_whole_digits": "That quantity is too large."}


class PlainErrorsMixin:
    def plain_errors(self) -> list[str]:
        """Every error as a sentence (the messages already name what is wrong)."""
        return [message for errors in self.errors.values() for message in errors]


class LineForm(PlainErrorsMixin, forms.Form):
    """A line's quantity and discount, with errors in plain words at each field."""

    quantity = forms.DecimalField(min_value=Decimal("0.0001"), max_digits=15, decimal_places=4,
                                  error_messages=QUANTITY_ERRORS)
    discount_percent = forms.DecimalField(
        min_value=0, max_value=100, max_digits=7, decimal_places=4, required=False,
        error_messages={"invalid": NUMBER, "min_value": "A discount is between 0 and 100%%.",
                        "max_value": "A discount is between 0 and 100%%.",
                        "max_decimal_places": "A discount has at most 4 decimal places.",
                        "max_digits": "A discount is between 0 and 100%%.",
                        "max_whole_digits": "A discount is between 0 and 100%%."})
    discount_per_period = forms.DecimalField(
        min_value=0, max_digits=15, decimal_places=4, required=False,
        error_messages={"invalid": NUMBER,
                        "min_value": "An amount off cannot be negative.",
                        "max_decimal_places": "An amount has at most 4 decimal places.",
                        "max_digits": "That amount is too large.",
                        "max_whole_digits": "That amount is too large."})

    billing_alignment = forms.ChoiceField(choices=ALIGNMENTS, required=False,
                                          label="Billing alignment")
    section = forms.CharField(required=False, max_length=100, error_messages={
        "max_length": "A section name has at most 100 characters."})
    note = forms.CharField(required=False, max_length=2000, error_messages={
        "max_length": "A line note has at most 2,000 characters."})

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {"quantity": data["quantity"],
                  "discount_percent": data.get("discount_percent") or Decimal(0),
                  "discount_per_period": data.get("discount_per_period") or Decimal(0)}
        if data.get("billing_alignment"):  # left out: the line keeps its alignment
            fields["billing_alignment"] = data["billing_alignment"]
        for name in ("section", "note"):  # left out of the post: kept as they are
            if name in self.fields and name in self.data:
                fields[name] = data[name]
        return fields


class AddLineForm(LineForm):
    """A product to add. A configured one names its options as the configurator's controls
    post them: `one-<group>` (a radio button's SKU) and `option` (ticked SKUs), each with its
    quantity as `qty-<SKU>` (1 when left out)."""

    product = forms.ModelChoiceField(queryset=None, widget=forms.HiddenInput)
    billing_period = forms.CharField(required=False, widget=forms.HiddenInput)
    billing_alignment = None  # a new line follows the account's bill day; change it after
    section = note = None  # set on the line once it is added

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products_visible_to(user)

    @staticmethod
    def chosen_skus(data) -> list[str]:
        radios = [value for key, value in data.items() if key.startswith("one-") and value]
        return [sku[:64] for sku in radios + data.getlist("option")]

    def options(self, follows=frozenset()) -> dict[str, Decimal] | None:
        """SKU → quantity of the options chosen; those in `follows` (their quantity follows
        the product's) take the product's quantity when none is given."""
        if not self.data.get("configured"):
            return None
        chosen = {}
        for sku in self.chosen_skus(self.data):
            text = self.data.get(f"qty-{sku}", "").strip()
            if not text:
                text = str(self.cleaned_data["quantity"]) if sku in follows else "1"
            try:
                chosen[sku] = Decimal(text)
            except ArithmeticError:
                self.add_error(None, f"Enter the quantity of {sku} as a number.")
        return chosen


class AddManyForm(PlainErrorsMixin, forms.Form):
    """Products ticked in the catalog panel (`pick`, their pks) with quantities as
    `qty-<pk>` and, for a product sold by more than one period, `period-<pk>`; `only` (the
    row's own Add button) adds that product alone. The services check the rest."""

    MAX_PICKS = 200

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        only = self.data.get("only", "")
        picks = [only] if only else self.data.getlist("pick")
        if not picks:
            raise forms.ValidationError("Tick the products to add, or press a row's Add.")
        if len(picks) > self.MAX_PICKS or not all(p.isdigit() and len(p) < 19 for p in picks):
            raise forms.ValidationError("Choose products from the catalog list.")
        products = products_visible_to(self.user).filter(active=True).in_bulk(
            [int(p) for p in picks])
        items, errors = [], []
        for pick in picks:
            product = products.get(int(pick))
            if product is None:
                errors.append("One of the products chosen is no longer sold.")
                continue
            field = forms.DecimalField(min_value=Decimal("0.0001"), max_digits=15,
                                       decimal_places=4, error_messages=QUANTITY_ERRORS)
            try:
                quantity = field.clean(self.data.get(f"qty-{pick}", "1"))
            except forms.ValidationError as error:
                errors.append(f"{product.name}: {' '.join(error.messages)}")
                continue
            period = self.data.get(f"period-{pick}", "")[:16]
            items.append(LineItem(product=product, quantity=quantity,
                                  billing_period=period or None))
        if errors:
            raise forms.ValidationError(errors)
        self.cleaned_data["items"] = items
        return self.cleaned_data

    def items(self) -> list[LineItem]:
        return self.cleaned_data["items"]


class DecisionForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RejectForm(forms.Form):
    comment = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="The owner sees it in the quote's history.")


