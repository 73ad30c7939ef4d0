"""The daily dunning run: for every open invoice, the one step its policy says is due today
(payments.dunning_rules.dunning_step), taken once.

Set-based and chunked: the run is split into chunks of pk-ordered invoice ids that any worker
can take, each in one transaction with a fixed handful of queries (invoices, instalments,
account settings, steps taken: each read by the chunk's pk range or a join, never a list of
ids) and one COPY of the steps taken; the last chunk done completes the run. The unique
(invoice, policy, step) constraint is what makes a step run once, however often the task runs
or however it died half-way: a rerun on the same day, or the next day, finds every step
already taken and does nothing new. Each step taken records its `dunning.escalated` outbox
event (webhooks) in the same transaction, by one COPY.
The actions: late fees and interest issued together (payments.services.late_charges); emails
as one delivery per step written with the steps and sent after commit by one task per chunk
(payments.services.dunning_mail); the overdue flag
through customers' bulk service; charge retries and write-offs one invoice at a time (a
gateway call and a journal each).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Min, QuerySet

from billing.models import DueInstalment, Invoice
from billing.models.invoices import OPEN_STATES
from billing.services import mark_uncollectible
from core import clock
from core.actors import as_actor, require
from core.bulk_rows import insert_tuples, json_column, update_columns
from core.dates import business_date
from core.events import record_events_of
from core.formatting import format_money
from core.outbox import enqueue, enqueue_many
from core.transitions import run_transition
from customers.models import Account
from customers.services.accounts import set_overdue_flags
from payments import dunning_rules as rules
from payments.due_position import position
from payments.models import (
    AccountDunning,
    DunningEvent,
    DunningPolicy,
    DunningPolicyStep,
    DunningRun,
    DunningRunChunk,
    DunningRunState,
    PaymentMethod,
)
from payments.models.dunning import STEP_ACTIONS
from payments.services.billing_pause import pause_by_dunning, resume_cleared
from payments.services.cards import charge_invoice
from payments.services.dunning_mail import EMAIL_ACTIONS, StepMail, queue_dunning_emails
from payments.services.late_charges import (
    Overdue,
    charges_step,
    issue_late_charges,
    outcome_of,
    plan_late_charges,
)

ZERO = Decimal("0")

# Invoices per chunk: each costs a fixed ~50 queries (with its emails' task) and two commits
# (steps, emails) whatever its size, and no query sends a list of its ids; 5,000 ran 10,000
# invoices 10 % faster than 2,000 here, and 10,000 ran 30,000 in 173 queries instead of 323
# (7.5 s against 7.4 to 8.7 s at load 10), in transactions of about a second on PostgreSQL.
CHUNK_SIZE = 10000
STEP_EVENT = "dunning.escalated"  # the webhook event of each step taken (issue 19)
OUTCOMES = {**dict.fromkeys(EMAIL_ACTIONS, "email queued"),
            rules.Action.SUSPEND: "account flagged overdue",
            rules.Action.RETRY_CHARGE: "no saved card to charge"}
PAUSED = "account flagged overdue, billing paused"


@dataclass(frozen=True)
class LoadedPolicy:
    model: DunningPolicy
    rules: rules.DunningPolicy
    steps: dict[str, DunningPolicyStep]


def load_policies() -> tuple[dict[int, LoadedPolicy], int | None]:
    """Every policy with its steps and thresholds (three queries), and the default policy's
    id."""
    loaded, default = {}, None
    for policy in DunningPolicy.objects.prefetch_related("steps", "thresholds"):
        steps = list(policy.steps.all())
        loaded[policy.pk] = LoadedPolicy(policy, rules.DunningPolicy(
            steps=tuple(rules.DunningStep(s.key, s.days, rules.Action(s.action),
                                          s.pauses_billing, s.credits_blocked_days)
                        for s in steps),
            grace_days=policy.grace_days, minimum_overdue=policy.minimum_overdue,
            thresholds=tuple((t.currency, t.minimum) for t in policy.thresholds.all()),
            minimum_days_between=policy.minimum_days_between,
            maximum_attempts=policy.maximum_attempts),
            {s.key: s for s in steps})
        if policy.is_default:
            default = policy.pk
    return loaded, default


def candidate_invoices(day: date):
    """Open invoices that any policy's first step could concern by now."""
    earliest = DunningPolicyStep.objects.aggregate(days=Min("days"))["days"]
    invoices = Invoice.objects.filter(state__in=OPEN_STATES, amount_due__gt=0)
    if earliest is None:
        return invoices.none()
    return invoices.filter(due_on__isnull=False, issue_on__lte=day)


@dataclass(frozen=True)
class Planned:
    invoice_id: int
    account_id: int
    policy: LoadedPolicy
    action: rules.DunningAction
    number: str = ""
    currency: str = ""
    total: Decimal = ZERO
    amount_due: Decimal = ZERO
    schedule: tuple = ()
    due_on: date | None = None
    issue_on: date | None = None


def _schedules(invoices: QuerySet) -> dict[int, list]:
    schedules = defaultdict(list)
    for invoice_id, due_on, amount in DueInstalment.objects.filter(
            invoice__in=invoices).values_list("invoice_id", "due_on", "amount"):
        schedules[invoice_id].append((due_on, amount))
    return schedules


def account_overdue(accounts: QuerySet, day: date) -> dict[tuple[int, str], Decimal]:
    """Each (account, currency)'s whole overdue balance on `day`, over every open invoice of
    the accounts (two reads)."""
    invoices = Invoice.objects.filter(account__in=accounts, state__in=OPEN_STATES,
                                      amount_due__gt=0, due_on__isnull=False, due_on__lte=day)
    schedules = _schedules(invoices)
    totals = defaultdict(lambda: ZERO)
    for pk, account_id, currency, total, amount_due, due_on in invoices.values_list(
            "pk", "account_id", "currency", "total", "amount_due", "due_on"):
        schedule = schedules[pk] or [(due_on, total)]
        totals[(account_id, currency)] += position(total, amount_due, schedule, day).overdue
    return totals


def _plan(bounds: tuple[int, int], day: date, policies, default) -> tuple[list[Planned], int]:
    """Today's step for each candidate invoice with a pk in `bounds` (first, last), and how
    many candidates there were. Five reads (seven when a policy has thresholds), each a range
    or a join (no id lists to send)."""
    candidates = candidate_invoices(day).filter(pk__range=bounds)
    invoices = list(candidates.order_by("pk").values_list(
        "pk", "account_id", "total", "amount_due", "due_on", "currency", "number", "issue_on"))
    in_bounds = {"invoice_id__gte": bounds[0], "invoice_id__lte": bounds[1]}
    schedules = _schedules(candidates)
    accounts = candidates.values("account_id")
    own = {a: (p, paused) for a, p, paused in AccountDunning.objects.filter(
        account_id__in=accounts).values_list("account_id", "policy_id", "paused")}
    taken = defaultdict(list)
    for invoice_id, policy_id, key in DunningEvent.objects.filter(**in_bounds).values_list(
            "invoice_id", "policy_id", "step_key"):
        taken[(invoice_id, policy_id)].append(key)
    last_taken = {(a, c): on for a, c, on in DunningEvent.objects.filter(
        account_id__in=accounts, taken_on__lt=day).values("account_id", "invoice__currency")
        .annotate(on=Max("taken_on")).values_list("account_id", "invoice__currency", "on")}
    balances = account_overdue(Account.objects.filter(pk__in=accounts), day) if any(
        p.rules.thresholds for p in policies.values()) else {}
    planned = []
    for pk, account_id, total, amount_due, due_on, currency, number, issue_on in invoices:
        policy_id, paused = own.get(account_id, (None, False))
        policy = policies.get(policy_id or default)
        if policy is None:
            continue
        schedule = schedules.get(pk) or [(due_on, total)]
        where = position(total, amount_due, schedule, day)
        keys = [k for k in taken.get((pk, policy.model.id), ()) if k in policy.steps]  # in it
        last = max(keys, key=policy.rules.index) if keys else None
        snapshot = rules.DunningSnapshot(
            where.oldest_due_on, where.overdue, last, paused, currency=currency,
            account_overdue=balances.get((account_id, currency), ZERO),
            last_taken_on=last_taken.get((account_id, currency)), attempts=len(keys))
        action = rules.dunning_step(snapshot, policy.rules, day)
        if action.action is not rules.Action.NONE:
            planned.append(Planned(pk, account_id, policy, action, number, currency, total,
                                   amount_due, tuple(schedule), due_on, issue_on))
    return planned, len(invoices)


def _act(plan: Planned, *, by, day: date, cards) -> str:
    """A charge retry or a write-off, one invoice each; the outcome in words."""
    invoice = Invoice(pk=plan.invoice_id)
    if plan.action.action is rules.Action.RETRY_CHARGE:
        card = cards[plan.account_id]
        try:
            payment = charge_invoice(invoice=invoice, method=card, by=by, on=day)
        except ValidationError as error:
            return " ".join(error.messages)[:255]
        return f"charged {card}: {payment.get_state_display().lower()}"
    try:
        with transaction.atomic():
            written = mark_uncollectible(invoice=invoice, by=by, on=day,
                                         note=f"Written off by dunning ({plan.action.reason}).")
    except ValidationError as error:
        return " ".join(error.messages)[:255]
    return f"wrote off {format_money(written.amount_written_off, written.currency)}"


EVENT_FIELDS = ("invoice_id", "account_id", "policy_id", "run_id", "step_key", "action",
                "taken_on", "days_past_due", "reason", "skipped", "outcome", "created_by_id",
                "created_at")


def _insert_events(run: DunningRun, planned: list[Planned], outcomes: list[str], *, user_id,
                   day: date) -> list[int]:
    """One COPY of the steps taken (tuples, no model per event); their ids in order."""
    now, as_json, skipped = clock.now(), json_column(), {}
    for p in planned:  # a few distinct lists (mostly none) encoded once each
        if p.action.skipped not in skipped:
            skipped[p.action.skipped] = as_json(list(p.action.skipped))
    return insert_tuples(DunningEvent, EVENT_FIELDS, [
        (p.invoice_id, p.account_id, p.policy.model.pk, run.pk, p.action.step.key,
         p.action.action.value, day, p.action.days_past_due, p.action.reason[:255],
         skipped[p.action.skipped], outcome, user_id, now)
        for p, outcome in zip(planned, outcomes, strict=True)])


def _take_steps(chunk: DunningRunChunk, *, by) -> int:
    """Take today's step for each candidate invoice of the chunk; how many steps were taken.
    Queries do not grow with the chunk: the plan's reads, one COPY of the events, one of
    their `dunning.escalated` outbox events, one update of the overdue flags, one of the
    outcomes that changed, the emails' reads (their texts, charges, accounts and contacts:
    the steps and invoices are the plan's) and one COPY of their deliveries, one outbox row
    for the chunk's sending; only charge retries and write-offs go one invoice at a time (a
    gateway call or a journal each)."""
    run, day = chunk.run, chunk.run.run_on
    policies, default = load_policies()
    bounds = (chunk.first_invoice_id, chunk.last_invoice_id)
    planned, seen = _plan(bounds, day, policies, default)
    actor = as_actor(by)
    cards = {m.account_id: m for m in PaymentMethod.objects.filter(
        account_id__in=candidate_invoices(day).filter(pk__range=bounds).values("account_id"),
        autopay=True, active=True)} if any(
        p.action.action is rules.Action.RETRY_CHARGE for p in planned) else {}
    acting = [p.action.action is rules.Action.WRITE_OFF
              or (p.action.action is rules.Action.RETRY_CHARGE and p.account_id in cards)
              for p in planned]
    first = ["" if acts else OUTCOMES[p.action.action] for p, acts in zip(
        planned, acting, strict=True)]
    ids = _insert_events(run, planned, first, user_id=actor.user.pk if actor.user else None,
                         day=day)
    record_events_of(STEP_EVENT, DunningEvent, ids)
    outcomes = _charge_late_payment(planned, ids, first, by=by, day=day)
    outcomes = _suspend(planned, outcomes, by=by, day=day)
    for i, (plan, acts) in enumerate(zip(planned, acting, strict=True)):
        if acts:  # a gateway call or a journal each
            outcomes[i] = _act(plan, by=by, day=day, cards=cards)
    update_columns(DunningEvent, [
        DunningEvent(pk=pk, outcome=outcome)
        for pk, outcome, was in zip(ids, outcomes, first, strict=True) if outcome != was],
        ["outcome"])
    DunningRun.objects.filter(pk=run.pk).update(
        invoices_seen=F("invoices_seen") + seen,
        steps_taken=F("steps_taken") + len(ids))
    mails = _mails(planned, ids)
    if queue_dunning_emails(chunk, mails):
        enqueue("payments.tasks.send_dunning_emails_task", mails[0].pk, mails[-1].pk)
    return len(ids)


def _mails(planned: list[Planned], ids: list[int]) -> list[StepMail]:
    """The steps taken that email, as their emails need them (in the order of their ids)."""
    return [StepMail(pk, p.account_id, p.policy.model.pk, p.action.step.key,
                     p.action.action.value, p.action.days_past_due, p.invoice_id, p.number,
                     p.currency, p.due_on, p.issue_on, p.total, p.amount_due)
            for p, pk in zip(planned, ids, strict=True) if p.action.action in EMAIL_ACTIONS]


def _suspend(planned: list[Planned], outcomes: list[str], *, by, day: date) -> list[str]:
    """Flag the suspended accounts overdue and pause the billing of those whose step says so
    (one update each for the chunk); the outcomes, saying which were paused."""
    suspended = {p.account_id for p in planned if p.action.action is rules.Action.SUSPEND}
    if not suspended:
        return outcomes
    set_overdue_flags(account_ids=suspended, overdue=True, by=by, on=day)
    paused = pause_by_dunning(planned, by=by, day=day)
    flagged = OUTCOMES[rules.Action.SUSPEND]
    return [outcome.replace(flagged, PAUSED, 1)
            if p.account_id in paused and rules.suspension_of(p.action).pauses_billing
            else outcome for p, outcome in zip(planned, outcomes, strict=True)]


def _charge_late_payment(planned: list[Planned], ids: list[int], outcomes: list[str], *, by,
                         day: date) -> list[str]:
    """Issue the fees and interest of the steps that charge them (one post_entries for all);
    the events' outcomes, saying so."""
    items = []
    for plan, pk in zip(planned, ids, strict=True):
        step = plan.policy.steps.get(plan.action.step.key)
        if charges_step(step, plan.policy.model):
            items.append(Overdue(pk, plan.invoice_id, plan.number, plan.account_id,
                                 plan.currency, plan.total, plan.amount_due, plan.schedule,
                                 plan.policy.model, step))
    if not items:
        return list(outcomes)
    charges, problems = plan_late_charges(items, day)
    issue_late_charges(charges, by=by, day=day)
    by_event = defaultdict(list)
    for charge in charges:
        by_event[charge.dunning_event_id].append(charge)
    return ["; ".join(filter(None, [outcome, outcome_of(by_event.get(pk, [])),
                                    problems.get(pk, "")]))[:255]
            for pk, outcome in zip(ids, outcomes, strict=True)]


def _complete_if_done(run_id: int, *, by) -> DunningRun:
    run = DunningRun.objects.select_for_update().get(pk=run_id)
    if run.state == DunningRunState.RUNNING and not run.chunks.filter(
            done_at__isnull=True).exists():
        return run_transition(run, "complete", by=by, on=run.run_on, at=clock.now(),
                              note=f"{run.steps_taken} steps over {run.invoices_seen} invoices.")
    return run


@transaction.atomic
def run_dunning_chunk(*, chunk, by) -> DunningRunChunk:
    """Take today's steps for the chunk's invoices (once: a done chunk is left alone), and
    complete the run when it was the last chunk. Lock order: the chunk, then the run."""
    require(by, "payments.run_dunning", "You are not allowed to run dunning.")
    chunk = DunningRunChunk.objects.select_for_update().select_related("run").get(pk=chunk.pk)
    if chunk.done_at is None:
        chunk.steps_taken = _take_steps(chunk, by=by)
        chunk.done_at = clock.now()
        chunk.save(update_fields=["steps_taken", "done_at"])
        DunningRun.beat(chunk.run_id)
    _complete_if_done(chunk.run_id, by=by)
    return chunk


def _chunks(run: DunningRun) -> list[DunningRunChunk]:
    """Split today's candidate invoices into pk ranges of CHUNK_SIZE (one id query)."""
    ids = list(candidate_invoices(run.run_on).order_by("pk").values_list("pk", flat=True))
    return DunningRunChunk.objects.bulk_create([
        DunningRunChunk(run=run, first_invoice_id=ids[i],
                        last_invoice_id=ids[min(i + CHUNK_SIZE, len(ids)) - 1])
        for i in range(0, len(ids), CHUNK_SIZE)])


@transaction.atomic
def run_dunning(*, by, on: date | None = None) -> DunningRun:
    """Start (or resume) today's run: split it into chunks any worker can take, queued after
    commit; the last chunk done completes the run. Running it again the same day queues only
    the chunks not done; a completed run is left alone."""
    require(by, "payments.run_dunning", "You are not allowed to run dunning.")
    day = business_date(on)
    resume_cleared(on=day)  # the accounts paused by dunning that have paid since
    DunningRun.objects.get_or_create(run_on=day)
    run = DunningRun.objects.select_for_update().get(run_on=day)
    if run.state == DunningRunState.FAILED:
        run = run_transition(run, "resume", by=by, on=day)
    if run.state != DunningRunState.RUNNING:
        return run
    if not run.chunks.exists():
        _chunks(run)
    pending = list(run.chunks.filter(done_at__isnull=True).values_list("pk", flat=True))
    if not pending:
        return _complete_if_done(run.pk, by=by)
    if run.is_stalled:
        run = run_transition(run, "resume", by=by, on=day,
                             note="Resumed: unfinished chunks queued again.")
    enqueue_many("payments.tasks.run_dunning_chunk_task", [[pk] for pk in pending])
    return run


def fail_dunning_run(*, run_id: int, by, reason: str) -> DunningRun:
    """A chunk could not be done: the run says so (the next run_dunning resumes it)."""
    with transaction.atomic():
        run = DunningRun.objects.select_for_update().get(pk=run_id)
        if run.state != DunningRunState.RUNNING:
            return run
        return run_transition(run, "fail", by=by, on=run.run_on, at=clock.now(),
                              reason=reason[:1000])


@dataclass(frozen=True)
class PlannedStep:
    invoice: Invoice
    step: str
    action: str
    reason: str


PREVIEW_LIMIT = 200  # steps shown on the dunning page before today's run
PREVIEW_INVOICES = 2000  # open invoices the page plans to find them (about 0.1 s)


def preview_dunning(*, on: date | None = None) -> list[PlannedStep]:
    """What today's run would do for the first open invoices (nothing is written)."""
    day = business_date(on)
    policies, default = load_policies()
    ids = list(candidate_invoices(day).order_by("pk").values_list(
        "pk", flat=True)[:PREVIEW_INVOICES])
    planned = _plan((ids[0], ids[-1]), day, policies, default)[0][:PREVIEW_LIMIT] if ids else []
    invoices = Invoice.objects.select_related("account").in_bulk([p.invoice_id for p in planned])
    labels = dict(STEP_ACTIONS)
    return [PlannedStep(invoices[p.invoice_id], p.action.step.key,
                        labels[p.action.action.value], p.action.reason) for p in planned]
