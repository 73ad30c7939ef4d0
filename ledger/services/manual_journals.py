"""Manual journals: what an accountant posts by hand (accruals, reclassifications,
corrections), with maker-checker above a threshold.

A manual journal never touches the accounts that documents keep (receivables, customer
credits, deferred revenue, unbilled receivable): those tie to their sub-ledgers at close, and
their corrections are the documents' own verbs. Nor is it dated in a closed period: the date
field says so instead of the posting moving it silently.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction

from core.actors import as_actor
from core.transitions import run_transition
from ledger import chart
from ledger.drafts import EntryDraft, LineDraft, entry_errors
from ledger.models import GLAccount, ManualJournal, ManualJournalLine, ManualJournalState
from ledger.selectors import open_period_for
from ledger.services.posting import post_entries

# Accounts whose balance is the sum of documents (tied to a sub-ledger at close).
DOCUMENT_ACCOUNTS = {
    chart.ACCOUNTS_RECEIVABLE: "invoices, credit notes and payments",
    chart.CUSTOMER_CREDITS: "payments and credit notes",
    chart.DEFERRED_REVENUE: "invoices and revenue recognition",
    chart.UNBILLED_RECEIVABLE: "revenue recognition and invoices",
}


def approval_threshold() -> Decimal:
    """MANUAL_JOURNAL_APPROVAL_THRESHOLD, in the functional currency."""
    try:
        return Decimal(str(settings.MANUAL_JOURNAL_APPROVAL_THRESHOLD))
    except InvalidOperation as error:
        raise ImproperlyConfigured("MANUAL_JOURNAL_APPROVAL_THRESHOLD must be a number.") \
            from error


def _errors(document_date: date, memo: str, lines: Sequence[LineDraft]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if document_date is None:
        return {"document_date": ["Give the journal's date."]}
    period = open_period_for(document_date)
    if period.start_on > document_date:
        errors["document_date"] = [
            f"{document_date:%B %Y} is closed: date the journal in an open period "
            f"(the first is {period.start_on:%B %Y})."]
    accounts = dict(GLAccount.objects.values_list("code", "active"))
    draft = EntryDraft(document_date=document_date, memo=memo, lines=lines)
    problems = entry_errors(draft, 1, currency=settings.FUNCTIONAL_CURRENCY, accounts=accounts)
    for line in lines:
        if line.gl_code in DOCUMENT_ACCOUNTS:
            problems.append(f"GL account {line.gl_code} is kept by "
                            f"{DOCUMENT_ACCOUNTS[line.gl_code]}: correct it through them.")
    if problems:
        label = f'Entry 1 "{memo}"' if memo else "Entry 1"
        errors["__all__"] = [problem.replace(label, "The journal") for problem in problems]
    return errors


@transaction.atomic
def prepare_manual_journal(*, document_date: date, memo: str, lines: Sequence[LineDraft],
                           by, on: date | None = None) -> ManualJournal:
    """Record a balanced journal and post it at once when its total is within the approval
    threshold; above it, it waits for a second person (`approve_manual_journal`)."""
    actor = as_actor(by)
    if not actor.has_perm("ledger.add_manualjournal"):
        raise PermissionDenied("You are not allowed to prepare manual journals.")
    memo = (memo or "").strip()
    lines = [line for line in lines if line.debit or line.credit]
    errors = _errors(document_date, memo, lines)
    if errors:
        raise ValidationError(errors)
    total = sum((line.debit for line in lines), Decimal("0"))
    journal = ManualJournal.objects.create(
        document_date=document_date, memo=memo, total=total, prepared_by=actor.user,
        needs_approval=total > approval_threshold())
    accounts = dict(GLAccount.objects.filter(code__in={line.gl_code for line in lines})
                    .values_list("code", "pk"))
    ManualJournalLine.objects.bulk_create([
        ManualJournalLine(journal=journal, position=position, gl_account_id=accounts[line.gl_code],
                          debit=line.debit, credit=line.credit, description=line.description)
        for position, line in enumerate(lines, 1)])
    if not journal.needs_approval:
        _post(journal, "post", actor, on)
    return journal


def _post(journal: ManualJournal, transition: str, actor, on: date | None) -> None:
    run_transition(journal, transition, by=actor, on=on)
    lines = [LineDraft(gl_code=line.gl_account.code, debit=line.debit, credit=line.credit,
                       description=line.description)
             for line in journal.lines.select_related("gl_account")]
    (journal.entry,) = post_entries([EntryDraft(
        document_date=journal.document_date, memo=journal.memo, lines=lines, source=journal,
        source_label=f"Manual journal {journal.reference}")], by=actor, on=on)
    journal.save(update_fields=["entry"])


def _locked_pending(journal: ManualJournal, actor) -> ManualJournal:
    locked = ManualJournal.objects.select_for_update().get(pk=journal.pk)
    if locked.state != ManualJournalState.PENDING_APPROVAL:
        raise ValidationError(f"{locked} is {locked.get_state_display().lower()}.")
    if locked.prepared_by_id == actor.user.pk:
        raise PermissionDenied(f"{locked} was prepared by you: another person approves or "
                               "rejects it.")
    return locked


@transaction.atomic
def approve_manual_journal(*, journal: ManualJournal, by, on: date | None = None) -> ManualJournal:
    """A second person (never the preparer) posts a journal above the threshold."""
    actor = as_actor(by)
    locked = _locked_pending(journal, actor)
    _post(locked, "approve", actor, on)
    return locked


@transaction.atomic
def reject_manual_journal(*, journal: ManualJournal, by, reason: str,
                          on: date | None = None) -> ManualJournal:
    actor = as_actor(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the journal is rejected."]})
    locked = _locked_pending(journal, actor)
    run_transition(locked, "reject", by=actor, note=reason, on=on, reason=reason)
    return locked
