"""The invoice page's buttons follow the invoice's state machine (django-fsm's transitions the
user may take now: state, conditions, permission), not a copied list of states; the credit
note service asks the same transition."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from billing.services.credit_notes import issue_credit_note
from billing.services.issuing import issue_invoice, void_invoice
from tests.billing.test_views import draft, login
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db

BUTTONS = {"issue": "billing:issue", "void": "billing:void",
           "credit": "billing_documents:credit_note_create"}


def buttons(client, user, invoice) -> set[str]:
    login(client, user)
    page = client.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    return {name for name, url in BUTTONS.items()
            if reverse(url, args=[invoice.pk]) in page}


def test_a_draft_offers_issue_to_finance_and_nothing_to_a_role_without_the_permission(
        client, role_users, finance):
    invoice = draft(AccountFactory(owner=role_users["sales_rep"]), finance)
    assert buttons(client, finance, invoice) == {"issue"}
    for role in ("sales_rep", "sales_manager", "accountant"):
        assert buttons(client, role_users[role], invoice) == set()


def test_an_issued_invoice_offers_void_and_credit_only_to_finance(client, role_users, finance):
    invoice = issue_invoice(invoice=draft(AccountFactory(owner=role_users["sales_rep"]),
                                          finance), by=finance)
    assert buttons(client, finance, invoice) == {"void", "credit"}
    for role in ("sales_rep", "sales_manager", "accountant"):
        assert buttons(client, role_users[role], invoice) == set()


def test_void_is_gone_once_something_is_credited_as_its_condition_says(client, finance):
    invoice = issue_invoice(invoice=draft(AccountFactory(), finance), by=finance)
    issue_credit_note(invoice=invoice, by=finance, reason="goodwill", amount=D("1.00"))
    invoice.refresh_from_db()
    assert buttons(client, finance, invoice) == {"credit"}


def test_a_void_invoice_offers_nothing_and_cannot_be_credited(client, finance):
    invoice = issue_invoice(invoice=draft(AccountFactory(), finance), by=finance)
    invoice = void_invoice(invoice=invoice, by=finance, reason="Duplicate")
    assert buttons(client, finance, invoice) == set()
    with pytest.raises(ValidationError, match="is void: only an issued, partially paid or "
                                              "paid invoice can be credited"):
        issue_credit_note(invoice=invoice, by=finance, reason="goodwill", amount=D("1.00"))
    response = client.get(reverse("billing_documents:credit_note_create", args=[invoice.pk]))
    assert response.status_code == 302


def test_a_draft_cannot_be_credited_and_its_credit_page_sends_back(client, finance):
    invoice = draft(AccountFactory(), finance)
    login(client, finance)
    response = client.get(reverse("billing_documents:credit_note_create", args=[invoice.pk]))
    assert response.url == reverse("billing:invoice", args=[invoice.pk])


def test_resume_follows_the_runs_transitions_and_permission(
        client, finance, accountant, django_capture_on_commit_callbacks):
    from billing.models import InvoiceRun
    from tests.billing.test_run_faults import started
    from tests.billing.test_runs import customer

    customer()
    run = started(finance, django_capture_on_commit_callbacks)  # running, chunks not delivered
    url = reverse("billing:run", args=[run.pk])
    login(client, finance)
    assert "Resume the run" in client.get(url).content.decode()
    login(client, accountant)  # may read the run, may not start one
    assert "Resume the run" not in client.get(url).content.decode()
    InvoiceRun.objects.filter(pk=run.pk).update(state="completed")
    login(client, finance)
    assert "Resume the run" not in client.get(url).content.decode()
