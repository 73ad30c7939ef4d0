"""Billing paused by dunning, resumed, and the blocked days credited.

- Pause: a SUSPEND step whose policy pauses billing (payments.dunning_rules.suspension_of)
  pauses its account from the run's business day, in bulk per dunning chunk
  (customers.services.pause_billings). Invoice runs then leave the account's schedule rows
  unbilled (billing.services.planning.due_charges): nothing is lost, the rows wait.
- Resume: automatically once nothing is overdue in any currency (payments.dunning_rules.
  resumes_billing), checked after every payment applied and at the start of each dunning run,
  which also clears the overdue flag the suspension set; or by finance with a reason.
- Credit: billing's credit notes correct an issued invoice, and the rows held during the pause
  are billed only by the first run after the resume. So the order is: resume; the next run
  bills the held rows; then the blocked days are credited against the invoices that carry them
  (one credit note per invoice, each in its currency, issued together in one batch), as soon as
  every recurring row of the window is on an issued invoice: at once when it already is (a
  pause inside a period billed in advance), else by the daily `credit_blocked_days_task`.
  The amounts are payments.blocked_days' (each contract line's own day-count convention).
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from billing.models import CreditNoteReason
from billing.models.invoices import CREDITABLE_STATES, InvoiceState
from billing.services.credit_notes import NewCreditNote, issue_credit_notes
from catalog.charge_schedule import ChargeKind
from catalog.proration import Convention, DayCount
from contracts.models import ScheduledCharge
from core.actors import Actor, require
from core.dates import business_date
from core.money import round_money
from customers.models import Account, BillingPause, BillingState, PauseSource
from customers.services.accounts import set_overdue_flags
from customers.services.pauses import (
    DunningPause,
    pause_billing,
    pause_billings,
    record_credit,
    resume_billing,
    resume_billings,
)
from payments import dunning_rules as rules
from payments.blocked_days import Charge, blocked_credits

RESUMED_BY_PAYMENT = "The overdue balance is paid."


def pauses_of_steps(planned) -> list[DunningPause]:
    """The billing pauses that the steps taken ask for (the first step of each account)."""
    pauses = {}
    for plan in planned:
        suspension = rules.suspension_of(plan.action)
        if suspension.pauses_billing and plan.account_id not in pauses:
            pauses[plan.account_id] = DunningPause(
                plan.account_id, plan.action.step.key, suspension.credits_blocked_days,
                f"Dunning step {plan.action.step.key} on {plan.number or plan.invoice_id}: "
                f"{plan.action.reason}")
    return list(pauses.values())


def pause_by_dunning(planned, *, by, day: date) -> set[int]:
    """Pause the accounts the steps ask for (three writes for the chunk); the ids paused."""
    pauses = pauses_of_steps(planned)
    return set(pause_billings(pauses=pauses, by=by, on=day)) if pauses else set()


def _overdue_by_account(account_ids, day: date) -> dict[int, dict[str, Decimal]]:
    from payments.services.dunning import account_overdue

    overdue = defaultdict(dict)
    for (account_id, currency), amount in account_overdue(
            Account.objects.filter(pk__in=account_ids), day).items():
        overdue[account_id][currency] = round_money(amount, currency)
    return overdue


@transaction.atomic
def resume_cleared(*, account_ids=None, on: date | None = None, by=None) -> list[BillingPause]:
    """Resume the dunning pauses of the accounts (all paused by dunning when None) that owe
    nothing overdue any more, clear their overdue flag, and credit the windows that can be.
    Set-based: a few reads, then the bulk services."""
    day = business_date(on)
    paused = Account.objects.filter(Exists(BillingPause.objects.filter(
        account=OuterRef("pk"), resumed_on=None, source=PauseSource.DUNNING)),
        billing_state=BillingState.PAUSED)
    if account_ids is not None:
        paused = paused.filter(pk__in=list(account_ids))
    ids = list(paused.values_list("pk", flat=True))
    if not ids:
        return []
    overdue = _overdue_by_account(ids, day)
    cleared = [pk for pk in ids if rules.resumes_billing(overdue.get(pk, {}))]
    if not cleared:
        return []
    by = by or Actor.task("resume_billing")
    closed = resume_billings(account_ids=cleared, by=by, reason=RESUMED_BY_PAYMENT, on=day)
    set_overdue_flags(account_ids=cleared, overdue=False, by=by, on=day)
    credit_blocked_days(pauses=closed, by=by, on=day)
    return closed


@transaction.atomic
def pause_by_hand(*, account, by, reason: str, on: date | None = None,
                  credit_blocked_days: bool = False) -> BillingPause:
    """Finance pauses an account's billing with a reason."""
    return pause_billing(account=account, by=by, reason=reason, on=on,
                         credit_blocked_days=credit_blocked_days)


@transaction.atomic
def resume_by_hand(*, account, by, reason: str, on: date | None = None) -> BillingPause:
    """Finance resumes an account's billing with a reason; the blocked days are credited now
    or once the held rows are invoiced, when the pause's policy says so."""
    pause = resume_billing(account=account, by=by, reason=reason, on=on)
    if pause is not None:
        credit_blocked_days(pauses=[pause], by=by, on=business_date(on))
    return pause


def _window_rows(pause: BillingPause):
    """The recurring rows in force of the account's billing contracts that overlap the window
    (`period_end` is inclusive there)."""
    from billing.services.planning import BILLABLE_CONTRACT_STATES

    return ScheduledCharge.objects.filter(
        line__contract__account_id=pause.account_id, kind=ChargeKind.RECURRING,
        ended_by__isnull=True, line__contract__state__in=BILLABLE_CONTRACT_STATES,
        period_start__lt=pause.resumed_on, period_end__gte=pause.paused_on).order_by(
        "line_id", "period_start", "pk").values(
        "pk", "line_id", "currency", "amount", "period_start", "period_end",
        "line__proration_convention", "billing_record__invoice_id",
        "billing_record__invoice__state", "billing_record__invoice_line_id",
        "billing_record__invoice_line__amount")


def _waiting(rows) -> bool:
    """A row of the window is not on an issued invoice yet (held, or on a draft)."""
    return any(r["billing_record__invoice_line_id"] is None
               or r["billing_record__invoice__state"] == InvoiceState.DRAFT for r in rows)


def _notes(pause: BillingPause, rows) -> tuple[list[NewCreditNote], list[str]]:
    """One credit note per invoice that carries blocked days, each line's net credit and its
    explanation; and the explanations of what could not be credited."""
    by_pk = {r["pk"]: r for r in rows}
    credits = blocked_credits([
        Charge(r["pk"], r["line_id"], r["currency"], r["amount"], r["period_start"],
               r["period_end"] + timedelta(days=1),
               Convention(DayCount(r["line__proration_convention"])))
        for r in rows], paused_on=pause.paused_on, resumed_on=pause.resumed_on)
    per_invoice, skipped = defaultdict(list), []
    for credit in credits:
        row = by_pk[credit.charge_id]
        if row["billing_record__invoice__state"] not in CREDITABLE_STATES:
            skipped.append(f"{credit.explanation} (its invoice is "
                           f"{row['billing_record__invoice__state']})")
            continue
        per_invoice[row["billing_record__invoice_id"]].append((credit, row))
    window = (f"Billing paused {pause.paused_on} to {pause.resumed_on} "
              f"({pause.blocked_days} days)" + (f", dunning step {pause.dunning_step}"
                                                if pause.dunning_step else ""))
    notes = []
    for invoice_id, parts in sorted(per_invoice.items()):
        amounts = {}
        for credit, row in parts:
            billed, line_net = row["amount"], row["billing_record__invoice_line__amount"]
            # the net share of the invoice line (the same unless the price included tax)
            amounts[row["billing_record__invoice_line_id"]] = credit.amount if billed == line_net \
                else round_money(line_net * credit.amount / billed, credit.currency)
        explained = "; ".join(c.explanation for c, _ in parts)
        notes.append(NewCreditNote(invoice_id, CreditNoteReason.SERVICE_ISSUE,
                                   f"{window}: {explained}.", line_amounts=amounts,
                                   days_not_served=True))
    return notes, skipped


@transaction.atomic
def credit_blocked_days(*, pauses, by, on: date | None = None) -> list:
    """Credit the blocked days of closed windows whose policy says so, once every recurring
    row of the window is on an issued invoice (windows still waiting are left for the daily
    task). Returns the credit notes issued."""
    day = business_date(on)
    issued = []
    for pause in pauses:
        if not pause.credit_blocked_days or pause.resumed_on is None or pause.credited_on:
            continue
        rows = list(_window_rows(pause))
        if _waiting(rows):
            continue
        notes, skipped = _notes(pause, rows)
        outcome = "; ".join(skipped)
        if notes:
            require(by, "billing.issue_credit_note", "You are not allowed to issue credit notes.")
            try:
                with transaction.atomic():
                    made = issue_credit_notes(by=by, notes=notes, on=day)
            except ValidationError as error:
                made, outcome = [], "Not credited: " + " ".join(error.messages)
            issued += made
            outcome = "; ".join(filter(None, [", ".join(n.number for n in made), outcome]))
        record_credit(pause=pause, on=day, outcome=outcome or "Nothing to credit.")
    return issued


def pauses_to_credit():
    """Closed windows whose blocked days are still to be credited (the daily task's work)."""
    return BillingPause.objects.filter(~Q(resumed_on=None), credit_blocked_days=True,
                                       credited_on=None).order_by("pk")


def credit_waiting_pauses(*, by, on: date | None = None) -> int:
    """The daily task: credit each window whose held rows are invoiced by now; how many notes."""
    return len(credit_blocked_days(pauses=list(pauses_to_credit()), by=by, on=on))
