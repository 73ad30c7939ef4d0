"""The invoice and credit note lists' search and filters; applied to the visible documents,
never to all."""

import django_filters
from django.conf import settings
from django.db.models import Q

from billing.forms import DateInput
from billing.models import CreditNote, CreditNoteReason, Invoice, InvoiceKind, InvoiceState
from billing.selectors import search_credit_notes


class InvoiceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    state = django_filters.ChoiceFilter(choices=InvoiceState.choices, empty_label="Any state")
    kind = django_filters.ChoiceFilter(choices=InvoiceKind.choices, empty_label="Any kind")
    currency = django_filters.ChoiceFilter(choices=(), empty_label="Any currency")
    run = django_filters.NumberFilter(field_name="run_id", label="Run")
    issued_from = django_filters.DateFilter(field_name="issue_on", lookup_expr="gte",
                                            label="Issued from")
    issued_to = django_filters.DateFilter(field_name="issue_on", lookup_expr="lte",
                                          label="Issued to")

    class Meta:
        model = Invoice
        fields = ["q", "state", "kind", "currency", "run", "issued_from", "issued_to"]

    def __init__(self, *args, visible, **kwargs):
        super().__init__(*args, queryset=visible, **kwargs)
        self.filters["currency"].extra["choices"] = [(c, c) for c in settings.CURRENCIES]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(account__name__icontains=value))


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
