"""The customer's pay-by-card link: the invoice and what is due, the card form posting to the
gateway's tokenizer (our views never see the number), the payment, and clear pages for a
tampered, expired or paid link."""

from datetime import timedelta
from decimal import Decimal as D
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import signing
from django.urls import reverse

from billing.models import InvoiceState
from core.transitions import history_for
from payments.models import Payment, PaymentMethod, PaymentState
from payments.services import pay_link_token
from payments.services.links import LINK_DAYS
from tests.payments.factories import DECLINED, SUCCESS, issued_invoice

pytestmark = pytest.mark.django_db


def tokenize(client, token, number=SUCCESS, exp_year="2030"):
    """What the customer's browser does: post the card to the gateway's endpoint."""
    response = client.post(reverse("payments:sandbox_tokenize"), {
        "number": number, "exp_month": "12", "exp_year": exp_year, "cvc": "123",
        "return_url": reverse("pay:card", args=[token])})
    assert response.status_code == 302
    return response.url


def test_a_customer_pays_an_invoice_with_a_test_card(client):
    # given
    invoice = issued_invoice(net=D("250.00"))
    token = pay_link_token(invoice)
    page = client.get(reverse("pay:invoice", args=[token]))
    body = page.content.decode()
    assert page.status_code == 200 and invoice.number in body and "$250.00" in body
    assert f'action="{reverse("payments:sandbox_tokenize")}"' in body
    assert reverse("pay:pdf", args=[token]) in body
    # when: the gateway tokenizes the card and sends the browser back
    back = tokenize(client, token)
    card_token = parse_qs(urlparse(back).query)["card_token"][0]
    confirm = client.get(back)
    assert "ending 4242" in confirm.content.decode()
    done = client.post(reverse("pay:card", args=[token]),
                       {"card_token": card_token, "name": "Pat Payer"})
    # then
    invoice.refresh_from_db()
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    assert invoice.state == InvoiceState.PAID
    payment = Payment.objects.get()
    assert payment.state == PaymentState.SUCCEEDED
    log = history_for(payment).last()
    assert (log.actor_kind, log.actor_name, log.actor_ip) == ("customer", "Pat Payer",
                                                              "127.0.0.1")


def test_a_declined_card_shows_why_and_takes_nothing(client):
    invoice = issued_invoice()
    token = pay_link_token(invoice)
    back = tokenize(client, token, number=DECLINED)
    card_token = parse_qs(urlparse(back).query)["card_token"][0]
    response = client.post(reverse("pay:card", args=[token]),
                           {"card_token": card_token, "name": "Pat"})
    assert response.status_code == 402
    assert "insufficient funds" in response.content.decode()
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.ISSUED


def test_a_refused_card_number_comes_back_on_the_pay_page(client):
    token = pay_link_token(issued_invoice())
    back = tokenize(client, token, number="4242424242424241")
    response = client.get(back)
    assert response.status_code == 400 and "not valid" in response.content.decode()


def test_saving_the_card_keeps_it_for_autopay(client):
    invoice = issued_invoice()
    token = pay_link_token(invoice)
    card_token = parse_qs(urlparse(tokenize(client, token)).query)["card_token"][0]
    client.post(reverse("pay:card", args=[token]),
                {"card_token": card_token, "name": "Pat", "save": "on"})
    method = PaymentMethod.objects.get(account=invoice.account)
    assert (method.last4, method.autopay) == ("4242", True)


def test_a_tampered_link_gets_a_clear_page(client):
    token = pay_link_token(issued_invoice())
    response = client.get(reverse("pay:invoice", args=[token[:-2] + "xx"]))
    assert response.status_code == 400 and "This link is not valid" in response.content.decode()


def test_an_expired_link_gets_a_clear_page(client, time_machine):
    token = pay_link_token(issued_invoice())
    time_machine.shift(timedelta(days=LINK_DAYS + 1))
    response = client.get(reverse("pay:invoice", args=[token]))
    assert response.status_code == 410 and "has expired" in response.content.decode()


def test_a_paid_invoice_link_says_there_is_nothing_to_pay(client, finance):
    from payments.services import Application, record_payment

    invoice = issued_invoice()
    record_payment(account=invoice.account, method="check", amount=D("100.00"),
                   currency="USD", received_on=None, by=finance,
                   applications=[Application(invoice.pk, D("100.00"))])
    response = client.get(reverse("pay:invoice", args=[pay_link_token(invoice)]))
    assert response.status_code == 410 and "nothing left to pay" in response.content.decode()


def test_a_link_for_another_invoice_number_is_refused(client):
    invoice = issued_invoice()
    forged = signing.dumps({"i": invoice.pk, "n": "INV-1999-000001"}, salt="other")
    assert client.get(reverse("pay:invoice", args=[forged])).status_code == 400


def test_the_tokenizer_only_sends_the_browser_back_to_our_own_site(client):
    response = client.post(reverse("payments:sandbox_tokenize"), {
        "number": SUCCESS, "exp_month": "12", "exp_year": "2030", "cvc": "123",
        "return_url": "https://evil.example/steal"})
    assert response.status_code == 400
