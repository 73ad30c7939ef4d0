"""Billing paused by dunning (a policy on the suspend step) and by finance, the held rows, the
resume (by payment and by hand) and the blocked days credited.

As Zuora's "Suspend subscriptions" (no invoices for the suspended subscription, bills again
from the resume date, https://knowledgecenter.zuora.com/Zuora_Billing/Subscriptions/
Subscriptions/Suspend_a_Subscription) and Chargebee's "Pause Subscription" (paused "when there
are issues with the payment"; Chargebee "does not automatically provide credits for the unused
billing period" — here a policy of the step, https://www.chargebee.com/docs/pause-subscription.html).
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from billing.models import CreditNote, Invoice, InvoiceState
from billing.services.issuing import issue_invoices
from billing.services.planning import due_rows
from billing.services.runs import create_invoice_run
from core.actors import Actor
from core.models import TransitionLog
from customers.models import Account, BillingPause, BillingState
from payments.models import DunningEvent, DunningPolicyStep
from payments.services import Application, record_payment, run_dunning
from payments.services.billing_pause import (
    credit_waiting_pauses,
    pause_by_hand,
    resume_by_hand,
)
from tests.billing.factories import active_contract
from tests.payments.factories import account, issued_invoice

pytestmark = pytest.mark.django_db
ISSUED = date(2026, 10, 1)  # net 30: due 2026-10-31; the default policy suspends at day 45
SUSPEND_DAY = date(2026, 12, 15)


def system():
    return Actor.task("run_dunning")


def dun(day: date):
    """The run on that day, its chunks taken once the run commits."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        return run_dunning(by=system(), on=day)


@pytest.fixture
def pausing_policy():
    """The default policy's suspend step pauses billing and credits the blocked days."""
    DunningPolicyStep.objects.filter(key="suspend").update(pauses_billing=True,
                                                           credits_blocked_days=True)


@pytest.fixture
def run_now(django_capture_on_commit_callbacks, finance):
    def start(as_of):
        with django_capture_on_commit_callbacks(execute=True):
            run = create_invoice_run(by=finance, as_of=as_of)
        run.refresh_from_db()
        return run
    return start


def billed_account(**fields):
    """An account billed $100.00 a month on the 1st from 1 December 2026."""
    owner = account(bill_day=1, **fields)
    active_contract(account=owner, start_on=date(2026, 12, 1), end_on=date(2027, 11, 30),
                    lines=[{"amount": "100.00"}])
    return owner


def history(account_) -> list[str]:
    return list(TransitionLog.objects.filter(
        content_type__model="account", object_id=account_.pk,
        transition__in=["pause_billing", "resume_billing"]).order_by("pk").values_list(
        "transition", flat=True))


def test_a_suspend_step_that_pauses_billing_pauses_the_account_from_that_day(pausing_policy):
    # given an invoice 45 days late, and another account's that is not
    late = issued_invoice(on=ISSUED)
    on_time = issued_invoice(on=date(2026, 12, 1))
    # when
    dun(SUSPEND_DAY)
    # then the late account's billing is paused from the run's day, with its history
    owner = Account.objects.get(pk=late.account_id)
    assert owner.billing_state == BillingState.PAUSED and owner.is_overdue
    pause = BillingPause.objects.get(account=owner)
    assert (pause.paused_on, pause.resumed_on, pause.dunning_step, pause.credit_blocked_days) \
        == (SUSPEND_DAY, None, "suspend", True)
    assert history(owner) == ["pause_billing"]
    assert DunningEvent.objects.get(invoice=late).outcome == \
        "account flagged overdue, billing paused"
    assert Account.objects.get(pk=on_time.account_id).billing_state == BillingState.BILLING
    # a rerun pauses nothing twice
    dun(SUSPEND_DAY)
    assert BillingPause.objects.count() == 1 and history(owner) == ["pause_billing"]


def test_a_suspend_step_without_the_policy_only_flags_the_account():
    late = issued_invoice(on=ISSUED)
    dun(SUSPEND_DAY)
    owner = Account.objects.get(pk=late.account_id)
    assert owner.is_overdue and owner.billing_state == BillingState.BILLING
    assert not BillingPause.objects.exists()


def test_held_rows_are_not_billed_while_paused_and_billed_after_resume(
        pausing_policy, run_now, finance):
    # given a billed account whose October invoice is late (December billed before the
    # suspension), and another billed account
    owner, other = billed_account(), billed_account()
    issued_invoice(account_=owner, on=ISSUED)
    run_now(date(2026, 12, 1))
    dun(date(2026, 11, 30))  # not yet suspended
    dun(SUSPEND_DAY)
    # when January's run comes
    assert due_rows([owner.pk], as_of=date(2027, 1, 1)).count() == 0
    run_now(date(2027, 1, 1))
    # then only the other account is billed for January; the paused one's rows wait
    january = date(2027, 1, 1)
    assert Invoice.objects.filter(account=other, lines__period_start=january).exists()
    assert not Invoice.objects.filter(account=owner, lines__period_start=january).exists()
    # when finance resumes on 10 January, the next run bills the held January row
    resume_by_hand(account=owner, by=finance, reason="Customer promised to pay",
                   on=date(2027, 1, 10))
    assert due_rows([owner.pk], as_of=date(2027, 1, 10)).count() == 1
    run_now(date(2027, 1, 10))
    assert Invoice.objects.filter(account=owner, lines__period_start=january).count() == 1


def test_paying_the_overdue_balance_resumes_billing_and_clears_the_flag(pausing_policy, finance):
    # given an account paused by dunning
    late = issued_invoice(on=ISSUED)
    dun(SUSPEND_DAY)
    owner = Account.objects.get(pk=late.account_id)
    # when it pays what is overdue
    record_payment(account=owner, method="check", amount=D("100.00"), currency="USD",
                   received_on=date(2026, 12, 20), by=finance,
                   applications=[Application(late.pk, D("100.00"))])
    # then its billing resumes that day and its overdue flag is cleared
    owner.refresh_from_db()
    assert owner.billing_state == BillingState.BILLING and not owner.is_overdue
    pause = BillingPause.objects.get(account=owner)
    assert (pause.resumed_on, pause.resume_reason) == (date(2026, 12, 20),
                                                       "The overdue balance is paid.")
    assert history(owner) == ["pause_billing", "resume_billing"]


def test_a_part_payment_keeps_billing_paused(pausing_policy, finance):
    late = issued_invoice(on=ISSUED)
    dun(SUSPEND_DAY)
    record_payment(account=late.account, method="check", amount=D("40.00"), currency="USD",
                   received_on=date(2026, 12, 20), by=finance,
                   applications=[Application(late.pk, D("40.00"))])
    assert Account.objects.get(pk=late.account_id).billing_state == BillingState.PAUSED


def test_a_finance_pause_is_not_resumed_by_a_payment(finance):
    invoice = issued_invoice(on=ISSUED)
    pause_by_hand(account=invoice.account, by=finance, reason="Customer asked for a break",
                  on=date(2026, 12, 1))
    record_payment(account=invoice.account, method="check", amount=D("100.00"),
                   currency="USD", received_on=date(2026, 12, 2), by=finance,
                   applications=[Application(invoice.pk, D("100.00"))])
    assert Account.objects.get(pk=invoice.account_id).billing_state == BillingState.PAUSED


def test_the_blocked_days_are_credited_to_the_cent_on_the_invoices_that_carry_them(
        run_now, finance):
    # given $100.00 a month billed on the 1st, December issued, paused on 20 December with
    # the blocked days credited, resumed on 5 February
    owner = billed_account()
    run_now(date(2026, 12, 1))
    december = Invoice.objects.get(account=owner)
    issue_invoices(invoices=[december], by=finance, on=date(2026, 12, 1))
    pause_by_hand(account=owner, by=finance, reason="Service blocked", on=date(2026, 12, 20),
                  credit_blocked_days=True)
    run_now(date(2027, 1, 1))  # January held
    assert Invoice.objects.filter(account=owner).count() == 1
    resume_by_hand(account=owner, by=finance, reason="Unblocked", on=date(2027, 2, 5))
    # then nothing is credited before the held rows are invoiced
    assert not CreditNote.objects.exists()
    assert BillingPause.objects.get(account=owner).credited_on is None
    # when the next run bills January and February, and finance issues it
    run_now(date(2027, 2, 5))
    held = Invoice.objects.get(account=owner, state=InvoiceState.DRAFT)
    assert held.subtotal == D("200.00")
    issue_invoices(invoices=[held], by=finance, on=date(2027, 2, 5))
    credit_waiting_pauses(by=Actor.task("credit_blocked_days"), on=date(2027, 2, 6))
    # then December's 12 of 31 days, January's 31 and February's 4 of 28 are credited
    notes = {n.invoice_id: n for n in CreditNote.objects.filter(account=owner)}
    assert notes[december.pk].subtotal == D("38.71")  # 12/31 × 100 = 38.709…
    assert notes[held.pk].subtotal == D("114.29")  # 100.00 + 4/28 × 100 = 14.285… → 14.29
    assert "12 of 31 days blocked × $100.00 = $38.71" in notes[december.pk].reason_note
    assert "4 of 28 days blocked × $100.00 = $14.29" in notes[held.pk].reason_note
    assert notes[held.pk].reason_note.startswith("Billing paused 2026-12-20 to 2027-02-05")
    pause = BillingPause.objects.get(account=owner)
    assert pause.credited_on == date(2027, 2, 6)
    # and running the task again credits nothing twice
    credit_waiting_pauses(by=Actor.task("credit_blocked_days"), on=date(2027, 2, 7))
    assert CreditNote.objects.filter(account=owner).count() == 2


def test_a_pause_inside_a_billed_period_is_credited_at_resume(run_now, finance):
    owner = billed_account()
    run_now(date(2026, 12, 1))
    issue_invoices(invoices=[Invoice.objects.get(account=owner)], by=finance,
                   on=date(2026, 12, 1))
    pause_by_hand(account=owner, by=finance, reason="Service blocked", on=date(2026, 12, 10),
                  credit_blocked_days=True)
    resume_by_hand(account=owner, by=finance, reason="Unblocked", on=date(2026, 12, 22))
    note = CreditNote.objects.get(account=owner)
    assert note.subtotal == D("38.71")  # 12 of 31 days
    assert "12 of 31 days blocked" in note.reason_note


def test_without_the_credit_policy_nothing_is_credited(run_now, finance):
    owner = billed_account()
    run_now(date(2026, 12, 1))
    issue_invoices(invoices=[Invoice.objects.get(account=owner)], by=finance,
                   on=date(2026, 12, 1))
    pause_by_hand(account=owner, by=finance, reason="Break", on=date(2026, 12, 10))
    resume_by_hand(account=owner, by=finance, reason="Back", on=date(2026, 12, 22))
    assert not CreditNote.objects.exists()


def test_a_sales_rep_can_neither_pause_nor_resume(sales_rep, finance):
    owner = account(owner=sales_rep)
    with pytest.raises(PermissionDenied, match="not allowed to pause billing"):
        pause_by_hand(account=owner, by=sales_rep, reason="Late", on=date(2026, 12, 1))
    pause_by_hand(account=owner, by=finance, reason="Late", on=date(2026, 12, 1))
    with pytest.raises(PermissionDenied, match="not allowed to resume billing"):
        resume_by_hand(account=owner, by=sales_rep, reason="Paid", on=date(2026, 12, 2))
    assert Account.objects.get(pk=owner.pk).billing_state == BillingState.PAUSED


def test_bad_input_is_refused_at_the_field(finance):
    owner = account()
    with pytest.raises(ValidationError) as error:
        pause_by_hand(account=owner, by=finance, reason="  ", on=date(2026, 12, 1))
    assert error.value.message_dict == {"reason": ["Say why."]}
    with pytest.raises(ValidationError, match="not paused"):
        resume_by_hand(account=owner, by=finance, reason="Paid", on=date(2026, 12, 2))
    pause_by_hand(account=owner, by=finance, reason="Late", on=date(2026, 12, 10))
    with pytest.raises(ValidationError, match="already paused"):
        pause_by_hand(account=owner, by=finance, reason="Late", on=date(2026, 12, 11))
    with pytest.raises(ValidationError, match="before it was paused"):
        resume_by_hand(account=owner, by=finance, reason="Paid", on=date(2026, 12, 9))


def test_a_dunning_chunk_pauses_its_accounts_in_the_same_queries_however_many(pausing_policy):
    # given 2 late accounts in one chunk and 6 in another of the same run (a third chunk,
    # never taken, keeps the run open so neither completes it)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from payments.models import DunningRun, DunningRunChunk
    from payments.services.dunning import run_dunning_chunk

    warm = [issued_invoice(on=ISSUED)]  # the first chunk fills the caches (content types)
    few = [issued_invoice(on=ISSUED) for _ in range(2)]
    many = [issued_invoice(on=ISSUED) for _ in range(6)]
    run = DunningRun.objects.create(run_on=SUSPEND_DAY)
    chunks = [DunningRunChunk.objects.create(run=run, first_invoice_id=group[0].pk,
                                             last_invoice_id=group[-1].pk)
              for group in (warm, few, many)]
    DunningRunChunk.objects.create(run=run, first_invoice_id=10 ** 9, last_invoice_id=10 ** 9)
    by = system()
    # when
    counted = []
    for chunk in chunks:
        with CaptureQueriesContext(connection) as queries:
            run_dunning_chunk(chunk=chunk, by=by)
        counted.append(len(queries))
    # then every account is paused, at the same cost for 2 as for 6
    assert BillingPause.objects.count() == 9
    assert counted[1] == counted[2]


def test_a_step_that_does_not_suspend_cannot_pause_billing_in_admin():
    # the admin's inline form runs the model's clean: the rule's message at its field
    from payments.models import DunningPolicy

    policy = DunningPolicy.objects.create(name="Pausing")
    step = DunningPolicyStep(policy=policy, key="late", days=99, action="remind",
                             pauses_billing=True, credits_blocked_days=True)
    with pytest.raises(ValidationError) as error:
        step.full_clean()
    assert error.value.message_dict == {
        "pauses_billing": ["Only a suspend step can pause billing."]}
    step.action = "suspend"
    step.full_clean()
