"""Ledger test data. Entries are built as drafts here and posted through the service; periods
change state through the services, never by setting fields."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from customers.models import Account, PaymentTerms
from ledger import chart, services
from ledger.drafts import EntryDraft, LineDraft
from ledger.models import ExchangeRate, GLAccount


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"ledger_user_{n}")


class PaymentTermsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentTerms
        django_get_or_create = ["code"]

    code = "net-30"
    name = "Net 30"
    days = 30


class CustomerAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Customer {n} GmbH")
    country = "DE"
    currency = "EUR"
    payment_terms = factory.SubFactory(PaymentTermsFactory)
    owner = factory.SubFactory(UserFactory)
    credit_limit = factory.LazyAttribute(lambda a: (Decimal("10000"), a.currency))


class GLAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GLAccount
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"5{n:03d}")
    name = factory.LazyAttribute(lambda a: f"Account {a.code}")
    type = "expense"


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate

    currency = "EUR"
    valid_on = dt.date(2026, 1, 1)
    rate = Decimal("1.10000000")


class LineDraftFactory(factory.Factory):
    class Meta:
        model = LineDraft

    gl_code = chart.CASH
    debit = Decimal("0")
    credit = Decimal("0")


def balanced(amount="100.00", *, on=dt.date(2026, 3, 15), debit=chart.CASH,
             credit=chart.REVENUE, memo="Cash sale", **extra) -> EntryDraft:
    """A two-line entry: `amount` debited to one account and credited to another."""
    amount = Decimal(amount)
    return EntryDraft(document_date=on, memo=memo, lines=[
        LineDraft(debit, debit=amount), LineDraft(credit, credit=amount)], **extra)


def invoice_draft(customer, *, document_amount, rate, on=dt.date(2026, 3, 15), memo="Invoice"):
    """A receivable in the customer's currency, converted at `rate` (rounded to USD)."""
    from core.money import round_money

    functional = round_money(Decimal(document_amount) * Decimal(rate), "USD")
    return EntryDraft(document_date=on, memo=memo, lines=[
        LineDraft(chart.ACCOUNTS_RECEIVABLE, debit=functional, customer_account_id=customer.pk,
                  document_currency=customer.currency, document_amount=Decimal(document_amount),
                  rate=Decimal(rate)),
        LineDraft(chart.REVENUE, credit=functional),
    ])


def close_month(day: dt.date, *, by):
    """Close `day`'s month through the services (start close, then close)."""
    period = services.ensure_period(day)
    services.start_close(period, by=by)
    return services.close_period(period, by=by)


def insert_copy(model, pk, **columns) -> None:
    """Insert a copy of the row `pk` by SQL, around the services, with `columns` changed (by
    column name): how a hand-written fix or a bulk path could write a row."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    values = dict(zip([f.column for f in fields],
                      model.objects.filter(pk=pk).values_list(*[f.attname for f in fields]).get(),
                      strict=True)) | columns
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} "
                       f"({', '.join(quote(c) for c in values)}) "
                       f"VALUES ({', '.join(['%s'] * len(values))})", list(values.values()))


def run_sql(*statements) -> None:
    """Run each statement as written, around the services (how a hand-written fix would)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
