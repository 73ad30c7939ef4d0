"""The revenue contract list's and the financing page's search and filters."""

import django_filters
from django.db.models import Exists, OuterRef, Q

from revrec.models import (
    FinancingComponent,
    FinancingKind,
    InterestLine,
    RevenueContract,
    RevenueContractKind,
)


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


class FinancingComponentFilter(django_filters.FilterSet):
    """The financing page's search (revenue contract, customer) and filters."""

    q = django_filters.CharFilter(label="Search", method="search")
    kind = django_filters.ChoiceFilter(choices=FinancingKind.choices, empty_label="Any treatment")
    currency = django_filters.CharFilter(field_name="obligation__revenue_contract__currency",
                                         lookup_expr="iexact", label="Currency")
    open = django_filters.BooleanFilter(label="Interest left to recognize", method="left")

    class Meta:
        model = FinancingComponent
        fields = ["q", "kind", "currency", "open"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(obligation__revenue_contract__number__icontains=value)
                               | Q(obligation__revenue_contract__account__name__icontains=value))

    def left(self, queryset, name, value):
        """Components with interest lines no run posted yet (or, false, none)."""
        if value is None:
            return queryset
        pending = Exists(InterestLine.objects.filter(component=OuterRef("pk"),
                                                     run__isnull=True))
        return queryset.filter(pending if value else ~pending)
