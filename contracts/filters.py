"""The contract list's search and filters; applied to the visible contracts, never to all."""

import django_filters
from django.contrib.auth import get_user_model

from contracts.models import Contract, ContractState
from contracts.selectors import search_contracts


class ContractFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    state = django_filters.ChoiceFilter(choices=ContractState.choices, empty_label="Any state")
    owner = django_filters.ModelChoiceFilter(queryset=None, empty_label="Any owner")
    ends_before = django_filters.DateFilter(field_name="end_on", lookup_expr="lte",
                                            label="Ends on or before")

    class Meta:
        model = Contract
        fields = ["q", "state", "owner", "ends_before"]

    def __init__(self, *args, visible, **kwargs):
        super().__init__(*args, queryset=visible, **kwargs)
        self.filters["owner"].queryset = get_user_model().objects.filter(
            pk__in=visible.values("owner")).order_by("username")

    def search(self, queryset, name, value):
        return search_contracts(queryset, value)
