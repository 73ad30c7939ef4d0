"""Separation of duties: an account's credit limit, tax exemption, payment terms and currency
are finance's. Reps and managers cannot change them (service or page); finance's changes are
recorded; the currency never changes under documents already in it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from djmoney.money import Money

from core.transitions import history_for
from customers import services
from customers.models import Account
from tests.customers.factories import AccountFactory, terms

pytestmark = pytest.mark.django_db

CHANGES = {
    "credit_limit": (Decimal("99999999"), "Only finance changes the credit limit."),
    "tax_exempt": (True, "Only finance changes the tax exemption."),
    "payment_terms": ("net-60", "Only finance changes the payment terms."),
    "currency": ("EUR", "Only finance changes the currency."),
}


def _value(field, value):
    return terms(value) if field == "payment_terms" else value


@pytest.fixture
def owned(sales_rep):
    return AccountFactory(owner=sales_rep, name="Cyberdyne Systems",
                          credit_limit=Money(Decimal("1000"), "USD"))


@pytest.mark.parametrize("role", ["sales_rep", "sales_manager"])
@pytest.mark.parametrize("field", CHANGES)
def test_sales_cannot_change_an_accounts_commercial_terms(role_users, owned, role, field):
    value, message = CHANGES[field]

    with pytest.raises(ValidationError) as caught:
        services.update_account(account=owned, by=role_users[role], **{field: _value(field, value)})

    assert caught.value.message_dict[field] == [message]
    stored = Account.objects.get(pk=owned.pk)
    assert (stored.credit_limit, stored.tax_exempt, stored.payment_terms.code,
            stored.currency) == (Money(Decimal("1000"), "USD"), False, "net-30", "USD")


def test_a_rep_may_still_save_the_same_terms_with_other_changes(owned, sales_rep):
    account = services.update_account(account=owned, by=sales_rep, name="Cyberdyne Renamed",
                                      credit_limit=Decimal("1000.00"), tax_exempt=False,
                                      payment_terms=terms("net-30"), currency="USD")
    assert account.name == "Cyberdyne Renamed"


def test_finance_changes_the_terms_and_the_change_is_recorded(owned, finance):
    account = services.update_account(account=owned, by=finance, credit_limit=Decimal("5000"),
                                      payment_terms=terms("net-60"), tax_exempt=True)

    assert account.credit_limit == Money(Decimal("5000.00"), "USD") and account.tax_exempt
    [change] = history_for(account)
    assert change.transition == "change_commercial_terms" and change.actor == finance
    assert change.note == ("Credit limit 1000.00 → 5000.00 USD; payment terms Net 30 → Net 60; "
                           "tax exempt no → yes.")


def test_finance_cannot_switch_the_currency_while_documents_are_in_it(owned, finance):
    from tests.billing.factories import issued_invoice_row

    issued_invoice_row(account=owned)

    with pytest.raises(ValidationError) as caught:
        services.update_account(account=owned, by=finance, currency="EUR")

    assert caught.value.message_dict["currency"] == [
        "Cyberdyne Systems has invoices in USD: the currency cannot change under them. "
        "Open a new account for the other currency."]
    assert Account.objects.get(pk=owned.pk).currency == "USD"


def test_finance_switches_the_currency_of_an_account_without_documents(owned, finance):
    account = services.update_account(account=owned, by=finance, currency="EUR")
    assert account.currency == "EUR" and account.credit_limit == Money(Decimal("1000"), "EUR")


def _post(owned, **overrides):
    data = {"name": owned.name, "legal_name": "", "tax_id": "", "status": "active",
            "country": "US", "region": "", "currency": "USD", "owner": owned.owner_id,
            "payment_terms": terms("net-30").pk, "credit_limit": "1000", "bill_day": "1",
            "billing_street": "", "billing_city": "", "billing_postal_code": "",
            "shipping_street": "", "shipping_city": "", "shipping_postal_code": ""}
    return {**data, **overrides}


def test_a_reps_edit_page_shows_the_terms_but_a_tampered_post_cannot_change_them(
        client, owned, sales_rep):
    client.force_login(sales_rep)
    url = reverse("customers:edit", args=[owned.pk])
    form = client.get(url).context["form"]
    assert all(form.fields[name].disabled for name in CHANGES)

    response = client.post(url, _post(owned, name="Cyberdyne 2", credit_limit="99999999",
                                      tax_exempt="on", payment_terms=terms("net-60").pk,
                                      currency="EUR"))

    assert response.status_code == 302
    stored = Account.objects.get(pk=owned.pk)
    assert stored.name == "Cyberdyne 2"
    assert (stored.credit_limit, stored.tax_exempt, stored.payment_terms.code,
            stored.currency) == (Money(Decimal("1000"), "USD"), False, "net-30", "USD")


def test_a_rep_creates_an_account_without_limit_exemption_or_long_terms(client, sales_rep):
    client.force_login(sales_rep)
    form = client.get(reverse("customers:create")).context["form"]
    assert form.fields["credit_limit"].disabled and form.fields["tax_exempt"].disabled
    assert "net-60" not in {t.code for t in form.fields["payment_terms"].queryset}

    client.post(reverse("customers:create"), _post(
        Account(name="Northwind", owner=sales_rep), credit_limit="5000", tax_exempt="on",
        currency="EUR"))

    made = Account.objects.get(name="Northwind")
    assert (made.credit_limit, made.tax_exempt) == (Money(Decimal("0"), "EUR"), False)


def test_finance_edit_page_offers_every_field(client, owned, finance):
    client.force_login(finance)
    form = client.get(reverse("customers:edit", args=[owned.pk])).context["form"]
    assert not any(form.fields[name].disabled for name in CHANGES)
