"""The contract PDF: rendered once at sending, its bytes and SHA-256 stored, emailed with the
signed link; the portal serves exactly those bytes; staff preview and download it."""

import hashlib
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts import services
from contracts.documents import renewal_document
from contracts.models import Contract, ContractState
from contracts.pdf import render_contract_html
from core.actors import Actor
from core.templatetags.money import money
from q2c import flows
from quotes import services as quote_services
from quotes.pdf import render_quote_html
from quotes.services.sending import quote_link_token
from tests.conftest import PASSWORD
from tests.contracts.factories import ON, active_contract, draft_contract, out_for_signature
from tests.contracts.test_amendment_pages import SHORTER_MARCH
from tests.contracts.test_amendments import amended_to

pytestmark = pytest.mark.django_db


def test_the_document_shows_terms_lines_and_both_signature_blocks(sales_rep):
    contract = draft_contract(sales_rep)

    html = render_contract_html(contract)

    assert f"Contract {contract.number}" in html and contract.account.name in html
    assert "User seat" in html and "Onboarding package" in html
    assert contract.terms[:40] in html
    assert html.count("Signature and date") == 2


@pytest.mark.real_pdf
def test_sending_stores_the_pdf_and_its_hash_and_emails_pdf_and_link(
        sales_rep, django_capture_on_commit_callbacks):
    contract = draft_contract(sales_rep)

    with django_capture_on_commit_callbacks(execute=True):
        contract = services.send_for_signature(contract=contract, by=sales_rep, on=ON)

    pdf = bytes(contract.sent_pdf)
    assert pdf.startswith(b"%PDF")
    assert contract.document_sha256 == hashlib.sha256(pdf).hexdigest()
    [email] = mail.outbox
    assert email.to == ["buyer@acme.example"] and email.reply_to == [sales_rep.email]
    assert email.attachments == [(f"{contract.number}.pdf", pdf, "application/pdf")]
    assert services.contract_link_url(contract) in email.body


def test_sending_twice_is_refused_and_keeps_the_first_document(sales_rep):
    contract = out_for_signature(sales_rep)
    digest = contract.document_sha256

    with pytest.raises(ValidationError, match="Only a draft contract is sent"):
        services.send_for_signature(contract=contract, by=sales_rep)

    contract.refresh_from_db()
    assert contract.document_sha256 == digest


def test_a_contract_without_a_contact_email_is_not_sent(sales_rep):
    contract = draft_contract(sales_rep)
    type(contract.quote).objects.filter(pk=contract.quote_id).update(contact=None)
    contract.account.contacts.all().delete()
    contract.refresh_from_db()

    with pytest.raises(ValidationError, match="no contact with an email"):
        services.send_for_signature(contract=contract, by=sales_rep)
    contract.refresh_from_db()
    assert contract.state == ContractState.DRAFT


@pytest.mark.real_pdf
def test_the_portal_serves_the_stored_bytes_and_signing_records_their_hash(client, sales_rep):
    contract = out_for_signature(sales_rep)
    token = services.contract_link_token(contract)

    pdf = client.get(reverse("contract_flows:sign_pdf", args=[token]))
    page = client.get(reverse("contract_flows:sign", args=[token])).content.decode()
    client.post(reverse("contract_flows:sign", args=[token]),
                {"name": "Ada Buyer", "title": "CFO", "consent": "on"})

    assert pdf.content == bytes(contract.sent_pdf)
    assert pdf["Content-Type"] == "application/pdf"
    assert reverse("contract_flows:sign_pdf", args=[token]) in page
    contract.refresh_from_db()
    assert contract.signed_document_sha256 == hashlib.sha256(pdf.content).hexdigest()


@pytest.mark.real_pdf
def test_a_tampered_pdf_link_shows_why_not_the_document(client, sales_rep):
    contract = out_for_signature(sales_rep)
    token = services.contract_link_token(contract)

    response = client.get(reverse("contract_flows:sign_pdf", args=[token[:-2] + "xy"]))

    assert response.status_code == 400
    assert b"%PDF" not in response.content


@pytest.mark.real_pdf
def test_staff_preview_a_draft_and_download_the_sent_bytes(client, sales_rep, other_rep):
    contract = draft_contract(sales_rep)
    client.login(username=sales_rep.username, password=PASSWORD)

    preview = client.get(reverse("contracts:pdf", args=[contract.pk]))
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    assert preview["Content-Disposition"].startswith("inline")

    contract = services.send_for_signature(contract=contract, by=sales_rep)
    download = client.get(reverse("contracts:pdf_download", args=[contract.pk]))
    assert download.content == bytes(contract.sent_pdf)
    assert download["Content-Disposition"] == f'attachment; filename="{contract.number}.pdf"'

    client.login(username=other_rep.username, password=PASSWORD)
    assert client.get(reverse("contracts:pdf", args=[contract.pk])).status_code == 404


def _schedule_part(html: str) -> str:
    return html[html.index("Billing schedule"):html.index("Before tax")]


def test_the_document_shows_the_billing_schedule_from_the_stored_rows(sales_rep):
    contract = draft_contract(sales_rep)
    onboarding = contract.lines.get(product__sku="ONBOARDING")

    schedule = _schedule_part(render_contract_html(contract))

    assert "1 December 2026" in schedule and "1 November 2027" in schedule
    assert "1 December 2027" not in schedule
    assert money(Decimal("127.50") + onboarding.net_amount, "USD") in schedule
    assert schedule.count('<td class="num">$127.50</td>') == 11  # January to November


def test_after_an_amendment_the_schedule_shows_the_rows_it_stored(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    amended_to(contract, sales_rep, Decimal(8))

    schedule = _schedule_part(render_contract_html(contract))

    assert SHORTER_MARCH.search(schedule)  # March, cut at the 14th
    assert "15 March 2027" in schedule and "$111.87" in schedule  # the new line's first
    assert schedule.count('<td class="num">$204.00</td>') == 8  # April to November


def test_the_renewal_quote_shows_each_lines_uplift(sales_rep, finance):
    # given 5 seats at $30.00 list ($127.50 a month after 15% off) and a 5% uplift
    contract = active_contract(sales_rep, by=finance)
    Contract.objects.filter(pk=contract.pk).update(uplift_percent=Decimal("5"))
    contract.refresh_from_db()

    # when the renewal quote is made and its document read as q2c's send flow renders it
    renewal = services.create_renewal_quote(contract=contract, by=Actor.task("test"),
                                            on=date(2027, 10, 1))
    html = render_quote_html(renewal.quote, renewal=renewal_document(renewal))

    # then its document shows old and new prices and the percent, line by line
    part = html[html.index(f"Renewal of contract {contract.number}"):
                html.index("Billing schedule")]
    assert "5 → 5" in part and "$30.00 → $31.50" in part and "+5.00%" in part
    assert "$127.50 → $133.87" in part and "1 December 2027" in part  # 15% off $157.50


def test_the_customer_reads_the_uplift_on_the_renewal_link(client, sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    Contract.objects.filter(pk=contract.pk).update(uplift_percent=Decimal("5"))
    renewal = services.create_renewal_quote(contract=contract, by=Actor.task("test"),
                                            on=date(2027, 10, 1))
    quote = renewal.quote
    quote_services.submit_for_approval(quote=quote, by=sales_rep, on=date(2027, 10, 1))
    quote = flows.send_quote_flow(quote=quote, by=sales_rep, on=date(2027, 10, 1))

    with time_machine.travel("2027-10-01 10:00 +00:00", tick=False):
        body = client.get(reverse("portal:quote",
                                  args=[quote_link_token(quote)])).content.decode()

    part = body[body.index(f"Renewal of contract {contract.number}"):]
    assert "$30.00 → $31.50" in part and "+5.00%" in part and "$127.50 → $133.87" in part
