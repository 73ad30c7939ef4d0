"""Web hardening (red team 2026-12, findings 12-15 and 17): one safe `next` for every redirect,
export cells a spreadsheet will not run, and the pay page speaking only our own words."""

import pytest
from django.urls import reverse

from core.csv_files import safe_cell
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db

EVIL = ["https://evil.example/", "//evil.example/", "https:evil.example",
        "http://testserver@evil.example/", "/\\evil.example", "\\\\evil.example",
        "javascript:alert(1)", "/\x0d/evil.example"]


@pytest.mark.parametrize("target", EVIL)
def test_bulk_issue_never_redirects_to_another_site(client, finance, target):
    client.force_login(finance)
    response = client.post(reverse("billing:issue_bulk"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:invoices")


def test_bulk_issue_goes_back_to_a_page_of_this_site(client, finance):
    client.force_login(finance)
    back = reverse("billing:invoices") + "?state=draft"
    response = client.post(reverse("billing:issue_bulk"), {"next": back})
    assert response["Location"] == back


@pytest.mark.parametrize("value, written", [
    ('=HYPERLINK("http://evil.example/x","Click me")',
     '\'=HYPERLINK("http://evil.example/x","Click me")'),
    ("+1-900-555", "'+1-900-555"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"), ("-12.50", "-12.50"), ("Acme", "Acme"), (5, 5),
])
def test_a_cell_that_would_run_as_a_formula_is_written_as_text(value, written):
    assert safe_cell(value) == written


def test_the_accounts_export_writes_a_formula_name_as_text(client, finance):
    AccountFactory(name='=HYPERLINK("http://evil.example/x","Click me")')
    client.force_login(finance)

    body = b"".join(client.get(reverse("customers:export")).streaming_content).decode()

    assert '"\'=HYPERLINK(""http://evil.example/x"",""Click me"")"' in body
    assert '\n=HYPERLINK' not in body and ',=HYPERLINK' not in body


def test_the_pay_page_never_shows_text_from_the_link(client):
    from payments.services import pay_link_token
    from tests.payments.factories import issued_invoice

    token = pay_link_token(issued_invoice())
    attack = "Your card was blocked. Call +1-900-555-0100 to pay by phone."

    response = client.get(reverse("pay:card", args=[token]), {"card_error": attack})

    body = response.content.decode()
    assert response.status_code == 400 and attack not in body and "+1-900" not in body
    assert "The card was refused. Check the details and try again." in body


def test_the_gateway_sends_back_a_code_that_the_pay_page_words(client):
    from payments.services import pay_link_token
    from tests.payments.factories import issued_invoice

    token = pay_link_token(issued_invoice())
    back = client.post(reverse("payments:sandbox_tokenize"), {
        "number": "4242424242424241", "exp_month": "12", "exp_year": "2030", "cvc": "123",
        "return_url": reverse("pay:card", args=[token])})
    assert back.status_code == 302 and "card_error=invalid_number" in back.url

    page = client.get(back.url).content.decode()
    assert "The card number is not valid." in page


def test_an_unknown_page_shows_our_own_not_found_page(client, finance):
    client.force_login(finance)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "There is no such page" in body and reverse("home") in body


def test_a_server_error_shows_our_own_page_without_details(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body and "Traceback" not in body


def test_pages_send_a_strict_content_security_policy_and_the_api_docs_their_own(client):
    login = client.get(reverse("login"))["Content-Security-Policy"]
    docs = client.get(reverse("api:docs"))["Content-Security-Policy"]

    assert "script-src 'self';" in login and "'unsafe-inline'" not in login.split(
        "style-src-attr")[0]
    assert "form-action 'self'" in login and "object-src 'none'" in login
    assert "script-src 'self' 'unsafe-inline'" in docs  # Swagger UI's own inline start-up
