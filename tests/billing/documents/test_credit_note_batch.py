"""Credit notes in bulk (`issue_credit_notes`, the path of the API and imports): the same maths,
numbers and entries as one at a time, every bad request named, nothing written when one is bad.

Amounts: seats 100.00 + 20% VAT and support 50.00 + 5% VAT (172.50), credited as HMRC VAT
Notice 700 section 18.2 has a credit note reduce the output tax of the original supply."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import CreditNote, CreditNoteReason, InvoiceState
from billing.services.credit_notes import NewCreditNote, issue_credit_notes
from core.transitions import history_for
from ledger.models import JournalEntry
from tests.billing.documents.conftest import ON, gb_account, issue

pytestmark = pytest.mark.django_db


def balanced(entry_id) -> bool:
    entry = JournalEntry.objects.get(pk=entry_id)
    return entry.total_debit == entry.total_credit > 0


def test_a_batch_credits_each_invoice_as_one_at_a_time_does(finance, vat):
    # given three issued invoices of 172.50
    first, second, third = (issue(finance, gb_account()) for _ in range(3))
    seats = second.lines.order_by("position").first()
    # when one batch credits the first whole, 40.00 of the second's seats, 23.00 of the third
    notes = issue_credit_notes(by=finance, on=ON, notes=[
        NewCreditNote(first, CreditNoteReason.BILLING_ERROR, whole=True),
        NewCreditNote(second.pk, CreditNoteReason.SERVICE_ISSUE,
                      line_amounts={seats.pk: D("40.00")}),
        NewCreditNote(third, CreditNoteReason.SERVICE_ISSUE, amount=D("23.00"))])
    # then each is numbered in order, balanced, and reduces its invoice's amount due
    assert [n.number for n in notes] == [f"CN-{ON.year}-00000{k}" for k in (1, 2, 3)]
    assert [(n.subtotal, n.tax_total, n.total) for n in notes] == [
        (D("150.00"), D("22.50"), D("172.50")), (D("40.00"), D("8.00"), D("48.00")),
        (D("20.00"), D("3.00"), D("23.00"))]  # 23.00 split 16.00 : 7.00 by gross left
    assert all(n.state == "issued" and balanced(n.journal_entry_id) for n in notes)
    for invoice in (first, second, third):
        invoice.refresh_from_db()
    assert [(i.state, i.amount_due) for i in (first, second, third)] == [
        (InvoiceState.PAID, D("0.00")), (InvoiceState.ISSUED, D("124.50")),
        (InvoiceState.ISSUED, D("149.50"))]


def test_every_bad_request_is_named_and_nothing_is_written(finance, vat):
    good, other = issue(finance, gb_account()), issue(finance, gb_account())
    with pytest.raises(ValidationError) as refused:
        issue_credit_notes(by=finance, on=ON, notes=[
            NewCreditNote(good, CreditNoteReason.BILLING_ERROR, whole=True),
            NewCreditNote(other, "bogus", whole=True),
            NewCreditNote(other, CreditNoteReason.SERVICE_ISSUE, amount=D("500.00")),
            NewCreditNote(10 ** 9, CreditNoteReason.BILLING_ERROR, whole=True)])
    assert refused.value.messages == [
        f"Credit note 2 ({other}): Choose a reason.",
        f"Credit note 3 ({other}): {other} is credited twice in this batch: credit it once, "
        "with both amounts.",
        f"Credit note 4 ({10 ** 9}): There is no invoice {10 ** 9}."]
    assert not CreditNote.objects.exists()
    good.refresh_from_db()
    assert good.amount_due == D("172.50")


def test_the_queries_do_not_grow_with_the_number_of_credit_notes(finance, vat):
    """Issue 23: a batch reads and writes in set-based statements. Each batch credits half its
    invoices whole (they become paid) and half by 23.00 (they stay issued), so both kinds of
    settlement are counted."""
    invoices = [issue(finance, gb_account()) for _ in range(13)]
    issue_credit_notes(by=finance, on=ON, notes=[  # the year's series exists from here on
        NewCreditNote(invoices[0], CreditNoteReason.BILLING_ERROR, whole=True)])

    def queries(some):
        with CaptureQueriesContext(connection) as captured:
            issue_credit_notes(by=finance, on=ON, notes=[
                NewCreditNote(invoice, CreditNoteReason.BILLING_ERROR, whole=True) if n % 2
                else NewCreditNote(invoice, CreditNoteReason.BILLING_ERROR, amount=D("23.00"))
                for n, invoice in enumerate(some)])
        return len(captured)

    assert queries(invoices[1:3]) == queries(invoices[3:13])


def test_a_batch_records_each_note_and_each_settled_invoice_in_history(finance, vat):
    # given two issued invoices of 172.50
    first, second = issue(finance, gb_account()), issue(finance, gb_account())
    # when one batch credits the first whole and 23.00 of the second
    notes = issue_credit_notes(by=finance, on=ON, notes=[
        NewCreditNote(first, CreditNoteReason.BILLING_ERROR, whole=True),
        NewCreditNote(second, CreditNoteReason.SERVICE_ISSUE, amount=D("23.00"))])
    # then each note's issue is recorded with its reason and what it credited, and the first
    # invoice's payment names its credit note; the second keeps its state, so no new step
    assert [[(h.transition, h.target, h.note) for h in history_for(n)] for n in notes] == [
        [("issue", "issued", "Billing error: $172.50 credited.")],
        [("issue", "issued", "Service issue: $23.00 credited.")]]
    assert [(h.transition, h.note) for h in history_for(first)][-1] == (
        "pay", f"Credit note {notes[0].number}: $172.50.")
    assert [h.transition for h in history_for(second)][-1] == "issue"
