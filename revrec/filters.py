"""The revenue contract list's search and filters."""

import django_filters
from django.db.models import Q

from revrec.models import RevenueContract, RevenueContractKind


class RevenueContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    kind = django_filters.ChoiceFilter(choices=RevenueContractKind.choices,
                                       empty_label="Any kind")
    currency = django_filters.CharFilter(lookup_expr="iexact", label="Currency")

    class Meta:
        model = RevenueContract
        fields = ["q", "kind", "currency"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__icontains=value) | Q(account__name__icontains=value)
                               | Q(contract__number__icontains=value))
