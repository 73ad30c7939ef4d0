"""The order list's search and filters; applied to the visible orders, never to all."""

import django_filters

from customers.models import Account
from orders.models import Order, OrderKind, OrderState
from orders.selectors import search_orders


class OrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    state = django_filters.ChoiceFilter(choices=OrderState.choices, empty_label="Any state")
    kind = django_filters.ChoiceFilter(choices=OrderKind.choices, empty_label="Any kind")
    account = django_filters.ModelChoiceFilter(queryset=None, empty_label="Any account")

    class Meta:
        model = Order
        fields = ["q", "state", "kind", "account"]

    def __init__(self, *args, visible, **kwargs):
        super().__init__(*args, queryset=visible, **kwargs)
        self.filters["account"].queryset = Account.objects.filter(
            pk__in=visible.values("account")).order_by("name", "pk")

    def search(self, queryset, name, value):
        return search_orders(queryset, value)
