"""Invoices, credit notes and usage over the API, through billing's services."""

from decimal import Decimal as D

import pytest

from billing.models import CreditNote, InvoiceState
from billing.services.drafts import add_manual_charge, create_manual_invoice
from tests.api.conftest import errors_of
from tests.billing.documents.conftest import ON, gb_account, issue
from tests.catalog.factories import TaxCategoryFactory, TaxRateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def vat(db):
    reduced = TaxCategoryFactory(code="reduced", name="Reduced")
    TaxRateFactory(name="VAT", country="GB", percent=D(20))
    TaxRateFactory(name="VAT", country="GB", percent=D(5), category=reduced)


@pytest.fixture
def issued(finance, vat, sales_rep):
    """Seats 100.00 + VAT 20.00, support 50.00 + VAT 2.50: total 172.50, owned by rep A."""
    return issue(finance, gb_account(owner=sales_rep))


@pytest.fixture
def draft(finance, vat, sales_rep):
    invoice = create_manual_invoice(account=gb_account(owner=sales_rep), by=finance)
    add_manual_charge(invoice=invoice, by=finance, description="Seats", quantity=D(2),
                      unit_price=D("50.00"), on=ON)
    return invoice


def test_an_invoice_reads_with_its_lines_and_tax_totals(client_for, issued, sales_rep):
    body = client_for(sales_rep).get(f"/api/v1/invoices/{issued.pk}/").json()
    assert (body["number"], body["state"], body["total"]) == (issued.number, "issued",
                                                              "172.5000")
    assert [line["description"] for line in body["lines"]] == ["Seats", "Support"]
    assert sorted(D(t["tax_amount"]) for t in body["taxes"]) == [D("2.50"), D("20.00")]


def test_another_reps_invoice_is_not_found_and_not_listed(client_for, issued, other_rep):
    client = client_for(other_rep)
    assert client.get(f"/api/v1/invoices/{issued.pk}/").status_code == 404
    assert client.get("/api/v1/invoices/").json()["results"] == []


def test_finance_issues_a_draft_through_the_service(client_for, draft, finance):
    response = client_for(finance).post_json(f"/api/v1/invoices/{draft.pk}/issue/")
    assert response.status_code == 200, response.json()
    draft.refresh_from_db()
    assert draft.state == InvoiceState.ISSUED and draft.number.startswith("INV-")
    assert draft.journal_entry_id and response.json()["journal_entry"] == draft.journal_entry_id


@pytest.mark.parametrize("role", ["sales_rep", "sales_manager", "accountant"])
def test_only_finance_issues_and_voids(client_for, draft, issued, role_users, role):
    client = client_for(role_users[role])
    assert client.post_json(f"/api/v1/invoices/{draft.pk}/issue/").status_code == 403
    voided = client.post_json(f"/api/v1/invoices/{issued.pk}/void/", {"reason": "typo"})
    assert voided.status_code == 403
    draft.refresh_from_db()
    issued.refresh_from_db()
    assert (draft.state, issued.state) == (InvoiceState.DRAFT, InvoiceState.ISSUED)


def test_void_needs_a_reason_and_reverses_the_entry(client_for, issued, finance):
    client = client_for(finance)
    missing = client.post_json(f"/api/v1/invoices/{issued.pk}/void/", {"reason": " "})
    assert missing.status_code == 400
    assert errors_of(missing) == {"reason": ["Say why the invoice is void."]}
    done = client.post_json(f"/api/v1/invoices/{issued.pk}/void/", {"reason": "Duplicate"})
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["void_reason"]) == ("void", "Duplicate")
    assert done.json()["void_entry"] is not None


def test_issuing_an_issued_invoice_is_a_4xx_not_a_crash(client_for, issued, finance):
    response = client_for(finance).post_json(f"/api/v1/invoices/{issued.pk}/issue/")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_credit_note_is_issued_against_the_invoice(client_for, issued, finance):
    response = client_for(finance).post_json(f"/api/v1/invoices/{issued.pk}/credit-notes/",
                                             {"reason": "goodwill", "amount": "17.25"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["invoice"], body["state"], D(body["total"])) == (issued.pk, "issued",
                                                                  D("17.25"))
    assert D(body["subtotal"]) + D(body["tax_total"]) == D("17.25")
    issued.refresh_from_db()
    assert issued.amount_due == D("155.25")


def test_a_credit_note_for_other_reasons_needs_a_note(client_for, issued, finance):
    response = client_for(finance).post_json(f"/api/v1/invoices/{issued.pk}/credit-notes/",
                                             {"reason": "other", "whole": True})
    assert response.status_code == 400
    assert list(errors_of(response)) == ["reason_note"]
    assert not CreditNote.objects.exists()


def test_a_sales_rep_cannot_credit_but_reads_the_credit_note(client_for, issued, finance,
                                                              sales_rep):
    refused = client_for(sales_rep).post_json(f"/api/v1/invoices/{issued.pk}/credit-notes/",
                                              {"reason": "goodwill", "whole": True})
    assert refused.status_code == 403
    note = client_for(finance).post_json(f"/api/v1/invoices/{issued.pk}/credit-notes/",
                                         {"reason": "goodwill", "whole": True}).json()
    listed = client_for(sales_rep).get("/api/v1/credit-notes/").json()["results"]
    assert [row["id"] for row in listed] == [note["id"]]


@pytest.mark.real_pdf
def test_the_invoice_pdf_is_the_kept_document(client_for, issued, sales_rep):
    response = client_for(sales_rep).get(f"/api/v1/invoices/{issued.pk}/pdf/",
                                         HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    issued.refresh_from_db()
    assert response["X-Content-SHA256"] == issued.pdf_sha256 != ""


def test_a_draft_has_no_pdf(client_for, draft, finance):
    response = client_for(finance).get(f"/api/v1/invoices/{draft.pk}/pdf/")
    assert response.status_code == 409
    assert "draft" in response.json()["detail"]


def test_the_invoice_list_costs_the_same_queries_for_one_or_many(
        client_for, finance, vat, sales_rep, django_assert_num_queries):
    client = client_for(finance)
    issue(finance, gb_account(owner=sales_rep))
    client.get("/api/v1/invoices/")
    with django_assert_num_queries(6):  # key, permissions (2), invoices, lines, taxes
        client.get("/api/v1/invoices/")
    for _ in range(4):
        issue(finance, gb_account(owner=sales_rep))
    with django_assert_num_queries(6):
        assert len(client.get("/api/v1/invoices/").json()["results"]) == 5
