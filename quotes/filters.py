"""The quote list's search and filters; applied to the visible quotes, never to all."""

import django_filters
from django.contrib.auth import get_user_model
from django_filters.fields import ModelChoiceField

from customers.selectors import accounts_visible_to
from quotes.models import Quote, QuoteState
from quotes.selectors import search_quotes


class OwnerField(ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class QuoteFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    state = django_filters.ChoiceFilter(choices=QuoteState.choices, empty_label="Any state")
    owner = django_filters.ModelChoiceFilter(queryset=None, empty_label="Any owner")
    account = django_filters.ModelChoiceFilter(queryset=None, empty_label="Any account")

    class Meta:
        model = Quote
        fields = ["q", "state", "owner", "account"]

    def __init__(self, *args, visible, user, **kwargs):
        super().__init__(*args, queryset=visible, **kwargs)
        self.filters["owner"].field_class = OwnerField
        self.filters["owner"].queryset = get_user_model().objects.filter(
            pk__in=visible.values("owner")).order_by("username")
        self.filters["account"].queryset = accounts_visible_to(user).filter(
            pk__in=visible.values("account")).order_by("name")

    def search(self, queryset, name, value):
        return search_quotes(queryset, value)
