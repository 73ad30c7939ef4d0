"""Entries belong to their document: an entry posted by an invoice (or any other document) is
corrected by the document's own verb (void, credit note, refund), never from the ledger."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.models import InvoiceState
from billing.services import drafts
from billing.services.issuing import issue_invoice, void_invoice
from ledger import services
from ledger.models import JournalEntry
from ledger.selectors import receivable_balance
from tests.customers.factories import AccountFactory, terms

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 2)


@pytest.fixture
def issued(finance):
    account = AccountFactory(payment_terms=terms("net-30"), currency="USD")
    invoice = drafts.create_manual_invoice(account=account, by=finance)
    drafts.add_manual_charge(invoice=invoice, by=finance, description="Setup", quantity=D(1),
                             unit_price=D("5.00"), on=ON)
    return issue_invoice(invoice=invoice, by=finance, on=ON)


def test_an_invoice_entry_cannot_be_reversed_from_the_ledger_service(finance, issued):
    with pytest.raises(ValidationError, match=f"belongs to {issued.number}"):
        services.reverse_entry(issued.journal_entry, by=finance, memo="Wrong", on=ON)

    assert not JournalEntry.objects.filter(reverses=issued.journal_entry).exists()
    assert receivable_balance(issued.account_id).by_currency == {"USD": D("5.00")}


def test_the_ledger_page_offers_no_reversal_of_a_document_entry(client, finance, issued):
    client.force_login(finance)
    page = client.get(reverse("ledger:entry", args=[issued.journal_entry_id]))

    assert page.context["reverse_form"] is None
    assert b"Post reversal" not in page.content
    link = f'<a href="{reverse("billing:invoice", args=[issued.pk])}">{issued.number}</a>'
    assert f"Correct it through {link}".encode() in page.content


def test_posting_a_reversal_of_a_document_entry_is_refused_with_the_reason(client, finance,
                                                                           issued):
    client.force_login(finance)
    response = client.post(reverse("ledger:reverse_entry", args=[issued.journal_entry_id]),
                           {"memo": "Wrong", "on": "2026-11-03"})

    assert response.status_code == 302
    assert not JournalEntry.objects.filter(reverses=issued.journal_entry).exists()
    message = str(list(get_messages(response.wsgi_request))[-1])
    assert f"belongs to {issued.number}" in message and "void" in message


def test_the_invoice_can_still_be_voided_by_its_own_verb(finance, issued):
    voided = void_invoice(invoice=issued, by=finance, reason="Sent to the wrong customer", on=ON)

    assert voided.state == InvoiceState.VOID
    assert voided.void_entry.reverses_id == issued.journal_entry_id
    assert receivable_balance(issued.account_id).by_currency == {"USD": D("0.00")}
