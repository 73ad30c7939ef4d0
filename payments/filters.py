"""The payment list's search and filters; applied to the visible payments, never to all."""

import django_filters
from django.forms import HiddenInput

from payments.models import Payment, PaymentMethodKind, PaymentState
from payments.selectors import search_payments


class PaymentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    state = django_filters.ChoiceFilter(choices=PaymentState.choices, empty_label="Any state")
    method = django_filters.ChoiceFilter(choices=PaymentMethodKind.choices,
                                         empty_label="Any method")
    currency = django_filters.CharFilter(lookup_expr="iexact", label="Currency")
    received_from = django_filters.DateFilter(field_name="received_on", lookup_expr="gte",
                                              label="Received from")
    received_to = django_filters.DateFilter(field_name="received_on", lookup_expr="lte",
                                            label="Received to")
    account = django_filters.NumberFilter(field_name="account_id", widget=HiddenInput)

    class Meta:
        model = Payment
        fields = ["q", "state", "method", "currency", "received_from", "received_to", "account"]

    def search(self, queryset, name, value):
        return search_payments(queryset, value)
