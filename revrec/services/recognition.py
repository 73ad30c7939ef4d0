"""Recognition runs: one month's revenue posted from the schedules, in chunks any worker takes.

`start_recognition_run` creates (or resumes) the month's run, picks up new and amended contracts,
expires the material rights lapsed by the month's end (`revrec.services.rights`), and queues
one chunk task per id range of revenue contracts. Each chunk is one transaction: it
recognizes every schedule line of its revenue contracts up to the month not recognized yet,
posts the revenue by product family with the contract asset reclass (one entry per revenue
contract and month), the changes of return estimates not posted yet
(`revrec.services.returns`) and the interest of financing components due
(`revrec.services.financing`) through `ledger.services.post_entries`, and records one item per
revenue contract and month (unique), so
a chunk that runs twice, or a run that died half-way and is started again, posts nothing twice.
"""

import gc
from collections import defaultdict
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum

from billing.models import CreditNoteLine, CreditNoteState, InvoiceLine
from core import clock
from core.actors import as_actor
from core.bulk_rows import insert_tuples
from core.dates import business_date, month_start
from core.money import round_money
from core.outbox import enqueue_many
from core.transitions import run_transition
from ledger import services as ledger
from ledger.models import AccountingPeriod, PeriodState
from ledger.period_rules import month_end
from ledger.services import SourceRef
from revrec import postings
from revrec.models import (
    InterestLine,
    ObligationStatus,
    Pattern,
    PerformanceObligation,
    RecognitionChunk,
    RecognitionItem,
    RecognitionRun,
    RecognizedRevenue,
    RecognizedTotal,
    ReturnEstimate,
    RevenueContract,
    RunState,
    ScheduleLine,
)
from revrec.release import Position, release
from revrec.selectors import BILLED_STATES, Billed, billed_to_date
from revrec.services.contracts import create_revenue_contracts
from revrec.services.financing import interest_drafts
from revrec.services.returns import return_drafts
from revrec.services.rights import expire_material_rights
from revrec.services.royalties import minimum_lines
from revrec.services.schedule_rows import delivery_lines

ZERO = Decimal(0)
NOTHING_BILLED, NOTHING_RECOGNIZED = Billed(), Position()  # shared: most contracts have none
RUN_PERMISSION = "revrec.run_recognition"
# Revenue contracts per chunk task: a chunk costs about 30 queries whatever its size plus COPY
# inserts of one journal entry, its lines and one item per contract (about 0.5 s per
# 1,000 contracts on PostgreSQL); bigger chunks spend less on those fixed queries but hold their
# contracts' row locks longer.
CHUNK_SIZE = 2000


def _check(by):
    actor = as_actor(by)
    if not actor.has_perm(RUN_PERMISSION):
        raise PermissionDenied("You are not allowed to run revenue recognition.")
    return actor


def _period_open(month: date) -> None:
    state = AccountingPeriod.objects.filter(start_on=month).values_list("state", flat=True).first()
    if state not in (None, PeriodState.OPEN):
        raise ValidationError({"month": f"{month:%B %Y} is {state} in the ledger; reopen it "
                                        "before recognizing revenue in it."})


def unrecognized(month: date, *, within: tuple[int, int] | None = None):
    """Revenue contracts with service started by the month's end and no item for the month:
    what a run still has to do, and what the close checklist asks about; `within`, those of an
    id range, which each subquery names too: else PostgreSQL joins the chunk's contracts to
    every started obligation (a scan of the table, 50 ms a chunk at 100,000 contracts)."""
    done = RecognitionItem.objects.filter(revenue_contract=OuterRef("pk"), month=month)
    started = PerformanceObligation.objects.filter(revenue_contract=OuterRef("pk"),
                                                   service_start__lte=month_end(month))
    if within is not None:
        done = done.filter(revenue_contract__pk__range=within)
        started = started.filter(revenue_contract__pk__range=within)
    contracts = RevenueContract.objects.filter(Exists(started), ~Exists(done))
    return contracts if within is None else contracts.filter(pk__range=within)


def _new_chunks(run: RecognitionRun) -> list[RecognitionChunk]:
    """Chunks over the revenue contracts still to recognize for the run's month, numbered after
    the run's earlier chunks (one id query, one insert)."""
    ids = list(unrecognized(run.month).order_by("pk").values_list("pk", flat=True))
    after = run.chunks.aggregate(last=Max("sequence"))["last"] or 0
    return RecognitionChunk.objects.bulk_create([
        RecognitionChunk(run=run, sequence=after + n, first_id=ids[i],
                         last_id=ids[min(i + CHUNK_SIZE, len(ids)) - 1])
        for n, i in enumerate(range(0, len(ids), CHUNK_SIZE), start=1)])


def _count(run: RecognitionRun) -> RecognitionRun:
    """Progress from the chunk rows, never from a counter a redelivery could move twice."""
    totals = run.chunks.aggregate(total=Count("pk"), done=Count("pk", filter=Q(
        finished_at__isnull=False)), contracts=Sum("contracts_done"))
    run.chunks_total, run.chunks_done = totals["total"], totals["done"]
    run.contracts_done = totals["contracts"] or 0
    return run


def _queue_unfinished(run: RecognitionRun, *, by, on: date | None = None) -> RecognitionRun:
    """Queue every unfinished chunk, or, with none, chunks for what is left to recognize;
    complete the run when there is nothing to queue. The run is locked by the caller."""
    todo = list(run.chunks.filter(finished_at__isnull=True).values_list("pk", flat=True))
    if not todo:
        todo = [chunk.pk for chunk in _new_chunks(run)]
    run = _count(run)
    run.contracts_total = run.contracts_done + unrecognized(run.month).count()
    run.save(update_fields=["chunks_total", "chunks_done", "contracts_done", "contracts_total"])
    if not todo:
        return run_transition(run, "complete", by=by, on=on, at=clock.now(),
                              note=f"{run.contracts_done} revenue contracts recognized"
                              if run.contracts_done else "Nothing to recognize")
    enqueue_many("revrec.tasks.run_recognition_chunk_task", [[pk] for pk in todo])
    return run


@transaction.atomic
def start_recognition_run(*, month: date, by, on: date | None = None) -> RecognitionRun:
    """Start the run for `month` and queue its chunks, or resume it: a failed or stalled run
    queues its unfinished chunks again, a completed one only if revenue contracts are still to
    recognize (else it is returned as it is). Safe while earlier messages are still in flight:
    a chunk finishes once. Refused for a month closed in the ledger or before a later run."""
    actor = _check(by)
    month = month_start(month)
    today = business_date(on)
    if today < month_end(month):
        raise ValidationError({"month": f"{month:%B %Y} can be recognized from its last day "
                                        f"({month_end(month):%Y-%m-%d}) on."})
    _period_open(month)
    if RecognitionRun.objects.filter(month__gt=month).exists():
        raise ValidationError({"month": "A later month has a run already; runs go in order."})
    run, _ = RecognitionRun.objects.get_or_create(month=month,
                                                  defaults={"started_by": actor.user})
    run = RecognitionRun.objects.select_for_update().get(pk=run.pk)
    if run.state != RunState.RUNNING:
        # rights lapsed by the month's end earn what is left of them in it (B46-B47); not
        # while chunks may be in flight: they lock revenue contracts before the run
        expire_material_rights(through=month_end(month), by=actor, on=today)
    if run.state in (RunState.PENDING, RunState.FAILED):
        create_revenue_contracts(by=actor, on=today)
        run = run_transition(run, "start", by=actor, on=today)
    elif run.state == RunState.RUNNING or unrecognized(month).exists():
        note = ("Resumed: unfinished chunks queued again." if run.state == RunState.RUNNING
                else "Resumed: revenue contracts left to recognize.")
        run = run_transition(run, "resume", by=actor, on=today, note=note)
    else:
        return run
    return _queue_unfinished(run, by=actor, on=today)


# One chunk ---------------------------------------------------------------------------------

def _usage_lines(revenue_contract_ids, month: date) -> list[ScheduleLine]:
    """As-billed obligations: the month's usage invoiced less credited, as a schedule line
    (those with a guaranteed minimum: `royalties.minimum_lines`)."""
    end = month_end(month)
    usage = PerformanceObligation.objects.filter(revenue_contract_id__in=revenue_contract_ids,
                                                 pattern=Pattern.AS_BILLED,
                                                 guaranteed_minimum__isnull=True)
    usage = usage.exclude(Exists(ScheduleLine.objects.filter(obligation=OuterRef("pk"),
                                                             month=month)))
    by_line = dict(usage.order_by().values_list("contract_line_id", "pk"))
    if not by_line:
        return []
    amounts: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line_id, amount in InvoiceLine.objects.filter(
            contract_line_id__in=by_line, invoice__state__in=BILLED_STATES,
            invoice__issue_on__range=(month, end)).order_by().values_list(
            "contract_line_id", "amount"):
        amounts[line_id] += amount
    for line_id, amount in CreditNoteLine.objects.filter(
            invoice_line__contract_line_id__in=by_line, credit_note__state=CreditNoteState.ISSUED,
            credit_note__issue_on__range=(month, end)).order_by().values_list(
            "invoice_line__contract_line_id", "amount"):
        amounts[line_id] -= amount
    return [ScheduleLine(obligation_id=by_line[line_id], month=month, start_on=month,
                         end_on=month, amount=amount)
            for line_id, amount in amounts.items() if amount]


def _previous_positions(id_range: tuple[int, int], month: date) -> dict[int, Position]:
    """Each revenue contract's position after its latest month before `month`, for the
    revenue contracts in the id range (one query). On PostgreSQL only that latest row comes
    back (DISTINCT ON), not every earlier month's: for a chunk of 2,000 contracts with 24
    months recognized, 0.08 s instead of 0.20 s, 4 ms of the process's CPU instead of 53."""
    items = (RecognitionItem.objects.filter(revenue_contract__pk__range=id_range,
                                            month__lt=month)
             .order_by("revenue_contract_id", "-month"))
    if connection.features.can_distinct_on_fields:
        items = items.distinct("revenue_contract_id")
    positions = {}
    for rc_id, recognized, functional, asset in items.values_list(
            "revenue_contract_id", "recognized_to_date", "recognized_to_date_functional",
            "contract_asset"):
        if rc_id not in positions:
            positions[rc_id] = Position(recognized, functional, asset)
    return positions


def _in_chunk(chunk: RecognitionChunk):
    """The chunk's revenue contracts still to recognize for its run's month."""
    return unrecognized(chunk.run.month, within=(chunk.first_id, chunk.last_id))


class Contract(NamedTuple):
    """What a chunk reads of a revenue contract (no model instance: a chunk holds thousands)."""

    pk: int
    currency: str
    account_id: int
    number: str
    country: str


ITEM_FIELDS = ("run_id", "revenue_contract_id", "month", "recognized", "recognized_functional",
               "fx_difference", "recognized_to_date", "recognized_to_date_functional",
               "billed_to_date", "billed_to_date_functional", "contract_asset", "entry_id")
REVENUE_FIELDS = ("item_id", "family", "amount", "amount_functional")
TOTALS = ("recognized_functional", "fx_difference", "revenue_functional",
          "refund_functional", "financing_functional")  # the run's


class _Chunk:
    """One chunk's work over its locked revenue contracts. The schedule reads name them by a
    subquery (`ids`: the chunk's range, not recognized yet) rather than a list of 2,000 ids
    (2,000 query parameters, which Django and the driver prepare one by one); the reads of
    earlier items and invoices by the list, which keeps their plans on the indexes."""

    def __init__(self, run: RecognitionRun, chunk: RecognitionChunk,
                 revenue_contracts: list[Contract]):
        self.run, self.month, self.end = run, run.month, month_end(run.month)
        self.contracts = revenue_contracts
        self.ids = _in_chunk(chunk).values("pk")
        self.range = (chunk.first_id, chunk.last_id)

    def _open_lines(self):
        # the range too, so the planner starts from the chunk's obligations (by index) rather
        # than from every open line of the month (0.3 s a chunk at 100,000 contracts)
        return ScheduleLine.objects.filter(obligation__revenue_contract_id__in=self.ids,
                                           obligation__revenue_contract__pk__range=self.range,
                                           run__isnull=True, month__lte=self.month).order_by()

    def _patterns(self) -> set[str]:
        """Which of the patterns whose lines only a run writes the chunk's range holds (open
        goods, usage): one query by the range's index. Most chunks hold neither, and then the
        three reads that name the chunk's contracts are not sent (at 100,000 contracts, 36 ms
        a chunk for nothing, the planner working out the chunk's contracts first)."""
        return set(PerformanceObligation.objects.filter(
            Q(pattern=Pattern.POINT_IN_TIME, status=ObligationStatus.OPEN)
            | Q(pattern=Pattern.AS_BILLED), revenue_contract__pk__range=self.range)
            .order_by().values_list("pattern", flat=True).distinct())

    def schedule(self):
        """Write the lines only now known (fulfilment, usage billed), then read what to
        recognize per revenue contract and family."""
        patterns = self._patterns()
        known = delivery_lines(self.ids, through=self.end) \
            if Pattern.POINT_IN_TIME in patterns else []
        if Pattern.AS_BILLED in patterns:
            known += _usage_lines(self.ids, self.month)
        ScheduleLine.objects.bulk_create(known, ignore_conflicts=True)
        if Pattern.AS_BILLED in patterns:
            minimum_lines(self.ids, self.month)
        # the currency and country are the locked contracts' (no join to their table)
        rows = self._open_lines().values_list(
            "obligation__revenue_contract_id", "obligation__family", "obligation__pattern"
        ).annotate(total=Sum("amount"))
        contract = {rc.pk: rc for rc in self.contracts}
        # plain dicts of str and Decimal: the garbage collector does not track them
        self.amounts: dict[int, dict[str, Decimal]] = {}
        self.kinds: dict[tuple[str, str, str, str], Decimal] = defaultdict(lambda: ZERO)
        for rc_id, family, pattern, amount in rows:
            rc = contract[rc_id]
            amount = round_money(amount, rc.currency)  # SQLite sums in floating point
            families = self.amounts.setdefault(rc_id, {})
            families[family] = families.get(family, ZERO) + amount
            self.kinds[family, pattern, rc.currency, rc.country] += amount

    def post(self, actor) -> tuple[Decimal, ...]:
        """Release each contract's month (revrec.release), post its entries, and record one
        item per contract and one revenue row per family, written from tuples; their totals
        (`TOTALS`, functional)."""
        functional = settings.FUNCTIONAL_CURRENCY
        # by the chunk's id range: through the chunk's subquery the planner may scan every
        # earlier item per chunk (40 s a chunk at 100,000 contracts and ten months); a list of
        # 2,000 ids costs Django and the driver more than the query (a parameter each). The
        # range may hold contracts recognized already: their rows are read and not used.
        in_range = RevenueContract.objects.filter(pk__range=self.range).values("pk")
        billed = billed_to_date(in_range, through=self.end)
        before = _previous_positions(self.range, self.month)
        currencies = {rc.currency for rc in self.contracts}
        rates = ledger.rate_book(currencies, up_to=self.end)
        rate_of = {currency: rates.rate_on(currency, self.end)
                   for currency in currencies}
        source_type = ContentType.objects.get_for_model(RevenueContract).pk
        month = f"{self.month:%Y-%m}"
        drafts, items, made, revenue = [], [], [], []
        for rc in self.contracts:
            families = self.amounts.get(rc.pk, {})
            recognized = sum(families.values(), ZERO)
            bill = billed.get(rc.pk, NOTHING_BILLED)
            rate = rate_of[rc.currency]
            result = release(before.get(rc.pk, NOTHING_RECOGNIZED), recognized=recognized,
                             billed=bill.amount, billed_functional=bill.functional, rate=rate,
                             currency=rc.currency, functional_currency=functional)
            split = (postings.split_by_family(result.revenue, families, functional, rate=rate)
                     if families else [])
            label = f"{rc.number} {month}"
            source = SourceRef(source_type, rc.pk)
            entry = postings.revenue_entry(families=split, month_end=self.end, label=label,
                                           source=source, customer_account_id=rc.account_id,
                                           currency=rc.currency, fx=result.fx,
                                           reclass=result.reclass)
            items.append((self.run.pk, rc.pk, self.month, recognized, result.revenue, result.fx,
                          result.after.recognized, result.after.recognized_functional,
                          bill.amount, bill.functional, result.after.contract_asset))
            made.append(entry is not None)
            # its revenue rows, held to the chunk's end as tuples of plain values, which the
            # garbage collector stops tracking (its full passes took 2.2 of the 7.1 s of CPU of
            # a 100k run in the bench)
            revenue.append(tuple((f.family, f.amount, f.functional) for f in split))
            if entry is not None:
                drafts.append(entry)
        books = {"rate_of": rate_of, "functional": functional, "month_end": self.end,
                 "source_of": lambda rc: SourceRef(source_type, rc.pk),
                 "label_of": lambda rc: f"{rc.number} {month}"}
        returns, interest = self._with_returns_or_interest()
        settled = return_drafts(returns, self.run, **books) if returns else []
        accrued = interest_drafts(interest, self.run, **books) if interest else []
        posted = iter(ledger.post_entry_ids(
            drafts + [p.draft for p in (*settled, *accrued) if p.draft is not None], by=actor))
        totals = (sum((item[4] for item in items), ZERO), sum((item[5] for item in items), ZERO),
                  sum((converted for rows in revenue for _, _, converted in rows), ZERO),
                  sum((p.refund for p in settled), ZERO),
                  sum((p.financing for p in accrued), ZERO))
        items = [(*item, next(posted) if entry else None)  # the entry's id, the last column
                 for item, entry in zip(items, made, strict=True)]
        self._settle(settled, posted)
        self._accrue(accrued, posted)
        item_ids = insert_tuples(RecognitionItem, ITEM_FIELDS, items)
        insert_tuples(RecognizedRevenue, REVENUE_FIELDS, [
            (item_id, *row) for item_id, rows in zip(item_ids, revenue, strict=True)
            for row in rows])
        # the lines read above: their contracts are locked, and now recognized by this run
        # (the month's only one). Named by their obligations, so the UPDATE reads the lines
        # once, not joined to themselves; the items by the range too, else PostgreSQL reads
        # every item of the month for each chunk (together 80 ms a chunk at 100,000 contracts)
        id_range = (self.contracts[0].pk, self.contracts[-1].pk)
        recognized = PerformanceObligation.objects.filter(
            Exists(RecognitionItem.objects.filter(
                month=self.month, revenue_contract__pk__range=id_range,
                revenue_contract_id=OuterRef("revenue_contract_id"))),
            revenue_contract__pk__range=id_range)
        ScheduleLine.objects.filter(obligation__in=recognized.values("pk"), run__isnull=True,
                                    month__lte=self.month).update(run=self.run)
        return totals


    def _with_returns_or_interest(self) -> tuple[list[Contract], list[Contract]]:
        """The chunk's contracts that may have return estimates to post, and those that may
        have interest due (supersets of what `return_drafts` and `interest_drafts` select),
        each read from its own table by the chunk's range: most chunks have none, and those
        two then send no query naming 2,000 ids (a tenth of a second a chunk)."""
        returns = set(ReturnEstimate.objects.filter(
            posted_in__isnull=True, obligation__revenue_contract__pk__range=self.range)
            .order_by().values_list("obligation__revenue_contract_id", flat=True))
        interest = set(InterestLine.objects.filter(
            run__isnull=True, month__lte=self.month,
            component__obligation__revenue_contract__pk__range=self.range)
            .order_by().values_list("component__obligation__revenue_contract_id", flat=True))
        return ([rc for rc in self.contracts if rc.pk in returns],
                [rc for rc in self.contracts if rc.pk in interest])

    def _settle(self, settled, posted) -> None:
        """Mark the return estimates posted (their entries follow the items' in `posted`)."""
        estimates = []
        for posting in settled:
            entry_id = next(posted) if posting.draft is not None else None
            for estimate in posting.estimates:
                estimate.posted_in, estimate.entry_id = self.run, entry_id
                estimates.append(estimate)
        ReturnEstimate.objects.bulk_update(estimates, ["posted_in", "entry", "refund_functional",
                                                       "asset_functional"])


    def _accrue(self, accrued, posted) -> None:
        """Mark the interest lines posted (their entries follow the returns' in `posted`)."""
        lines = []
        for posting in accrued:
            entry_id = next(posted) if posting.draft is not None else None
            for line in posting.lines:
                line.run, line.entry_id = self.run, entry_id
                lines.append(line)
        InterestLine.objects.bulk_update(lines, ["run", "entry", "amount_functional"])


def _add_kinds(run: RecognitionRun, kinds: dict[tuple[str, str, str, str], Decimal]) -> None:
    """Add a chunk's recognized amounts per family, pattern, currency and country to its run's
    totals (the run is locked: chunks add in turn)."""
    if not kinds:
        return
    existing = {(t.family, t.pattern, t.currency, t.country): t for t in run.totals.all()}
    for kind, amount in kinds.items():
        if kind in existing:
            existing[kind].amount += amount
    RecognizedTotal.objects.bulk_update([existing[k] for k in kinds if k in existing],
                                        ["amount"])
    RecognizedTotal.objects.bulk_create([
        RecognizedTotal(run=run, family=family, pattern=pattern, currency=currency,
                        country=country, amount=amount)
        for (family, pattern, currency, country), amount in kinds.items()
        if (family, pattern, currency, country) not in existing])


@contextmanager
def _collector_paused():
    """Python's cyclic garbage collector off while a chunk works, if it was on (a chunk under
    way in another thread of the process leaves it as it found it). The chunk's drafts, some
    16,000 objects per 2,000 contracts alive until the chunk posts them, otherwise set off a
    full pass over every object of the process every two or three chunks (80 ms each), and
    young passes over them every few hundred: together a sixth of a run's CPU. They hold no
    cycles and are freed by reference counting when the chunk ends; any cycle the chunk leaves
    is collected by the first pass after it."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@transaction.atomic
def run_recognition_chunk(*, chunk_id: int, by) -> int:
    """Recognize the month for the chunk's revenue contracts that have no item for it yet, once:
    a finished chunk, or one of a run no longer running, does nothing (returns 0). The last
    chunk completes the run, or queues chunks for what is still left. Lock order: the chunk,
    its contracts, the run."""
    actor = _check(by)
    chunk = RecognitionChunk.objects.select_for_update().select_related("run").get(pk=chunk_id)
    run = chunk.run
    if chunk.finished_at is not None or run.state != RunState.RUNNING:
        return 0
    contracts = [Contract(*row) for row in _in_chunk(chunk).select_for_update().order_by("pk")
                 .values_list("pk", "currency", "account_id", "number", "country")]
    totals, kinds = (ZERO,) * len(TOTALS), {}
    if contracts:
        with _collector_paused():
            work = _Chunk(run, chunk, contracts)
            work.schedule()
            totals, kinds = work.post(actor), work.kinds
    chunk.contracts_done, chunk.finished_at = len(contracts), clock.now()
    chunk.save(update_fields=["contracts_done", "finished_at"])
    run = RecognitionRun.objects.select_for_update().get(pk=run.pk)
    run.heartbeat_at = chunk.finished_at
    run.recognized_functional += totals[0]
    run.fx_difference += totals[1]
    run.revenue_functional += totals[2]
    run.refund_functional += totals[3]
    run.financing_functional += totals[4]
    _add_kinds(run, kinds)
    fields = ["heartbeat_at", *TOTALS]
    if run.chunks.filter(finished_at__isnull=True).exists():
        _count(run).save(update_fields=["chunks_total", "chunks_done", "contracts_done",
                                        *fields])
    else:
        run.save(update_fields=fields)
        _queue_unfinished(run, by=actor)
    return len(contracts)


@transaction.atomic
def fail_recognition_run(*, run_id: int, error: str, by) -> RecognitionRun:
    """Record why a chunk failed; the run can be started again and resumes."""
    run = RecognitionRun.objects.select_for_update().get(pk=run_id)
    if run.state != RunState.RUNNING:
        return run
    return run_transition(run, "fail", by=by, note=error[:500], error=error,
                          at=clock.now())
