"""The account list's search and filters; applied to the visible accounts, never to all."""

import django_filters
from django.conf import settings
from django.db.models.functions import Lower
from django_filters.fields import ModelChoiceField

from customers.models import Account, AccountStatus
from customers.selectors import assignable_owners, search_accounts


class OwnerField(ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class OwnerFilter(django_filters.ModelChoiceFilter):
    field_class = OwnerField


OVERDUE_CHOICES = [("true", "Overdue"), ("false", "Not overdue")]


class AccountFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="search")
    status = django_filters.ChoiceFilter(choices=AccountStatus.choices, empty_label="Any status")
    country = django_filters.CharFilter(label="Country", method="by_country")
    currency = django_filters.ChoiceFilter(choices=(), empty_label="Any currency")
    owner = OwnerFilter(queryset=None, empty_label="Any owner")
    overdue = django_filters.ChoiceFilter(field_name="is_overdue", choices=OVERDUE_CHOICES,
                                          empty_label="Overdue or not", method="by_overdue")
    o = django_filters.OrderingFilter(fields=(("name", "name"),), label="Sort",
                                      field_labels={"name": "Name"})

    class Meta:
        model = Account
        fields = ["q", "status", "country", "currency", "owner", "overdue"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["currency"].extra["choices"] = [(c, c) for c in settings.CURRENCIES]
        self.filters["owner"].queryset = assignable_owners(user)

    def search(self, queryset, name, value):
        return search_accounts(queryset, value)

    def by_country(self, queryset, name, value):
        return queryset.filter(country=value.strip().upper())

    def by_overdue(self, queryset, name, value):
        return queryset.filter(is_overdue=value == "true")

    @property
    def qs(self):
        accounts = super().qs
        # Sorting by name is case-insensitive; pk breaks ties so pages never overlap.
        if not self.form.is_valid() or not self.form.cleaned_data.get("o"):
            return accounts.order_by(Lower("name"), "pk")
        descending = self.form.cleaned_data["o"][0].startswith("-")
        name_order = Lower("name").desc() if descending else Lower("name").asc()
        return accounts.order_by(name_order, "pk")
