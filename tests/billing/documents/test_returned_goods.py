"""Goods returned as a credit note reason (issue 18: a right of return's refund liability is
settled by the credit for goods sent back, not by a price concession on goods kept): chosen on
the form, stored, printed, and read by revenue recognition per contract."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.models import CreditNote, CreditNoteReason, Invoice
from billing.selectors import returned_goods_credits
from billing.services import documents
from billing.services.credit_notes import issue_credit_note
from billing.services.issuing import issue_invoice
from tests.billing.documents.conftest import ON
from tests.billing.documents.test_pdfs import pdf_text
from tests.billing.documents.test_views import login
from tests.billing.test_runs import AS_OF, customer, run_now  # noqa: F401 (run_now: fixture)

pytestmark = [pytest.mark.real_pdf, pytest.mark.django_db]


def test_finance_credits_returned_goods_from_the_form_and_the_pdf_says_so(client, finance,
                                                                           issued):
    login(client, finance)
    url = reverse("billing_documents:credit_note_create", args=[issued.pk])
    assert "Goods returned" in client.get(url).content.decode()
    seats = issued.lines.get(position=1)
    data = {"reason": "returned_goods", "how": "lines", f"line_{seats.pk}": "40.00"}
    preview = client.post(url, data)
    client.post(url, {**data, "confirmed": preview.context["confirmation"]})

    note = CreditNote.objects.get()
    assert (note.reason, note.total) == (CreditNoteReason.RETURNED_GOODS, D("48.00"))
    assert "Goods returned" in pdf_text(documents.stored_pdf(note))


def test_revenue_recognition_reads_returned_goods_per_contract_and_not_concessions(
        run_now, finance):  # noqa: F811
    # given two customers billed by a run, each with a setup line of 500.00
    account, other = customer(), customer()
    run_now()
    invoice, other_invoice = (issue_invoice(invoice=Invoice.objects.get(account=a), by=finance,
                                            on=AS_OF) for a in (account, other))
    setup = invoice.lines.get(source="one_time")
    # when part of it comes back, a concession is granted, and the other customer returns all
    returned = issue_credit_note(invoice=invoice, by=finance, reason="returned_goods",
                                 line_amounts={setup.pk: D("200.00")}, on=AS_OF)
    issue_credit_note(invoice=invoice, by=finance, reason="goodwill", amount=D("10.00"),
                      on=AS_OF)
    issue_credit_note(invoice=other_invoice, by=finance, reason="returned_goods", whole=True,
                      on=AS_OF)
    # then the contract's returns are that one line, dated, with its contract line
    contract_id = setup.contract_line.contract_id
    rows = [(line.credit_note, line.invoice_line.contract_line_id, line.amount)
            for line in returned_goods_credits(contract_ids=[contract_id])]
    assert rows == [(returned, setup.contract_line_id, D("200.00"))]
    assert not returned_goods_credits(contract_ids=[contract_id],
                                      through=AS_OF - timedelta(days=1)).exists()


def test_the_service_takes_the_reason_and_refuses_an_unknown_one(finance, issued):
    note = issue_credit_note(invoice=issued, by=finance, reason="returned_goods",
                             amount="11.50", on=ON)
    assert note.get_reason_display() == "Goods returned"
    with pytest.raises(ValidationError, match="Choose a reason"):
        issue_credit_note(invoice=issued, by=finance, reason="returned", amount="1.00", on=ON)
