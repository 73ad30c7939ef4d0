"""The portal's list of an account's documents (issue 16: "portal only" must mean the customer
reads their documents somewhere): one signed link opens one account's issued invoices, credit
notes and statement, and where its deal stands; never another account's, never with a tampered
or expired link; a constant number of queries whatever the number of documents."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import signing
from django.urls import reverse

from billing.models import Invoice
from billing.services.credit_notes import issue_credit_note
from customers.models import DocumentDelivery
from notifications.models import Delivery
from payments.services import pay_link_token, record_payment
from payments.services.cash import Application
from q2c.portal import ACCOUNT_LINK_DAYS, ACCOUNT_LINK_SALT, PAGE_SIZE, account_link_token
from tests.contracts.factories import accepted_quote
from tests.payments.factories import ON, account, issued_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def documents_page(client, customer, **params):
    return client.get(reverse("portal:account", args=[account_link_token(customer)]), params)


def numbers(response) -> list[str]:
    return re.findall(r'<tr data-number="([^"]+)"', response.content.decode())


@pytest.fixture
def two_customers(finance):
    """Globex with an open, a paid and a credited invoice and a draft; Initech (the noise)
    with an open invoice of its own."""
    globex = account(name="Globex", document_delivery=DocumentDelivery.PORTAL)
    open_one = issued_invoice(account_=globex, net=Decimal("100.00"))
    paid = issued_invoice(account_=globex, net=Decimal("40.00"))
    record_payment(account=globex, method="wire", amount="40.00", currency="USD",
                   received_on=ON, by=finance,
                   applications=[Application(paid.pk, Decimal("40.00"))])
    note = issue_credit_note(invoice=open_one, by=finance, reason="goodwill",
                             amount=Decimal("10.00"), on=ON)
    draft = Invoice.objects.create(account=globex, currency="USD", total=Decimal(5),
                                   subtotal=Decimal(5), tax_total=0, amount_due=Decimal(5))
    initech = account(name="Initech")
    return {"globex": globex, "open": open_one, "paid": paid, "note": note, "draft": draft,
            "initech": initech, "other": issued_invoice(account_=initech)}


def test_the_link_shows_the_accounts_issued_invoices_and_only_them(client, two_customers):
    # given
    docs = two_customers
    docs["open"].refresh_from_db()

    # when
    response = documents_page(client, docs["globex"])

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert numbers(response) == [docs["paid"].number, docs["open"].number]  # newest first
    assert docs["other"].number not in page  # Initech's invoice
    assert "$100.00" in page and "$90.00" in page  # total and what is open after the credit
    assert page.count('data-testid="pay"') == 1  # the paid invoice has no pay link
    assert reverse("pay:invoice", args=[pay_link_token(docs["open"])]) in page
    assert reverse("portal:account_invoice_pdf",
                   args=[response.context["token"], docs["open"].pk]) in page
    assert "Paid" in page and 'data-testid="statement"' in page


def test_the_credit_notes_list_shows_the_accounts_notes(client, two_customers):
    response = documents_page(client, two_customers["globex"], list="credit_notes")

    assert numbers(response) == [two_customers["note"].number]
    assert two_customers["open"].number in response.content.decode()  # the invoice it credits


def test_an_unknown_list_name_shows_the_invoices(client, two_customers):
    response = documents_page(client, two_customers["globex"], list="<script>")

    assert response.status_code == 200 and len(numbers(response)) == 2


@pytest.mark.real_pdf
def test_the_pdfs_open_for_the_accounts_own_documents(client, two_customers):
    token = account_link_token(two_customers["globex"])

    invoice_pdf = client.get(reverse("portal:account_invoice_pdf",
                                     args=[token, two_customers["open"].pk]))
    note_pdf = client.get(reverse("portal:account_credit_note_pdf",
                                  args=[token, two_customers["note"].pk]))
    statement = client.get(reverse("portal:account_statement_pdf", args=[token]))

    for response in (invoice_pdf, note_pdf, statement):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("document", ["other", "draft"])
def test_another_accounts_invoice_or_a_draft_is_not_found_through_the_link(
        client, two_customers, document):
    url = reverse("portal:account_invoice_pdf", args=[
        account_link_token(two_customers["globex"]), two_customers[document].pk])

    assert client.get(url).status_code == 404


def test_a_tampered_link_shows_nothing(client, two_customers):
    # given Globex's link with Initech's account id signed by someone without our key
    token = account_link_token(two_customers["globex"])
    forged = signing.dumps({"a": two_customers["initech"].pk}, salt=ACCOUNT_LINK_SALT,
                           key="not-our-secret", compress=True)

    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged):
        response = client.get(reverse("portal:account", args=[bad]))
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
        assert two_customers["other"].number not in response.content.decode()


def test_a_link_of_another_kind_does_not_open_an_account(client, two_customers):
    # a pay link's token is signed with another salt: it names an invoice, not an account
    token = pay_link_token(two_customers["open"])

    assert client.get(reverse("portal:account", args=[token])).status_code == 400


def test_an_expired_link_says_so_and_shows_nothing(client, two_customers, time_machine):
    token = account_link_token(two_customers["globex"])
    time_machine.shift(timedelta(days=ACCOUNT_LINK_DAYS + 1))

    response = client.get(reverse("portal:account", args=[token]))
    pdf = client.get(reverse("portal:account_invoice_pdf", args=[token, two_customers["open"].pk]))

    assert response.status_code == pdf.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert two_customers["open"].number not in response.content.decode()


def test_the_list_costs_the_same_queries_for_one_or_a_full_page_and_pages_on(
        client, django_assert_max_num_queries):
    # given one customer with one invoice and another with a page and one more
    small, large = account(name="Small"), account(name="Large")
    issued_invoice(account_=small)
    invoices = [issued_invoice(account_=large) for _ in range(PAGE_SIZE + 1)]

    # when / then
    with django_assert_max_num_queries(4) as one:
        documents_page(client, small)
    with django_assert_max_num_queries(4) as many:
        first = documents_page(client, large)
    assert len(one.captured_queries) == len(many.captured_queries)
    assert numbers(first) == [i.number for i in invoices[::-1][:PAGE_SIZE]]
    cursor = first.context["page_obj"].next_cursor
    second = documents_page(client, large, after=cursor)
    assert numbers(second) == [invoices[0].number]


def test_the_customer_sees_where_their_deal_stands(client, sales_rep):
    quote = accepted_quote(sales_rep)

    page = documents_page(client, quote.account).content.decode()

    assert re.findall(r'data-status="(\w+)"><strong>([^<]+)</strong>', page)[:2] == [
        ("done", "Quote accepted"), ("waiting", "Contract to sign")]


def test_the_pay_page_links_to_the_accounts_documents(client, two_customers):
    page = client.get(reverse("pay:invoice", args=[pay_link_token(two_customers["open"])]))

    documents = client.get(page.context["documents_url"])
    assert page.context["documents_url"] in page.content.decode()
    assert documents.context["account"] == two_customers["globex"]


# Finance hands the link over ------------------------------------------------------------

def test_finance_sees_the_link_and_emails_it_to_the_billing_contacts(client, finance,
                                                                    two_customers):
    globex = two_customers["globex"]
    client.force_login(finance)
    url = reverse("portal:account_link", args=[globex.pk])

    shown = client.get(url)
    sent = client.post(url)

    assert shown.status_code == 200 and shown.context["url"] in shown.content.decode()
    assert sent.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.to == [f"ap{globex.pk}@customer.example"]
    [link] = re.findall(r"http://testserver(/portal/account/\S+/)", delivery.body)
    assert client.get(link).context["account"] == globex


def test_without_a_billing_contact_the_link_is_not_sent_and_finance_is_told(client, finance,
                                                                           two_customers):
    globex = two_customers["globex"]
    globex.contacts.all().delete()
    client.force_login(finance)

    response = client.post(reverse("portal:account_link", args=[globex.pk]))

    assert response.status_code == 400
    assert "has no billing contact with an email address" in response.content.decode()
    assert not Delivery.objects.exists()


def test_sales_cannot_see_or_send_an_accounts_portal_link(client, sales_rep, two_customers):
    client.force_login(sales_rep)
    url = reverse("portal:account_link", args=[two_customers["globex"].pk])

    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert not Delivery.objects.exists()
