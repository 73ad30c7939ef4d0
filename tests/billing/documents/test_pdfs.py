"""Invoice and credit note PDFs: the totals on the page, kept once, emailed once."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from billing.models import CreditNote, Invoice
from billing.services import documents
from billing.services.credit_notes import issue_credit_note
from core.templatetags.money import money
from tests.billing.documents.conftest import ON
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.real_pdf, pytest.mark.django_db]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_invoice_pdf_shows_letterhead_lines_taxes_and_totals(issued, settings):
    settings.COMPANY_NAME = "Northwind Software GmbH"
    text = pdf_text(documents.stored_pdf(issued))
    for expected in ["Northwind Software GmbH", f"Invoice {issued.number}", "Seats", "Support",
                     f"Subtotal {money(issued.subtotal, 'USD')}", "VAT 20% on $100.00 $20.00",
                     "VAT 5% on $50.00 $2.50", f"Total {money(issued.total, 'USD')}",
                     "DUE SCHEDULE"]:
        assert expected in text


def test_the_credit_note_pdf_shows_its_invoice_reason_and_total(issued, finance):
    note = issue_credit_note(invoice=issued, by=finance, reason="service_issue",
                             reason_note="Outage on 3 November", amount="34.50", on=ON)
    text = pdf_text(documents.stored_pdf(note))
    for expected in [f"Credit note {note.number}", f"On invoice {issued.number}",
                     "Service issue", "Outage on 3 November",
                     f"Total credited {money(note.total, 'USD')}"]:
        assert expected in text


def test_the_pdf_is_kept_once_and_served_unchanged(issued, client, finance, monkeypatch):
    first = documents.stored_pdf(issued)
    issued.refresh_from_db()
    digest, rendered_at = issued.pdf_sha256, issued.pdf_rendered_at
    monkeypatch.setattr(documents, "render_invoice_pdf",
                        lambda invoice: pytest.fail("rendered again"))

    assert client.login(username=finance.username, password=PASSWORD)
    response = client.get(reverse("billing_documents:invoice_pdf", args=[issued.pk]))

    assert response.status_code == 200 and response.content == first
    assert response["Content-Disposition"] == f'attachment; filename="{issued.number}.pdf"'
    issued.refresh_from_db()
    assert (issued.pdf_sha256, issued.pdf_rendered_at) == (digest, rendered_at)


def test_a_second_render_at_once_keeps_the_first(issued):
    stale = Invoice.objects.get(pk=issued.pk)
    assert documents.ensure_pdf(issued) is True
    assert documents.ensure_pdf(stale) is False  # lost the race: keeps the stored one
    assert stale.pdf.name == Invoice.objects.get(pk=issued.pk).pdf.name


def test_the_document_is_emailed_once_to_the_billing_contact(issued, finance):
    documents.deliver_invoice(issued.pk)
    documents.deliver_invoice(issued.pk)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@customer.example"]
    assert message.subject.startswith(f"Invoice {issued.number}")
    assert message.attachments[0][0] == f"{issued.number}.pdf"
    issued.refresh_from_db()
    assert issued.emailed_at is not None


def test_the_pending_task_delivers_what_is_not_done_yet(issued, finance):
    from billing.tasks import deliver_pending_documents_task

    note = issue_credit_note(invoice=issued, by=finance, reason="goodwill", amount="1.00",
                             on=ON)
    assert documents.pending_documents() == ([issued.pk], [note.pk])
    deliver_pending_documents_task()
    assert documents.pending_documents() == ([], [])
    assert len(mail.outbox) == 2
    note.refresh_from_db()
    assert note.pdf_sha256 and CreditNote.objects.get(pk=note.pk).emailed_at


def test_a_draft_has_no_document(finance, vat):
    from billing.services.drafts import create_manual_invoice
    from tests.billing.documents.conftest import gb_account

    draft = create_manual_invoice(account=gb_account(), by=finance)
    with pytest.raises(documents.DocumentNotIssued):
        documents.stored_pdf(draft)


def test_issuing_a_credit_note_renders_and_mails_it_once_committed(
        issued, finance, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        note = issue_credit_note(invoice=issued, by=finance, reason="goodwill", amount="5.00",
                                 on=ON)
    note.refresh_from_db()
    assert note.pdf_sha256 and note.emailed_at
    assert [m.subject for m in mail.outbox] == [
        f"Credit note {note.number} from Q2C Software Ltd"]


def test_a_machine_without_weasyprint_leaves_the_document_for_later(issued, monkeypatch):
    from billing import tasks
    from billing.pdf import PdfUnavailable

    def unavailable(invoice):
        raise PdfUnavailable("no pango")

    monkeypatch.setattr(documents, "render_invoice_pdf", unavailable)
    tasks.deliver_invoice_task(issued.pk)
    issued.refresh_from_db()
    assert not issued.pdf and issued.emailed_at is None and not mail.outbox
