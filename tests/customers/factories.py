"""Factories that keep relations consistent and always name the currency."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from djmoney.money import Money

from customers.models import Account, Contact, ContactRole, PaymentTerms


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")


def terms(code: str = "net-30") -> PaymentTerms:
    """One of the standard terms seeded by migration 0002."""
    return PaymentTerms.objects.get(code=code)


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Customer {n:03d} Ltd")
    legal_name = factory.LazyAttribute(lambda a: f"{a.name} (legal)")
    country = "US"
    currency = "USD"
    payment_terms = factory.LazyFunction(terms)
    credit_limit = factory.LazyAttribute(lambda a: Money(Decimal("10000.00"), a.currency))
    owner = factory.SubFactory(UserFactory)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")
    role = ContactRole.BILLING
