"""Credits bigger than charges never make a negative invoice (review 2026-12: a termination's
credit wrote a negative draft that broke `invoice_amount_due_not_negative` and the whole chunk):
the credit is a credit note on the invoice that billed the days it takes back."""

from datetime import date
from decimal import Decimal as D

import pytest

from billing.models import BillingRecord, CreditNote, Invoice, InvoiceState
from billing.services.issuing import issue_invoices
from billing.services.planning import unbilled_accounts
from billing.services.runs import create_invoice_run, preview_invoice_run
from contracts.services import terminate_contract
from customers.models import Account
from tests.billing.factories import active_contract
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db
DECEMBER = date(2026, 12, 1)


@pytest.fixture
def run_now(django_capture_on_commit_callbacks, finance):
    def start(as_of):
        with django_capture_on_commit_callbacks(execute=True):
            run = create_invoice_run(by=finance, as_of=as_of)
        run.refresh_from_db()
        return run
    return start


@pytest.fixture
def billed_december(run_now):
    """$100.00 a month billed on the 1st; December billed in advance."""
    account = AccountFactory(bill_day=1)
    contract = active_contract(account=account, start_on=DECEMBER, end_on=date(2027, 11, 30),
                               lines=[{"amount": "100.00"}])
    run_now(DECEMBER)
    return account, contract, Invoice.objects.get(account=account)


def test_a_termination_credit_larger_than_the_charges_is_a_credit_note(
        billed_december, run_now, finance):
    # given December issued
    account, contract, december = billed_december
    issue_invoices(invoices=[december], by=finance, on=DECEMBER)
    # when the contract ends after 10 December and the next run comes
    termination = terminate_contract(contract=contract, by=finance,
                                     effective_on=date(2026, 12, 11), reason="Closed down")
    preview = preview_invoice_run(by=finance, as_of=date(2026, 12, 11))
    run = run_now(date(2026, 12, 11))
    # then no invoice is made, and the 21 days not served are credited on December's invoice
    assert (preview.invoice_count, preview.credit_note_count) == (0, 1)
    assert not run.failures.exists()
    assert Invoice.objects.filter(account=account).count() == 1
    note = CreditNote.objects.get(account=account)
    assert (note.invoice, note.total, note.number is not None) == (december, D("67.74"), True)
    assert termination.credit_amount == note.subtotal  # what the contract page showed
    december.refresh_from_db()
    assert december.amount_due == D("32.26")
    record = BillingRecord.objects.get(credit_note_line__credit_note=note)
    assert (record.kind, record.amount, record.scheduled_charge.kind) == (
        "credit", D("-67.74"), "credit")
    # and a second run bills nothing more
    run_now(date(2026, 12, 12))
    assert CreditNote.objects.filter(account=account).count() == 1
    assert Invoice.objects.filter(account=account).count() == 1


def test_a_credit_waits_while_the_invoice_it_credits_is_a_draft(billed_december, run_now,
                                                               finance):
    account, contract, december = billed_december
    terminate_contract(contract=contract, by=finance, effective_on=date(2026, 12, 11),
                       reason="Closed down")
    run = run_now(date(2026, 12, 11))
    [failure] = run.failures.all()
    assert failure.account == account
    assert f"waits for draft invoice {december.pk}" in failure.reason
    assert not CreditNote.objects.exists()
    assert december.state == InvoiceState.DRAFT
    # and finance's home names the account, with the reason
    count, rows = unbilled_accounts(Account.objects.all(), on=date(2026, 12, 12), limit=10)
    assert count == 1 and rows[0].account == account and "waits for draft" in rows[0].reason
    # when December is issued, the next run credits it
    issue_invoices(invoices=[december], by=finance, on=date(2026, 12, 12))
    run = run_now(date(2026, 12, 12))
    assert not run.failures.exists() and CreditNote.objects.get().total == D("67.74")
    assert unbilled_accounts(Account.objects.all(), on=date(2026, 12, 13), limit=10)[0] == 0


def test_credits_net_against_charges_due_with_them_on_one_invoice(billed_december, run_now,
                                                                 finance):
    # given December billed and a second line starting on the 11th for $300.00 a month
    from contracts.models import ContractLine, ScheduleChange
    from contracts.services.schedules import end_lines, schedule_lines

    account, contract, december = billed_december
    issue_invoices(invoices=[december], by=finance, on=DECEMBER)
    old = contract.lines.select_related("contract", "product").get()
    change = ScheduleChange.objects.create(contract=contract, kind="amendment",
                                           effective_on=date(2026, 12, 11))
    end_lines([old], last_day=date(2026, 12, 10), change=change)
    new = ContractLine.objects.create(
        contract=contract, position=2, product=old.product, quantity=1, billing_period="monthly",
        price_snapshot=old.price_snapshot, amount_per_period=D("300.00"),
        start_on=date(2026, 12, 11), end_on=date(2027, 11, 30), status="active", replaces=old)
    schedule_lines([new], change)
    # when the run comes on the 11th
    run_now(date(2026, 12, 11))
    # then one invoice carries the credit and the new charge, and no credit note is made
    latest = Invoice.objects.filter(account=account).latest("pk")
    assert sorted(latest.lines.values_list("amount", flat=True)) == [D("-67.74"), D("203.23")]
    assert latest.total == D("135.49") and not CreditNote.objects.exists()


def test_a_termination_after_an_upsell_credits_the_new_lines_days_beyond_the_invoices_total(
        run_now, finance):
    """Seed of 2026-12-06 (24 months on PostgreSQL): an annual line billed in advance, upsold
    (the upsell's invoice credits the old line's days and charges the new line's, so its total
    is the difference), then terminated: the new line's days not served are more than that
    invoice's total. Each line is credited what it has left, the excess owed back (as Zuora's
    cancellation credit of a prepaid subscription: the unused amount of each charge)."""
    from tests.billing.test_schedule_properties import ChargeScheduleProperties

    account = AccountFactory(bill_day=1)
    contract = active_contract(account=account, start_on=DECEMBER, end_on=date(2027, 11, 30),
                               lines=[{"amount": "1200.00", "billing_period": "annual"}])
    run_now(DECEMBER)
    issue_invoices(invoices=list(Invoice.objects.filter(account=account)), by=finance,
                   on=DECEMBER)
    upsell_on = date(2027, 3, 1)
    new_line = ChargeScheduleProperties.amend(contract, contract.lines.get(), upsell_on,
                                              D("1.5"), finance)
    run_now(upsell_on)
    upsell = Invoice.objects.get(account=account, state=InvoiceState.DRAFT)
    issue_invoices(invoices=[upsell], by=finance, on=upsell_on)
    upsell.refresh_from_db()
    assert upsell.total < D("1350.00")  # 9 months of the new price less 9 of the old

    # when the contract ends on 1 April and the next run comes
    terminate_contract(contract=contract, by=finance, effective_on=date(2027, 4, 1),
                       reason="Closed down")
    run = run_now(date(2027, 4, 1))

    # then the new line's 8 months not served are credited on the upsell's invoice
    assert list(run.failures.values_list("reason", flat=True)) == []
    note = CreditNote.objects.get(invoice=upsell)
    assert note.total > upsell.total
    credited = -sum(r.amount for r in BillingRecord.objects.filter(
        contract_line=new_line, credit_note_line__isnull=False))
    assert note.subtotal == credited
    upsell.refresh_from_db()
    assert upsell.amount_due == D("0.00")
