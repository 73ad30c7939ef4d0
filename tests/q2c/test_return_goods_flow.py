"""Goods sent back, as finance records them (IFRS 15.B25, IE Example 22 as in
tests/revrec/test_rights_of_return.py: 30 gateways at 249.00, cost 150.00, 1.1 expected back):
one flow settles the refund liability, moves the cost to inventory and credits the invoice line
with reason "goods returned", so the contract's deferred revenue is clear again, or does none of
it."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from billing.models import CreditNote, CreditNoteReason, InvoiceLine
from ledger import chart
from ledger.models import JournalEntry
from q2c.flows import return_goods_flow
from revrec.models import GoodsReturn
from revrec.services.returns import estimate_returns
from tests.revrec.test_partial_delivery import DEC, run_month
from tests.revrec.test_rights_of_return import balances, delivered  # noqa: F401  a fixture

pytestmark = pytest.mark.django_db
RETURNED_ON = date(2027, 1, 20)


@pytest.fixture
def recognized(delivered, accountant, time_machine,  # noqa: F811
               django_capture_on_commit_callbacks):
    rc, gateways = delivered
    estimate_returns(obligation=gateways, method="expected_value",
                     scenarios=[("0", "0.2"), ("1", "0.5"), ("2", "0.3")], units_sold=D(30),
                     unit_cost=D("150.00"), reason="Returns of gateways over two years",
                     by=accountant, on=date(2026, 12, 31))
    run_month(DEC, accountant, django_capture_on_commit_callbacks, time_machine)
    return InvoiceLine.objects.get(contract_line=gateways.contract_line)


def test_a_gateway_sent_back_is_settled_and_credited_in_one_step(recognized, finance):
    back = return_goods_flow(invoice_line=recognized, quantity="1", by=finance, on=RETURNED_ON)

    note = back.credit_note
    assert (note.reason, note.invoice_id, note.subtotal) == (
        CreditNoteReason.RETURNED_GOODS, recognized.invoice_id, D("249.00"))
    books = balances(RETURNED_ON)
    assert books.get(chart.DEFERRED_REVENUE, D(0)) == 0  # settled, then credited
    assert books[chart.INVENTORY] == D("150.00")
    assert books[chart.REFUND_LIABILITY] == D("-24.90")  # 0.1 still expected back


def test_a_return_that_cannot_be_credited_leaves_nothing_behind(recognized, accountant,
                                                                finance):
    entries = JournalEntry.objects.count()
    # the accountant may settle returns but not issue credit notes: the settlement is undone
    with pytest.raises(PermissionDenied, match="credit notes"):
        return_goods_flow(invoice_line=recognized, quantity="1", by=accountant, on=RETURNED_ON)
    with pytest.raises(ValidationError, match="units expected back remain"):
        return_goods_flow(invoice_line=recognized, quantity="2", by=finance, on=RETURNED_ON)
    assert (GoodsReturn.objects.count(), CreditNote.objects.count(),
            JournalEntry.objects.count()) == (0, 0, entries)


def test_finance_records_the_return_from_the_invoice_page(client, recognized, finance,
                                                          time_machine):
    time_machine.move_to(RETURNED_ON)
    client.force_login(finance)
    invoice_page = client.get(reverse("billing:invoice", args=[recognized.invoice_id]))
    form_url = reverse("return_goods", args=[recognized.pk])
    assert form_url in invoice_page.content.decode()

    refused = client.post(form_url, {"quantity": "2", "on": "2027-01-20"})
    assert refused.status_code == 400
    assert "units expected back remain" in refused.content.decode()

    response = client.post(form_url, {"quantity": "1", "on": "2027-01-20"}, follow=True)
    note = CreditNote.objects.get()
    assert response.redirect_chain[-1][0] == reverse("billing_documents:credit_note",
                                                     args=[note.pk])
    assert f"credit note {note.number} is issued" in response.content.decode()


def test_the_accountant_sees_no_return_link_and_is_refused_the_form(client, recognized,
                                                                    accountant):
    client.force_login(accountant)
    form_url = reverse("return_goods", args=[recognized.pk])
    page = client.get(reverse("billing:invoice", args=[recognized.invoice_id]))
    assert page.status_code == 200 and form_url not in page.content.decode()
    assert client.post(form_url, {"quantity": "1", "on": "2027-01-20"}).status_code == 403
    assert not GoodsReturn.objects.exists()
