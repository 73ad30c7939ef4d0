import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from djmoney.money import Money

from customers.models import Account, Contact, PaymentTerms
from tests.customers.factories import AccountFactory, ContactFactory, terms

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _account_post(**overrides):
    data = {"name": "Northwind", "legal_name": "", "tax_id": "", "status": "active",
            "country": "us", "region": "", "currency": "USD",
            "payment_terms": terms("net-30").pk, "credit_limit": "1500.555", "bill_day": "1",
            "billing_street": "", "billing_city": "", "billing_postal_code": "",
            "shipping_street": "", "shipping_city": "", "shipping_postal_code": ""}
    return {**data, **overrides}


# --- who may open what -----------------------------------------------------------------------

@pytest.mark.parametrize(("who", "url_name", "status"), [
    ("sales_rep", "customers:list", 200),
    ("sales_manager", "customers:list", 200),
    ("finance", "customers:list", 200),
    ("accountant", "customers:list", 200),
    ("catalog_admin", "customers:list", 403),
    ("sales_rep", "customers:create", 200),
    ("accountant", "customers:create", 403),
    ("catalog_admin", "customers:create", 403),
    ("finance", "customers:import", 200),
    ("sales_rep", "customers:import", 403),
    ("accountant", "customers:import", 403),
    ("sales_rep", "customers:export", 200),
    ("catalog_admin", "customers:export", 403),
])
def test_role_matrix(client, request, who, url_name, status):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse(url_name)).status_code == status


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(reverse("customers:list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("who", "status"), [
    ("sales_rep", 200), ("sales_manager", 200), ("finance", 200), ("accountant", 200),
    ("teammate_rep", 404), ("other_rep", 404), ("other_manager", 404), ("catalog_admin", 404),
])
def test_account_page_is_visible_only_to_who_may_see_it(client, request, book, who, status):
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("accounts:detail", args=[book["rep"].pk]))

    assert response.status_code == status


# --- list ------------------------------------------------------------------------------------

def test_list_shows_only_visible_accounts(client, book, sales_rep):
    client.force_login(sales_rep)

    response = client.get(reverse("customers:list"))

    assert [a.name for a in response.context["accounts"]] == ["Acme Rep A"]


def test_list_searches_filters_and_sorts(client, book, finance):
    ContactFactory(account=book["manager"], email="buyer@cog.example")
    book["other_rep"].is_overdue = True
    book["other_rep"].save()
    client.force_login(finance)

    def names(**params):
        response = client.get(reverse("customers:list"), params)
        return [a.name for a in response.context["accounts"]]

    assert names(q="cog.example") == ["Cog Manager A"]
    assert names(q="teammate") == ["Bolt Teammate A2"]
    assert names(currency="EUR") == ["Dyno Rep B"]
    assert names(overdue="true") == ["Dyno Rep B"]
    assert names(owner=book["teammate"].owner_id) == ["Bolt Teammate A2"]
    assert names(country="us", o="-name")[0] == "Echo Manager B"
    assert names(o="name")[0] == "Acme Rep A"


def test_list_pages_by_25(client, finance, sales_rep):
    AccountFactory.create_batch(30, owner=sales_rep)
    client.force_login(finance)

    first = client.get(reverse("customers:list"))
    second = client.get(reverse("customers:list"), {"page": 2})

    assert len(first.context["accounts"]) == 25
    assert len(second.context["accounts"]) == 5
    assert b"Page 1 of 2" in first.content


def test_list_query_count_does_not_grow_with_accounts(client, finance, sales_rep,
                                                      django_assert_num_queries):
    client.force_login(finance)
    AccountFactory(owner=sales_rep)
    client.get(reverse("customers:list"))  # a session's first page fills the sign-in caches
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("customers:list"))

    AccountFactory.create_batch(29, owner=sales_rep)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("customers:list"))

    assert len(response.context["accounts"]) == 25


def test_export_writes_the_visible_filtered_accounts(client, book, sales_manager):
    client.force_login(sales_manager)

    response = client.get(reverse("customers:export"), {"q": "a"})
    lines = b"".join(response.streaming_content).decode().splitlines()

    assert lines[0].startswith("ref,name,legal_name")
    assert sorted(line.split(",")[1] for line in lines[1:]) == [
        "Acme Rep A", "Bolt Teammate A2", "Cog Manager A"]


def test_export_writes_credit_limits_as_the_import_reads_them_back(client, finance, sales_rep):
    # the import refuses more decimals than the currency has; the export kept four
    AccountFactory(owner=sales_rep, name="Yen", currency="JPY",
                   credit_limit=Money(Decimal("1000000"), "JPY"))
    AccountFactory(owner=sales_rep, name="Dollar", credit_limit=Money(Decimal("25000.01"), "USD"))
    client.force_login(finance)

    response = client.get(reverse("customers:export"))
    header, *rows = csv.reader(b"".join(response.streaming_content).decode().splitlines())

    column = header.index("credit_limit")
    assert {row[1]: row[column] for row in rows} == {"Yen": "1000000", "Dollar": "25000.01"}


# --- create and edit -------------------------------------------------------------------------

def test_create_puts_errors_on_the_field_and_saves_nothing(client, sales_rep, teammate_rep):
    client.force_login(sales_rep)

    response = client.post(reverse("customers:create"),
                           _account_post(country="USA", owner=teammate_rep.pk, name=""))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "two-letter country code" in errors["country"][0]
    assert "This field is required." in errors["name"]
    assert "Select a valid choice" in errors["owner"][0]
    assert b'class="form-row has-error"' in response.content
    assert not Account.objects.exists()


def test_create_saves_through_the_service_and_shows_the_account(client, finance, sales_rep):
    # Finance, since the credit limit is finance's to set (tests/customers/test_duties.py).
    client.force_login(finance)

    response = client.post(reverse("customers:create"), _account_post(owner=sales_rep.pk))

    account = Account.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("accounts:detail", args=[account.pk])
    assert account.country == "US"
    assert account.credit_limit.amount == Decimal("1500.56")
    assert _messages(response) == ["Account “Northwind” created."]


def test_edit_puts_errors_on_the_field(client, book, finance):
    client.force_login(finance)
    url = reverse("customers:edit", args=[book["rep"].pk])

    response = client.post(url, _account_post(owner=book["rep"].owner_id, credit_limit="-3"))

    assert response.status_code == 200
    assert "greater than or equal to 0" in response.context["form"].errors["credit_limit"][0]
    book["rep"].refresh_from_db()
    assert book["rep"].name == "Acme Rep A"


def test_edit_saves_and_redirects_to_the_account_page(client, book, finance):
    client.force_login(finance)
    account = book["teammate"]

    response = client.post(reverse("customers:edit", args=[account.pk]),
                           _account_post(owner=account.owner_id, name="Bolt Renamed",
                                         currency="JPY", credit_limit="99.5"))

    assert response.url == reverse("accounts:detail", args=[account.pk])
    assert _messages(response) == ["Account “Bolt Renamed” saved."]
    account.refresh_from_db()
    assert (account.name, str(account.credit_limit.currency)) == ("Bolt Renamed", "JPY")
    assert account.credit_limit.amount == Decimal("100")


def test_rep_cannot_open_or_post_the_edit_page_of_a_teammates_account(client, book, sales_rep):
    client.force_login(sales_rep)
    url = reverse("customers:edit", args=[book["teammate"].pk])

    assert client.get(url).status_code == 404
    assert client.post(url, _account_post(owner=sales_rep.pk)).status_code == 404


# --- contacts --------------------------------------------------------------------------------

def test_contacts_are_added_edited_and_removed_from_the_account_page(client, book, sales_rep):
    client.force_login(sales_rep)
    account = book["rep"]

    response = client.post(reverse("customers:contact_add", args=[account.pk]),
                           {"name": "Ann", "email": "ann@acme.example", "role": "billing"})
    contact = Contact.objects.get()
    assert response.url == reverse("accounts:detail", args=[account.pk])

    page = client.get(response.url)
    assert b"ann@acme.example" in page.content

    client.post(reverse("customers:contact_edit", args=[contact.pk]),
                {"name": "Ann B", "email": "ann@acme.example", "role": "signer"})
    contact.refresh_from_db()
    assert (contact.name, contact.role) == ("Ann B", "signer")

    client.post(reverse("customers:contact_remove", args=[contact.pk]))
    assert not Contact.objects.exists()


def test_duplicate_contact_email_is_reported_on_the_email_field(client, book, sales_rep):
    ContactFactory(account=book["rep"], email="ann@acme.example")
    client.force_login(sales_rep)

    response = client.post(reverse("customers:contact_add", args=[book["rep"].pk]),
                           {"name": "Ann", "email": "Ann@Acme.example", "role": "billing"})

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "This account already has a contact with this email."]


def test_contacts_of_invisible_accounts_are_not_found(client, book, sales_rep):
    contact = ContactFactory(account=book["teammate"])
    client.force_login(sales_rep)

    assert client.get(reverse("customers:contact_edit", args=[contact.pk])).status_code == 404
    assert client.post(reverse("customers:contact_remove",
                               args=[contact.pk])).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


# --- import ----------------------------------------------------------------------------------

def _upload(content: str | bytes, name="accounts.csv"):
    upload = io.BytesIO(content.encode() if isinstance(content, str) else content)
    upload.name = name
    return upload


def test_import_page_reports_counts(client, finance, sales_rep):
    client.force_login(finance)
    accounts = ("ref,name,country,currency,payment_terms,owner\n"
                "a,Globex,US,USD,net-30,rep_a\nb,Initech,DE,EUR,net-60,rep_a\n")
    contacts = "account_ref,name,email\na,Hank,hank@globex.example\n"

    response = client.post(reverse("customers:import"), {
        "accounts_file": _upload(accounts), "contacts_file": _upload(contacts, "contacts.csv")})

    assert response.url == reverse("customers:list")
    assert _messages(response) == ["Imported 2 account(s) and 1 contact(s)."]


def test_import_page_lists_row_errors_and_saves_nothing(client, finance, sales_rep):
    client.force_login(finance)
    accounts = ("ref,name,country,currency,payment_terms,owner\n"
                "a,Globex,US,USD,net-30,rep_a\nb,Initech,DE,EUR,net-999,rep_a\n")

    response = client.post(reverse("customers:import"), {"accounts_file": _upload(accounts)})

    assert response.status_code == 200
    [error] = response.context["row_errors"]
    assert error.line == 3
    assert "net-999" in response.content.decode()
    assert not Account.objects.exists()


def test_import_page_takes_an_xlsx_workbook(client, finance, sales_rep):
    from openpyxl import Workbook

    workbook = Workbook()
    for row in (["ref", "name", "country", "currency", "payment_terms", "owner"],
                ["a", "Globex", "US", "USD", "net-30", "rep_a"]):
        workbook.active.append(row)
    upload = io.BytesIO()
    workbook.save(upload)
    client.force_login(finance)

    response = client.post(reverse("customers:import"), {
        "accounts_file": _upload(upload.getvalue(), "accounts.xlsx")})

    assert response.url == reverse("customers:list")
    assert Account.objects.get().name == "Globex"


def test_import_page_refuses_a_file_that_is_no_table_at_the_field(client, finance):
    client.force_login(finance)

    response = client.post(reverse("customers:import"), {
        "accounts_file": _upload("ref,name\n", "accounts.pdf")})

    assert response.context["form"].errors["accounts_file"] == ["Upload a .csv or .xlsx file."]
    assert not Account.objects.exists()


# --- account page ----------------------------------------------------------------------------

def test_account_page_shows_facts_contacts_and_the_open_receivable(client, book, finance):
    from ledger.services import EntryDraft, LineDraft, post_entries

    # given receivable postings for this account and another's (noise), through the ledger
    account, noise = book["rep"], book["other_rep"]
    ContactFactory(account=account, name="Ann Billing", email="ann@acme.example")

    def invoice(customer, amount, credit=False):
        side = {"credit": amount} if credit else {"debit": amount}
        other = {"debit": amount} if credit else {"credit": amount}
        return EntryDraft(document_date=date(2026, 1, 5), memo="test", lines=[
            LineDraft("1100", customer_account_id=customer.pk, **side),
            LineDraft("4000", **other)])

    post_entries([invoice(account, Decimal("100.10")), invoice(account, Decimal("50.00")),
                  invoice(account, Decimal("30.05"), credit=True),
                  invoice(noise, Decimal("999"))], by=finance, on=date(2026, 1, 5))
    client.force_login(finance)

    # when
    response = client.get(reverse("accounts:detail", args=[account.pk]))

    # then
    assert response.context["receivable"] == Decimal("120.05")
    html = response.content.decode()
    assert "$120.05" in html
    assert "Ann Billing" in html
    assert "Net 30" in html
    assert reverse("customers:edit", args=[account.pk]) in html


def test_accountant_sees_the_account_page_without_edit_links(client, book, accountant):
    client.force_login(accountant)

    response = client.get(reverse("accounts:detail", args=[book["rep"].pk]))

    assert reverse("customers:edit", args=[book["rep"].pk]) not in response.content.decode()


# --- admin -----------------------------------------------------------------------------------

def _terms_post(kind, percents):
    data = {"code": "thirds", "name": "Thirds", "kind": kind, "days": "60",
            "early_discount_percent": "0", "early_discount_days": "0", "active": "on",
            "instalments-TOTAL_FORMS": str(len(percents)), "instalments-INITIAL_FORMS": "0",
            "instalments-MIN_NUM_FORMS": "0", "instalments-MAX_NUM_FORMS": "1000"}
    for i, percent in enumerate(percents):
        data.update({f"instalments-{i}-sequence": str(i + 1),
                     f"instalments-{i}-percent": percent,
                     f"instalments-{i}-basis": "net",  # the select's default, as a browser posts
                     f"instalments-{i}-due_days": str(30 * i)})
    return data


def test_admin_refuses_instalments_that_do_not_add_up_to_100(admin_client):
    url = reverse("admin:customers_paymentterms_add")

    refused = admin_client.post(url, _terms_post("instalments", ["33.333", "33.333", "33.333"]))
    assert refused.status_code == 200
    assert "add up to 99.999%, not exactly 100%" in refused.content.decode()
    assert not PaymentTerms.objects.filter(code="thirds").exists()

    saved = admin_client.post(url, _terms_post("instalments", ["33.333", "33.333", "33.334"]))
    assert saved.status_code == 302
    assert PaymentTerms.objects.get(code="thirds").instalments.count() == 3


def test_finance_edits_an_account_in_admin_through_the_service(client, book, finance):
    client.force_login(finance)
    account = book["rep"]
    url = reverse("admin:customers_account_change", args=[account.pk])
    data = {"name": "Acme Admin", "legal_name": "", "tax_id": "", "owner": account.owner_id,
            "status": "active", "country": "1A", "region": "", "currency": "USD",
            "payment_terms": account.payment_terms_id, "credit_limit_0": "10",
            "credit_limit_1": "USD", "billing_street": "", "billing_city": "",
            "billing_postal_code": "", "shipping_street": "", "shipping_city": "",
            "shipping_postal_code": "", "document_delivery": "email",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0", "contacts-MIN_NUM_FORMS": "0",
            "contacts-MAX_NUM_FORMS": "1000"}

    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "two-letter country code" in refused.content.decode()

    saved = client.post(url, {**data, "country": "CA"})
    assert saved.status_code == 302
    account.refresh_from_db()
    assert (account.name, account.country) == ("Acme Admin", "CA")
