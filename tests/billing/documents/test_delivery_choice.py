"""Each account's delivery choice for its invoices and credit notes (issue #16): email (as
before), portal only (nothing sent), or post (finance's list to print and post, marked posted
with permission and history)."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import PostalCopy, PostalState
from billing.services import documents
from billing.services.credit_notes import issue_credit_note
from billing.services.delivery import mark_posted
from core.transitions import history_for
from tests.billing.documents.conftest import ON, gb_account, issue

pytestmark = pytest.mark.django_db

ADDRESS = {"billing_street": "1 King's Road", "billing_city": "London",
           "billing_postal_code": "SW3 4NB"}


def account_taking(delivery, owner=None):
    return gb_account(owner=owner, document_delivery=delivery, **ADDRESS)


def test_an_email_account_gets_its_invoice_by_email_and_nothing_to_post(finance, vat):
    invoice = issue(finance, account_taking("email"))

    documents.deliver_invoice(invoice.pk)

    assert [m.to for m in mail.outbox] == [["ada@customer.example"]]
    assert not PostalCopy.objects.exists()


def test_a_portal_only_account_gets_no_email_and_is_not_pending(finance, vat):
    invoice = issue(finance, account_taking("portal"))

    documents.deliver_invoice(invoice.pk)

    invoice.refresh_from_db()
    assert mail.outbox == [] and not PostalCopy.objects.exists()
    assert invoice.pdf_sha256  # kept for the portal
    assert documents.pending_documents() == ([], [])


def test_a_post_account_gets_no_email_and_its_documents_wait_to_be_posted(finance, vat):
    # given an account that takes its documents by post
    invoice = issue(finance, account_taking("post"))
    note = issue_credit_note(invoice=invoice, by=finance, reason="goodwill", amount="10.00",
                             on=ON)
    assert documents.pending_documents() == ([invoice.pk], [note.pk])

    # when the pending task delivers them (twice: a redelivered task)
    from billing.tasks import deliver_pending_documents_task

    deliver_pending_documents_task()
    deliver_pending_documents_task()

    # then nothing is emailed and each waits once on the list to post, with its PDF
    assert mail.outbox == []
    copies = list(PostalCopy.objects.order_by("pk"))
    assert [(c.invoice_id, c.credit_note_id, c.state) for c in copies] == [
        (invoice.pk, None, PostalState.TO_POST), (None, note.pk, PostalState.TO_POST)]
    assert documents.pending_documents() == ([], [])


def test_a_document_keeps_the_delivery_chosen_when_it_was_issued(finance, vat):
    account = account_taking("post")
    invoice = issue(finance, account)
    account.document_delivery = "email"
    account.save(update_fields=["document_delivery"])

    documents.deliver_invoice(invoice.pk)

    invoice.refresh_from_db()
    assert invoice.delivery == "post"
    assert mail.outbox == [] and PostalCopy.objects.get().invoice_id == invoice.pk


def _queued(finance, count=1):
    account = account_taking("post")
    invoices = [issue(finance, account) for _ in range(count)]
    for invoice in invoices:
        documents.deliver_invoice(invoice.pk)
    return invoices


def test_finance_marks_documents_posted_as_a_recorded_transition(client, finance, vat):
    invoice, other = _queued(finance, 2)
    copy = invoice.postal_copy
    client.force_login(finance)

    response = client.post(reverse("billing_documents:postal_mark_posted"),
                           {"copies": [copy.pk], "posted_on": "2026-11-24"})

    assert response.url == reverse("billing_documents:postal_copies")
    copy.refresh_from_db()
    assert (copy.state, str(copy.posted_on), copy.posted_by) == (
        PostalState.POSTED, "2026-11-24", finance)
    [log] = history_for(copy)
    assert (log.transition, log.source, log.target, log.actor) == (
        "mark_posted", "to_post", "posted", finance)
    page = client.get(reverse("billing_documents:postal_copies"))
    assert list(page.context["copies"]) == [other.postal_copy]


def test_a_copy_already_posted_is_refused_by_name(finance, vat):
    [invoice] = _queued(finance)
    mark_posted(copies=[invoice.postal_copy], by=finance)

    with pytest.raises(ValidationError, match=f"Already marked posted: {invoice.number}"):
        mark_posted(copies=[invoice.postal_copy], by=finance)


def test_the_list_shows_each_document_with_its_pdf_and_address(client, finance, vat):
    [invoice] = _queued(finance)
    client.force_login(finance)

    page = client.get(reverse("billing_documents:postal_copies")).content.decode()

    assert reverse("billing_documents:invoice_pdf", args=[invoice.pk]) in page
    assert invoice.number in page and "SW3 4NB" in page


@pytest.mark.parametrize("who", ["sales_rep", "sales_manager", "accountant"])
def test_only_finance_sees_the_list_or_marks_posted(client, request, finance, vat, who):
    [invoice] = _queued(finance)
    user = request.getfixturevalue(who)
    client.force_login(user)

    assert client.get(reverse("billing_documents:postal_copies")).status_code == 403
    assert client.post(reverse("billing_documents:postal_mark_posted"),
                       {"copies": [invoice.postal_copy.pk],
                        "posted_on": "2026-11-24"}).status_code == 403
    with pytest.raises(PermissionDenied, match="You are not allowed to mark documents posted."):
        mark_posted(copies=[invoice.postal_copy], by=user)
    assert PostalCopy.objects.get().state == PostalState.TO_POST


def _queries_for_list(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("billing_documents:postal_copies")).status_code == 200
    return len(queries)


def test_the_list_reads_a_constant_number_of_queries(client, finance, vat):
    client.force_login(finance)
    _queued(finance, 1)
    one = _queries_for_list(client)
    _queued(finance, 4)
    assert _queries_for_list(client) == one


def test_the_document_pages_say_how_it_is_delivered(client, finance, vat):
    [invoice] = _queued(finance)
    note = issue_credit_note(invoice=invoice, by=finance, reason="goodwill", amount="10.00",
                             on=ON)
    client.force_login(finance)
    invoice_page = reverse("billing:invoice", args=[invoice.pk])
    note_page = reverse("billing_documents:credit_note", args=[note.pk])

    assert "on the list to post" in client.get(invoice_page).content.decode()
    assert "not on the list to post yet" in client.get(note_page).content.decode()
    mark_posted(copies=[invoice.postal_copy], by=finance, on=ON)
    assert "posted on 2026-11-23" in client.get(invoice_page).content.decode()
