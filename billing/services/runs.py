"""Invoice runs: a run is split into chunks of accounts (by id range) that any worker takes;
each chunk bills its accounts in one transaction and records each account's failure without
stopping. Running a run again, or resuming one that died half-way, bills nothing twice: done
chunks are skipped, and the unique constraints on billing records and on (run, account,
currency) stop anything written twice.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from billing.models import InvoiceRun, InvoiceRunChunk, InvoiceRunFailure, RunState
from billing.selectors import run_for_update
from billing.services.planning import (
    BILLABLE_CONTRACT_STATES,
    ChargeKind,
    PlannedInvoice,
    plan_charges,
)
from billing.services.run_credits import credit_notes_for_negative_drafts
from billing.services.run_drafts import taxed, write_drafts
from billing.services.taxing import TaxBook, places_of
from contracts.models import Contract
from core import clock
from core.actors import as_actor, require
from core.bulk_rows import among
from core.dates import business_date
from core.locks import lock_scope
from core.outbox import enqueue_many
from core.transitions import run_transition
from customers.models import Account

# Accounts per chunk task. A chunk costs about a dozen queries whatever its size (read lines,
# billing records, usage, places, tax rates; one bulk insert each of invoices, lines, records,
# taxes) and holds its transaction for roughly a second per 1,000 accounts on PostgreSQL here;
# smaller chunks spread a run over more workers, larger ones save the per-chunk cost.
ACCOUNTS_PER_CHUNK = 1000
# Accounts a preview reads at a time (memory only, nothing written).
PREVIEW_BATCH = 2000


def _enqueue(task: str, ids: Iterable[int]) -> None:
    enqueue_many(task, [[pk] for pk in ids])


def accounts_to_bill(*, currency: str = "", bill_day: int | None = None,
                     account_ids: Iterable[int] = ()) -> QuerySet[Account]:
    """Accounts with a contract that bills, narrowed by the run's filters."""
    contracts = Contract.objects.filter(account=OuterRef("pk"),
                                        state__in=BILLABLE_CONTRACT_STATES)
    if currency:
        contracts = contracts.filter(currency=currency.upper())
    accounts = Account.objects.filter(Exists(contracts))
    if bill_day:
        accounts = accounts.filter(bill_day=bill_day)
    account_ids = list(account_ids)
    if account_ids:
        accounts = accounts.filter(pk__in=account_ids)
    return accounts.order_by("pk")


def _run_accounts(run: InvoiceRun) -> QuerySet[Account]:
    return accounts_to_bill(currency=run.currency, bill_day=run.bill_day,
                            account_ids=run.accounts.values_list("pk", flat=True))


def _checked_filters(currency: str, bill_day: int | None) -> str:
    currency = (currency or "").upper()
    if currency and currency not in settings.CURRENCIES:
        raise ValidationError({"currency": f"{currency} is not one of the currencies in use."})
    if bill_day is not None and not 1 <= bill_day <= 28:
        raise ValidationError({"bill_day": "The bill day is between 1 and 28."})
    return currency


def _overlapping_run(currency: str, bill_day: int | None, account_ids: set[int]):
    """An unfinished run whose accounts may be some of these: same or any currency, same or any
    bill day, and a common account (or either run for all accounts)."""
    for run in (InvoiceRun.objects.filter(state__in=InvoiceRun.LIVE_STATES)
                .prefetch_related("accounts").order_by("pk")):
        if run.currency and currency and run.currency != currency:
            continue
        if run.bill_day and bill_day and run.bill_day != bill_day:
            continue
        theirs = {a.pk for a in run.accounts.all()}
        if theirs and account_ids and not theirs & account_ids:
            continue
        return run
    return None


@transaction.atomic
def create_invoice_run(*, by, as_of: date, currency: str = "", bill_day: int | None = None,
                       accounts: Iterable = (), chunk_size: int | None = None) -> InvoiceRun:
    """A pending run with its filters; the run task is queued once this commits. Refused while
    an unfinished run may bill the same accounts (creations are serialized by a lock, so two
    at once cannot both pass)."""
    actor = require(by, "billing.start_invoice_run", "You are not allowed to start invoice runs.")
    currency = _checked_filters(currency, bill_day)
    if chunk_size is not None and chunk_size < 1:
        raise ValidationError({"chunk_size": "A chunk holds at least one account."})
    accounts = list(accounts)
    lock_scope("billing.invoice_run")
    other = _overlapping_run(currency, bill_day, {getattr(a, "pk", a) for a in accounts})
    if other is not None:
        raise ValidationError(
            f"Invoice run {other.pk} is still {other.get_state_display().lower()} for some of "
            "the same accounts; wait for it to finish (or resume it) before starting another.")
    run = InvoiceRun.objects.create(as_of=as_of, currency=currency, bill_day=bill_day,
                                    created_by=actor.user,
                                    chunk_size=chunk_size or ACCOUNTS_PER_CHUNK)
    run.accounts.set(accounts)
    _enqueue("billing.tasks.run_invoice_run_task", [run.pk])
    return run


def _chunks(run: InvoiceRun) -> list[InvoiceRunChunk]:
    ids = list(_run_accounts(run).values_list("pk", flat=True))
    size = run.chunk_size
    return [InvoiceRunChunk(run=run, sequence=number, first_account_id=part[0],
                            last_account_id=part[-1], account_count=len(part))
            for number, part in enumerate(
                (ids[i:i + size] for i in range(0, len(ids), size)), start=1)]


@transaction.atomic
def run_invoice_run(*, run, by) -> InvoiceRun:
    """Start a pending run (split it in chunks), or resume a running or failed one: queue every
    chunk not done yet. A completed run is left as it is."""
    require(by, "billing.start_invoice_run", "You are not allowed to run invoice runs.")
    run = run_for_update(run.pk)
    now = clock.now()
    if run.state == RunState.COMPLETED:
        return run
    if run.state == RunState.PENDING:
        chunks = InvoiceRunChunk.objects.bulk_create(_chunks(run))
        run = run_transition(run, "start", by=by, on=run.as_of, at=now,
                             chunk_count=len(chunks),
                             account_count=sum(c.account_count for c in chunks))
    else:
        run = run_transition(run, "resume", by=by, on=run.as_of,
                             note="Resumed: unfinished chunks queued again.")
    todo = list(run.chunks.filter(finished_at__isnull=True).values_list("pk", flat=True))
    if not todo:
        return run_transition(run, "complete", by=by, on=run.as_of, at=now)
    _enqueue("billing.tasks.run_invoice_chunk_task", todo)
    return run


def _record_failures(run: InvoiceRun, account_ids: list[int], failures: dict[int, str]) -> None:
    """Keep the latest reason per failing account; clear accounts that went through."""
    InvoiceRunFailure.objects.filter(among("account_id", account_ids), run=run).exclude(
        account_id__in=list(failures)).delete()
    InvoiceRunFailure.objects.bulk_create(
        [InvoiceRunFailure(run=run, account_id=pk, reason=reason)
         for pk, reason in failures.items()],
        update_conflicts=True, unique_fields=["run", "account"], update_fields=["reason"])


@transaction.atomic
def _bill_chunk(chunk_id: int, by) -> InvoiceRunChunk | None:
    # `of=self`: the chunk's row alone. A plain FOR UPDATE over the join locked the run's row
    # too, until the chunk committed, so two workers drafted one chunk at a time (issue 23).
    chunk = (InvoiceRunChunk.objects.select_for_update(of=("self",)).select_related("run")
             .get(pk=chunk_id))
    run = chunk.run
    if chunk.finished_at is not None or run.state != RunState.RUNNING:
        return None
    account_ids = list(_run_accounts(run).filter(
        pk__range=(chunk.first_account_id, chunk.last_account_id)).values_list("pk", flat=True))
    plan = plan_charges(account_ids, as_of=run.as_of, currency=run.currency, lock=True)
    settled = credit_notes_for_negative_drafts(plan.invoices, on=run.as_of, by=by)
    written = write_drafts(settled.drafts, on=run.as_of, run=run, by=as_actor(by).user)
    failures = {**plan.failures, **settled.failures, **written.failures}
    _record_failures(run, account_ids, failures)
    chunk.invoice_count, chunk.failure_count = len(written.invoice_ids), len(failures)
    chunk.finished_at = clock.now()
    chunk.save(update_fields=["invoice_count", "failure_count", "finished_at"])
    return chunk


def run_invoice_chunk(*, chunk, by) -> InvoiceRunChunk:
    """Bill the chunk's accounts (once: a finished chunk, or one of a run no longer running, is
    skipped), then complete the run if it was the last chunk."""
    require(by, "billing.start_invoice_run", "You are not allowed to run invoice runs.")
    chunk_id = chunk if isinstance(chunk, int) else chunk.pk
    _bill_chunk(chunk_id, by)
    chunk = InvoiceRunChunk.objects.get(pk=chunk_id)
    # after the chunk's commit: the run's row is never held while a chunk drafts
    InvoiceRun.beat(chunk.run_id)
    complete_run_if_done(run=chunk.run, by=by)
    return chunk


@transaction.atomic
def complete_run_if_done(*, run, by) -> InvoiceRun:
    if run.chunks.filter(finished_at__isnull=True).exists():
        return run  # not the last chunk: the run's row is not locked at all
    run = run_for_update(run.pk)
    if run.state == RunState.RUNNING and not run.chunks.filter(finished_at__isnull=True).exists():
        run = run_transition(run, "complete", by=by, on=run.as_of, at=clock.now())
    return run


@transaction.atomic
def fail_invoice_run(*, run, by, reason: str) -> InvoiceRun:
    """Stop a run that cannot go on (a chunk raised); it can be resumed once fixed."""
    require(by, "billing.start_invoice_run", "You are not allowed to fail invoice runs.")
    run = run_for_update(run.pk)
    if run.state not in (RunState.PENDING, RunState.RUNNING):
        return run
    return run_transition(run, "fail", by=by, on=run.as_of, note=reason[:500],
                          at=clock.now(), reason=reason)


@dataclass
class PreviewRow:
    account: Account
    currency: str
    line_count: int
    subtotal: Decimal
    tax: Decimal
    total: Decimal


@dataclass
class Preview:
    rows: list[PreviewRow] = field(default_factory=list)
    account_count: int = 0
    invoice_count: int = 0
    credit_note_count: int = 0  # accounts whose credits exceed their charges (one note each
    # invoice they credit; counted here per account)
    totals: dict[str, Decimal] = field(default_factory=dict)
    failures: dict[int, str] = field(default_factory=dict)
    shown_limit: int = 0


def preview_invoice_run(*, by, as_of: date | None = None, currency: str = "",
                        bill_day: int | None = None, accounts: Iterable = (),
                        limit: int = 200) -> Preview:
    """What a run with these filters would bill, per account and currency, writing nothing."""
    require(by, "billing.start_invoice_run", "You are not allowed to preview invoice runs.")
    currency = _checked_filters(currency, bill_day)
    as_of = business_date(as_of)
    ids = list(accounts_to_bill(currency=currency, bill_day=bill_day,
                                account_ids=[getattr(a, "pk", a) for a in accounts])
               .values_list("pk", flat=True))
    preview = Preview(account_count=len(ids), shown_limit=limit)
    book = TaxBook()
    for start in range(0, len(ids), PREVIEW_BATCH):
        part = ids[start:start + PREVIEW_BATCH]
        plan = plan_charges(part, as_of=as_of, currency=currency)
        preview.failures.update(plan.failures)
        places = places_of(part)
        shown = {a.pk: a for a in Account.objects.filter(
            pk__in=[d.account_id for d in plan.invoices[:max(limit - len(preview.rows), 0)]])}
        for draft in plan.invoices:
            if draft.subtotal < 0:  # its credits become credit notes; its charges a draft
                preview.credit_note_count += 1
                draft = PlannedInvoice(draft.account_id, draft.currency,
                                       [ln for ln in draft.lines if ln.kind != ChargeKind.CREDIT])
                if not draft.lines:
                    continue
            try:
                document = taxed(draft, places[draft.account_id], as_of, book)
            except (ValueError, ArithmeticError) as error:  # as the run records it
                preview.failures[draft.account_id] = f"Tax: {error}"
                continue
            preview.invoice_count += 1
            preview.totals[draft.currency] = preview.totals.get(draft.currency, Decimal(0)) \
                + document.total
            if draft.account_id in shown and len(preview.rows) < limit:
                preview.rows.append(PreviewRow(shown[draft.account_id], draft.currency,
                                               len(draft.lines), document.subtotal,
                                               document.tax, document.total))
    return preview
