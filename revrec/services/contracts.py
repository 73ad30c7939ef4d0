"""Revenue contracts for activated and amended contracts (ASC 606 steps 1-5 up to the schedule).

`create_revenue_contracts` is set-based and idempotent: it selects the contracts with a line no
obligation covers, or an obligation whose line ended early, and does only that work.

The accounting rules (catalog.obligations for steps 2-4, catalog.revenue_schedule for step 5):
- The price of a line is its charge schedule (contracts' stored rows, the ones billing bills):
  allocation starts from the schedule as signed, and each later change moves the transaction
  price by exactly the rows it ended and added (`_unused`), so it always equals the rows in
  force. Both totals are read per batch in one aggregate query (`selectors.scheduled_totals`).
- A new contract: one revenue contract, its price allocated to the obligations by relative SSP,
  each SSP scaled from its basis to the line's term.
- An amendment (`ContractLine.amendment`) that only adds lines, each priced at or above its
  standalone price, is a separate revenue contract (ASC 606-10-25-12).
- Any other amendment is prospective (ASC 606-10-25-13a): a line it replaces keeps what it
  earned; its successor takes the rest of the unrecognized amount plus the change in
  consideration (the new line's net less the replaced line's unused part, by days) from the
  effective date to its end. A line it adds is allocated its own price; below its standalone
  price, it joins the goods left to deliver in a new contract (15.21(a)) whose consideration
  is allocated among them by relative SSP, each member recorded (`ModificationMember`).
- A line that ends without a successor (removed, or the contract terminated) stops its
  schedule: what was earned stays, the unearned rest less the refund (the schedule's credits
  and the charges it no longer makes) is trued up in the last month of service.
- An obligation ends only through its `end` transition (permission and history row), in bulk,
  after its row is locked and found still open.
- Months already recognized never change: differences are caught up in the first open month.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery

from catalog import revenue_schedule as schedules
from catalog.obligations import LineFacts, allocate_plan, plan_obligations
from contracts.models import ContractLine, LineStatus
from core.actors import as_actor
from core.bulk_rows import insert_rows
from core.dates import business_date
from core.money import allocate, round_money
from core.transitions import run_bulk_transition
from customers.models import Account
from revrec.delivery import earned
from revrec.models import (
    AllocationRule,
    Modification,
    ModificationMember,
    ObligationStatus,
    Pattern,
    PerformanceObligation,
    RevenueContract,
    RevenueContractKind,
    ScheduleLine,
    Treatment,
)
from revrec.policies import policy_fields
from revrec.selectors import (
    contract_ids_needing_revenue_contracts,
    deliveries,
    facts_of,
    lines_with_ssp,
    signed_end,
)
from revrec.services.schedule_rows import insert_schedule_rows

ZERO = Decimal(0)
ONE_DAY = timedelta(days=1)
CREATE_PERMISSION = "revrec.create_revenue_contracts"
# Contracts handled at a time (their lines, obligations and schedules held in memory: about
# 15 MB per 1,000 yearly lines), so memory stays flat however many contracts wait.
CONTRACTS_PER_BATCH = 2000


def _service_end(line: ContractLine) -> date:
    """First day without service; a line an amendment ended keeps its full term here, so the
    change is then treated as the amendment it was."""
    return signed_end(line) + ONE_DAY


def _schedule_for(obligation: PerformanceObligation, line: ContractLine):
    currency = line.contract.currency
    if obligation.pattern == Pattern.RATABLE and obligation.service_end > obligation.service_start:
        return schedules.ratable_schedule(obligation.allocated, currency,
                                          obligation.service_start, obligation.service_end,
                                          obligation.revenue_contract.basis)
    if obligation.pattern == Pattern.AS_BILLED:
        return ()  # written by the recognition run from the invoices
    if line.has_order_line:
        return ()  # the run schedules it as units are delivered (schedule_rows.delivery_lines)
    return schedules.point_in_time_schedule(obligation.allocated, currency, line.start_on)


def _pattern(line: ContractLine) -> str:
    rule = line.product.revenue_rule
    if rule == Pattern.RATABLE and not line.is_recurring:
        return Pattern.POINT_IN_TIME  # a one-time line has no service period to spread over
    return rule


class _Writer:
    """Collects new obligations and schedules, then writes them in bulk."""

    def __init__(self, actor, today: date):
        self.actor, self.today = actor, today
        self.obligations: list[tuple[PerformanceObligation, tuple]] = []
        self.replaced: dict[int, tuple] = {}  # obligation pk -> its new schedule
        self.ended: list[tuple[PerformanceObligation, date]] = []
        self.variables: list[PerformanceObligation] = []  # predecessors whose variable moved
        self.reallocated: list[PerformanceObligation] = []  # open ones a 15.21(a) re-shared
        self.members: list[ModificationMember] = []  # written once their obligations are

    def obligation(self, revenue_contract, line, fact: LineFacts, *, allocated, rule,
                   pool=ZERO, pool_ssp=ZERO, predecessor=None, schedule=None, ssp=None,
                   variable=ZERO):
        """`ssp` when allocation resolved it (a residual), else the line's own; `variable` the
        part of `allocated` that is variable consideration carried from a predecessor."""
        term_ssp = fact.term_ssp
        obligation = PerformanceObligation(
            revenue_contract=revenue_contract, contract_line=line, product=line.product,
            family=line.product.family, pattern=_pattern(line),
            ssp=fact.ssp if ssp is None else ssp, ssp_method=fact.ssp_method,
            ssp_low=fact.ssp_low, ssp_high=fact.ssp_high,
            ssp_unit=term_ssp.unit, ssp_basis=term_ssp.basis, ssp_quantity=term_ssp.quantity,
            ssp_periods=round(term_ssp.periods, 6), allocated=allocated,
            allocation_rule=rule, pool=pool, pool_ssp=pool_ssp, service_start=line.start_on,
            service_end=_service_end(line), predecessor=predecessor, variable=variable)
        if schedule is None:
            schedule = _schedule_for(obligation, line)
        self.obligations.append((obligation, schedule))
        return obligation

    def reallocate(self, obligation: PerformanceObligation, amount: Decimal, line) -> None:
        """A new allocation for `obligation`; one made in this call gets its schedule again."""
        obligation.allocated = amount
        if obligation.pk is not None:
            self.reallocated.append(obligation)
            return
        self.obligations = [(o, _schedule_for(o, line) if o is obligation else schedule)
                            for o, schedule in self.obligations]

    def end(self, obligation: PerformanceObligation, effective: date, kept) -> None:
        self.ended.append((obligation, effective))
        self.replaced[obligation.pk] = tuple(kept)

    def carry_variable(self, old: PerformanceObligation, kept, currency: str) -> Decimal:
        """The part of `old`'s variable consideration its successor takes: in proportion to
        what `old` had scheduled and no longer keeps (the rest, earned, stays with `old`)."""
        if not old.variable:
            return ZERO
        scheduled = old.allocated
        keeps = sum((s.amount for s in kept), ZERO)
        carried = (round_money(old.variable * (scheduled - keeps) / scheduled, currency)
                   if scheduled else old.variable)
        old.variable -= carried
        self.variables.append(old)
        return carried

    def _end_obligations(self) -> None:
        """The `end` transition for each obligation ended, in bulk per effective date, on rows
        locked (pk order, after their revenue contracts) and still open."""
        pks = [o.pk for o, _ in self.ended]
        still_open = {o.pk: o for o in PerformanceObligation.objects.select_for_update()
                      .filter(pk__in=pks, status=ObligationStatus.OPEN).order_by("pk")}
        if len(still_open) != len(pks):
            raise ValidationError("Another change ended some of these obligations meanwhile; "
                                  "create the revenue contracts again.")
        by_day: dict[date, list] = defaultdict(list)
        for obligation, effective in self.ended:
            by_day[effective].append(still_open[obligation.pk])
        for effective, group in sorted(by_day.items()):
            run_bulk_transition(group, "end", by=self.actor, on=self.today,
                                update_fields=["ended_on"], effective=effective,
                                note=f"Line changed or ended from {effective:%Y-%m-%d}")

    def write(self):
        if self.ended:
            self._end_obligations()
        PerformanceObligation.objects.bulk_update(self.variables, ["variable"])
        PerformanceObligation.objects.bulk_update(self.reallocated, [
            "allocated", "variable", "units_before", "earned_before"])
        new = [o for o, _ in self.obligations]
        for obligation in new:  # the revenue contract may have been created in this call
            obligation.revenue_contract_id = obligation.revenue_contract.pk
            if obligation.predecessor is not None:
                obligation.predecessor_id = obligation.predecessor.pk
        insert_rows(PerformanceObligation, new)
        rows = [(o.pk, s.month, s.start, s.end, s.amount)
                for o, lines in self.obligations for s in lines]
        insert_schedule_rows(rows + _rescheduled(self.replaced))
        for member in self.members:  # the obligations made in this call have their pks now
            member.obligation_id = member.obligation.pk
        ModificationMember.objects.bulk_create(self.members)


def _rescheduled(replaced: dict[int, tuple], first_open: date | None = None) -> list:
    """New schedules for existing obligations: their unrecognized lines go, months recognized
    stay and any difference in them is caught up in the first open month (each obligation's,
    or `first_open`: the first month its revenue contract has not recognized)."""
    if not replaced:
        return []
    recognized: dict[int, dict[date, Decimal]] = defaultdict(dict)
    currency_of = dict(PerformanceObligation.objects.filter(pk__in=replaced)
                       .values_list("pk", "revenue_contract__currency"))
    for pk, month, amount in ScheduleLine.objects.filter(
            obligation_id__in=replaced, run__isnull=False).values_list(
            "obligation_id", "month", "amount"):
        recognized[pk][month] = amount
    ScheduleLine.objects.filter(obligation_id__in=replaced, run__isnull=True).delete()
    rows = []
    for pk, lines in replaced.items():
        done = recognized.get(pk, {})
        if done:
            last = max(done)
            lines = schedules.catch_up(
                lines, currency_of[pk], recognized=done,
                first_open=first_open or (last.replace(day=28) + timedelta(days=4)).replace(day=1))
        rows += [(pk, s.month, s.start, s.end, s.amount) for s in lines]
    return rows


def _existing_schedule(obligations) -> dict[int, tuple]:
    lines = defaultdict(list)
    for row in ScheduleLine.objects.filter(obligation__in=obligations).order_by("month"):
        lines[row.obligation_id].append(
            schedules.ScheduleLine(row.month, row.start_on, row.end_on, row.amount))
    return {pk: tuple(rows) for pk, rows in lines.items()}


class _Left(NamedTuple):
    """What an obligation brings to a 15.21(a) new contract: the SSP and the price not earned
    of what is left to deliver, and what its units delivered before keep."""

    obligation: PerformanceObligation
    ssp: Decimal
    brings: Decimal
    units: Decimal = ZERO  # delivered before the modification
    earned: Decimal = ZERO  # by those units
    variable_kept: Decimal = ZERO  # the part of `earned` that is variable consideration


def _allocate(revenue_contract, lines, writer: _Writer):
    """Steps 2-4 for `lines`: obligations with their allocated price and how it was reached."""
    currency = revenue_contract.currency
    facts = {str(line.pk): facts_of(line) for line in lines}
    plan = plan_obligations(list(facts.values()), currency)
    revenue_contract.transaction_price = plan.transaction_price
    allocated = {}
    if plan.obligations:
        allocated = {a.key: a for a in allocate_plan(plan, currency)}
    in_bundles = {key for bundle in plan.bundles for key in bundle.components}
    for line in lines:
        key = str(line.pk)
        if key in allocated:
            a = allocated[key]
            writer.obligation(revenue_contract, line, facts[key], allocated=a.amount,
                              rule=_rule(key, plan.discount_to, in_bundles),
                              pool=a.pool, pool_ssp=a.pool_ssp, ssp=a.ssp)
        elif key in plan.usage_keys:
            writer.obligation(revenue_contract, line, facts[key], allocated=ZERO,
                              rule=AllocationRule.AS_BILLED)


def _rule(key: str, discount_to, in_bundles) -> str:
    if key in in_bundles:
        return AllocationRule.BUNDLE
    if discount_to is not None and key not in discount_to:
        return AllocationRule.AT_SSP
    return AllocationRule.RELATIVE_SSP


def _unused(line: ContractLine) -> Decimal:
    """What the changes since signing took off the line's price: its signed schedule less the
    rows in force (ended rows less the shorter rows and credits added for them)."""
    return round_money(line.signed - line.in_force, line.contract.currency)


class _Amendments:
    """Prospective changes and terminations of one contract's obligations."""

    def __init__(self, contract, lines, obligations, writer: _Writer, today: date):
        self.contract, self.writer, self.today = contract, writer, today
        self.lines = lines
        self.line = {line.pk: line for line in lines}  # with their schedule totals
        self.by_line = {o.contract_line_id: o for o in obligations}
        self.schedule = _existing_schedule(obligations)
        self.original = RevenueContract.objects.get(contract=contract,
                                                    kind=RevenueContractKind.ORIGINAL)

    def run(self):
        new = [line for line in self.lines if line.pk not in self.by_line]
        groups: dict[int | None, list] = defaultdict(list)
        for line in new:
            groups[line.amendment_id].append(line)
        for amendment_id, added in sorted(groups.items(), key=lambda g: g[1][0].start_on):
            if not amendment_id:
                self._prospective(added)
                continue
            adds_distinct, priced_at_ssp, evidence = self._tests(added)
            if adds_distinct and priced_at_ssp:
                rc, treatment = self._separate(added), Treatment.SEPARATE
            else:
                self._prospective(added)
                rc, treatment = self.original, Treatment.PROSPECTIVE
            modification = Modification.objects.create(
                revenue_contract=rc, amendment_id=amendment_id, effective_on=added[0].start_on,
                treatment=treatment, adds_distinct=adds_distinct, priced_at_ssp=priced_at_ssp,
                remaining_distinct=True, evidence=evidence, decided_on=self.today)
            if treatment == Treatment.PROSPECTIVE:
                self._new_contract(modification, added)
        self._terminate_the_rest()

    def _tests(self, added) -> tuple[bool, bool, str]:
        """IFRS 15.20's two tests for the lines an amendment added, and the evidence in words:
        (a) only goods added, none replacing or ending a line; (b) each priced at or above its
        standalone selling price. The rest of a subscription is a series of distinct periods
        (15.22(b)), distinct from those delivered, hence 15.21(a) when it is no separate
        contract."""
        ended_by_it = [line for line in self.lines if line.pk in self.by_line
                       and self._ended(line) and line.end_on + ONE_DAY == added[0].start_on]
        changed = ({line.replaces_id for line in added if line.replaces_id}
                   | {line.pk for line in ended_by_it})
        adds_distinct = not changed
        prices = [(line, facts_of(line)) for line in added]
        priced = [(line, fact) for line, fact in prices if fact.rule != Pattern.AS_BILLED]
        priced_at_ssp = all(fact.net >= fact.ssp for _, fact in priced)
        currency = self.contract.currency
        words = [
            "Adds distinct goods only." if adds_distinct else
            f"Changes {len(changed)} existing line(s), not only adds goods.",
            *(f"{line.product.sku}: price {fact.net} {currency} against SSP {fact.ssp} "
              f"({'at or above' if fact.net >= fact.ssp else 'below'} it)."
              for line, fact in priced),
            "The rest of the service is a series of distinct periods (15.22(b)).",
        ]
        return adds_distinct, priced_at_ssp, " ".join(words)

    def _ended(self, line) -> bool:
        obligation = self.by_line[line.pk]
        return (obligation.status == ObligationStatus.OPEN
                and obligation.service_end > line.end_on + ONE_DAY)

    def _separate(self, added) -> RevenueContract:
        count = RevenueContract.objects.filter(contract=self.contract).count()
        revenue_contract = RevenueContract.objects.create(
            number=f"RC-{self.contract.number}-{count + 1}", contract=self.contract,
            account_id=self.contract.account_id, currency=self.contract.currency,
            kind=RevenueContractKind.SEPARATE, created_on=self.today, **policy_fields())
        _allocate(revenue_contract, added, self.writer)
        revenue_contract.save(update_fields=["transaction_price"])
        return revenue_contract

    def _prospective(self, added):
        rc = self.original
        for line in added:
            fact = facts_of(line)
            old = self.by_line.get(line.replaces_id)
            if not self._continues(old, line):
                usage = fact.rule == Pattern.AS_BILLED
                allocated = ZERO if usage else fact.net
                self.writer.obligation(rc, line, fact, allocated=allocated,
                                       rule=AllocationRule.AS_BILLED if usage
                                       else AllocationRule.OWN_PRICE)
                rc.transaction_price += allocated
                continue
            effective = line.start_on
            lines = self.schedule[old.pk]
            left = sum((s.amount for s in lines), ZERO) - sum(
                (s.amount for s in schedules.earned_before(lines, rc.currency, effective)), ZERO)
            # a downsell never takes back more than is left to recognize on the line
            change = max(fact.net - _unused(self.line[old.contract_line_id]), -left)
            split = schedules.succeed(lines, rc.currency, effective=effective,
                                      change=change, end=_service_end(line), basis=rc.basis)
            self.writer.end(old, effective, split.kept)
            self.writer.obligation(rc, line, fact, predecessor=old, schedule=split.new,
                                   allocated=sum((s.amount for s in split.new), ZERO),
                                   rule=AllocationRule.PROSPECTIVE,
                                   variable=self.writer.carry_variable(old, split.kept,
                                                                      rc.currency))
            rc.transaction_price += change
        rc.modified_on = self.today
        rc.save(update_fields=["transaction_price", "modified_on"])

    def _new_contract(self, modification: Modification, added) -> None:
        """IFRS 15.21(a) for goods the modification added below their standalone price: with
        the goods left to deliver (its successors, goods on an order not delivered at all, and
        the units not delivered of goods partly delivered) they form a new contract, whose
        consideration (what those had not earned and the added price) is allocated among
        those not yet scheduled by relative SSP (IE Example 6, IE38: Y's CU600 and Z's CU300
        are CU450 each; IE Example 5, Case B, IE24: the products left and those added at a
        blended CU93.33 each); the members are recorded with their shares, which a later
        change of the price follows (15.90(a), IE39). Units delivered before keep what they
        earned (`units_before`, `earned_before`). Goods added at or above their SSP keep
        their own price, as a separate contract would give them (15.20(b)), and take no
        share."""
        ids = {line.pk for line in added}
        made = [o for o, _ in self.writer.obligations if o.contract_line_id in ids]
        discounted = [o for o in made if o.predecessor is None and o.allocated < o.ssp
                      and o.allocation_rule == AllocationRule.OWN_PRICE]
        if not discounted:
            return
        currency = self.original.currency
        shared = self._left_to_deliver(modification.effective_on, currency) + [
            _Left(o, o.ssp, o.allocated) for o in discounted]
        pool = sum((left.brings for left in shared), ZERO)
        pool_ssp = sum((left.ssp for left in shared), ZERO)
        weights = [left.ssp for left in shared]
        parts = allocate(pool, weights, currency)
        # the variable consideration not earned, shared alike
        variable = sum((left.obligation.variable - left.variable_kept for left in shared), ZERO)
        variables = [(-1 if variable < 0 else 1) * part
                     for part in allocate(abs(variable), weights, currency)]
        self.writer.members += [
            ModificationMember(modification=modification, obligation=o, carries=o.predecessor,
                               ssp=o.ssp, consideration=o.allocated, allocated=o.allocated)
            for o in made if o.predecessor is not None]
        for left, part, share in zip(shared, parts, variables, strict=True):
            obligation = left.obligation
            obligation.variable = left.variable_kept + share
            self.writer.members.append(ModificationMember(
                modification=modification, obligation=obligation,
                carries=None if obligation in discounted else obligation, ssp=left.ssp,
                consideration=left.brings, allocated=part))
            if obligation in discounted:
                obligation.allocation_rule = AllocationRule.MODIFICATION
                obligation.pool, obligation.pool_ssp = pool, pool_ssp
            obligation.units_before, obligation.earned_before = left.units, left.earned
            self.writer.reallocate(obligation, left.earned + part,
                                   self.line[obligation.contract_line_id])

    def _left_to_deliver(self, effective: date, currency: str) -> list[_Left]:
        """The old contract's goods not transferred before `effective`: open point-in-time
        obligations not scheduled yet, or on an order with units left to deliver (the units
        delivered before keep what they earned; the rest of the price and of the SSP is the
        part of the units left, in proportion to them)."""
        candidates = [o for o in self.by_line.values()
                      if o.revenue_contract_id == self.original.pk
                      and o.status == ObligationStatus.OPEN
                      and o.pattern == Pattern.POINT_IN_TIME and o.pk not in self.writer.replaced]
        delivered = deliveries([o.contract_line_id for o in candidates
                                if self.line[o.contract_line_id].has_order_line],
                               through=effective - ONE_DAY)
        left = []
        for o in candidates:
            found = delivered.get(o.contract_line_id)
            if found is None:
                if not self.schedule.get(o.pk):
                    left.append(_Left(o, o.ssp, o.allocated))
                continue
            units = found.delivered
            if units >= found.ordered:
                continue
            kept = earned(o.allocated, currency, ordered=found.ordered, delivered=units,
                          units_before=o.units_before, earned_before=o.earned_before)
            rest = (found.ordered - units) / found.ordered
            left.append(_Left(
                o, round_money(o.ssp * rest, currency), o.allocated - kept, units, kept,
                round_money(o.variable * kept / o.allocated, currency) if o.allocated else ZERO))
        return left

    def _continues(self, old, line) -> bool:
        """Whether `line` carries on `old`'s ratable schedule from inside its service; else it
        is a new obligation at its own price (and `old`, if any, ends as a termination)."""
        lines = self.schedule.get(old.pk) if old is not None else None
        return (bool(lines) and old.pattern == Pattern.RATABLE
                and _pattern(line) == Pattern.RATABLE
                and lines[0].start <= line.start_on <= lines[-1].end
                and line.start_on < _service_end(line))

    def _terminate_the_rest(self):
        """Lines ended without a successor: the schedule stops, the price drops by the refund
        (by the whole allocation for an item never delivered)."""
        dropped: dict[int, tuple] = {}
        for line in self.lines:
            obligation = self.by_line.get(line.pk)
            if obligation is None or not self._ended(line) or obligation.pk in \
                    self.writer.replaced:
                continue
            effective = line.end_on + ONE_DAY
            lines = self.schedule.get(obligation.pk, ())
            if obligation.pattern == Pattern.RATABLE and lines:
                refund = min(_unused(line), sum((s.amount for s in lines), ZERO))
                refund = max(refund, ZERO)
                kept = schedules.terminate(lines, obligation.revenue_contract.currency,
                                           effective=max(effective, lines[0].start),
                                           refund=refund).lines
            else:  # delivered (or billed) is earned; an undelivered item stops
                kept, refund = lines, ZERO if lines else obligation.allocated
            self.writer.end(obligation, effective, kept)
            rc = (self.original if obligation.revenue_contract_id == self.original.pk
                  else obligation.revenue_contract)  # one instance, prospective changes kept
            dropped[rc.pk] = (rc, dropped.get(rc.pk, (rc, ZERO))[1] + refund)
        for rc, refund in dropped.values():
            rc.transaction_price -= refund
            rc.modified_on = self.today
            rc.save(update_fields=["transaction_price", "modified_on"])


def _originals(contracts, lines, writer: _Writer, today: date) -> list[RevenueContract]:
    """The revenue contracts of new contracts, allocated, their schedules written in bulk."""
    revenue_contracts = [
        RevenueContract(number=f"RC-{contract.number}", contract=contract,
                        account_id=contract.account_id, currency=contract.currency,
                        kind=RevenueContractKind.ORIGINAL, created_on=today, **policy_fields())
        for contract in contracts]
    for revenue_contract in revenue_contracts:  # sets the transaction price before the insert
        _allocate(revenue_contract, [line for line in lines[revenue_contract.contract_id]
                                     if not line.amendment_id], writer)
    insert_rows(RevenueContract, revenue_contracts)
    writer.write()
    return revenue_contracts


def _obligations_of(contract_ids) -> dict[int, list[PerformanceObligation]]:
    obligations = defaultdict(list)
    for obligation in (PerformanceObligation.objects
                       .filter(contract_line__contract_id__in=list(contract_ids))
                       .select_related("revenue_contract", "contract_line__contract")):
        obligations[obligation.contract_line.contract_id].append(obligation)
    return obligations


@transaction.atomic
def create_revenue_contracts(*, contract_ids=None, by, on: date | None = None
                             ) -> list[RevenueContract]:
    """Give every live contract that needs it (all, or those of `contract_ids`) its revenue
    contract, obligations, allocation and schedules, and apply amendments and terminations to
    existing ones; a second call finds nothing to do. Returns the revenue contracts touched."""
    actor = as_actor(by)
    if not actor.has_perm(CREATE_PERMISSION):
        raise PermissionDenied("You are not allowed to create revenue contracts.")
    today = business_date(on)
    ids = contract_ids_needing_revenue_contracts(contract_ids)
    if not ids:
        return []
    # Lock order: the revenue contracts of these contracts, by pk.
    list(RevenueContract.objects.select_for_update().filter(contract_id__in=ids).order_by("pk"))
    touched = []
    for start in range(0, len(ids), CONTRACTS_PER_BATCH):
        touched += _revenue_contracts_for(ids[start:start + CONTRACTS_PER_BATCH], actor, today)
    return touched


def _revenue_contracts_for(ids: list[int], actor, today: date) -> list[RevenueContract]:
    lines = lines_with_ssp(ids)
    known = set(RevenueContract.objects.filter(contract_id__in=ids, kind="original")
                .values_list("contract_id", flat=True))
    fresh = [lines[cid][0].contract for cid in ids if cid not in known]
    touched = _originals(fresh, lines, _Writer(actor, today), today)
    changed = [cid for cid in ids if cid in known or any(
        line.amendment_id or line.status == LineStatus.ENDED for line in lines[cid])]
    if not changed:
        _copy_countries(ids)
        return touched
    obligations = _obligations_of(changed)
    writer = _Writer(actor, today)
    for contract_id in changed:
        amendments = _Amendments(lines[contract_id][0].contract, lines[contract_id],
                                 obligations[contract_id], writer, today)
        amendments.run()
        if amendments.original not in touched:
            touched.append(amendments.original)
    writer.write()
    _copy_countries(ids)
    return touched


def _copy_countries(ids: list[int]) -> None:
    """The customer's country onto the contracts' new revenue contracts (one UPDATE)."""
    RevenueContract.objects.filter(contract_id__in=ids, country="").update(country=Subquery(
        Account.objects.filter(pk=OuterRef("account_id")).values("country")[:1]))


@transaction.atomic
def set_recognition_policy(*, revenue_contract: RevenueContract, basis: schedules.Basis, by,
                           on: date | None = None) -> RevenueContract:
    """Put the revenue contract under another recognition policy and rebuild its ratable
    schedules from it; refused once any of its revenue is recognized or a modification has
    rebuilt a schedule (the policy a recognized month was made under stays on record)."""
    actor = as_actor(by)
    if not actor.has_perm(CREATE_PERMISSION):
        raise PermissionDenied("You are not allowed to change recognition policies.")
    rc = RevenueContract.objects.select_for_update().get(pk=revenue_contract.pk)
    obligations = list(PerformanceObligation.objects.select_for_update()
                       .filter(revenue_contract=rc).order_by("pk"))
    if ScheduleLine.objects.filter(obligation__in=obligations, run__isnull=False).exists():
        raise ValidationError({"recognition_basis": "Revenue of this contract is recognized "
                                                    "already; its policy stays as it was."})
    if any(o.predecessor_id or o.status != ObligationStatus.OPEN for o in obligations):
        raise ValidationError({"recognition_basis": "A modification rebuilt this contract's "
                                                    "schedules; its policy stays as it was."})
    rc.recognition_basis, rc.remainder_to, rc.mid_month_end = (
        basis.basis, basis.remainder, basis.mid_month_end)
    rc.modified_on = business_date(on)
    rc.save(update_fields=["recognition_basis", "remainder_to", "mid_month_end", "modified_on"])
    ratable = [o for o in obligations
               if o.pattern == Pattern.RATABLE and o.service_end > o.service_start]
    ScheduleLine.objects.filter(obligation__in=ratable).delete()
    insert_schedule_rows([
        (o.pk, s.month, s.start, s.end, s.amount) for o in ratable
        for s in schedules.ratable_schedule(o.allocated, rc.currency, o.service_start,
                                            o.service_end, basis)])
    return rc


def _successor_schedule(successor: PerformanceObligation, treatment: str, basis) -> tuple:
    """A successor's schedule under `treatment`: its price spread from its start
    (prospective), or the whole service redone from its predecessor's start with the
    difference caught up in its first month (cumulative catch-up)."""
    currency = successor.revenue_contract.currency
    if treatment == Treatment.PROSPECTIVE:
        return schedules.ratable_schedule(successor.allocated, currency,
                                          successor.service_start, successor.service_end, basis)
    predecessor = successor.predecessor
    earned = sum((s.amount for s in predecessor.schedule.all()), ZERO)
    return schedules.cumulative_successor(
        earned, currency, start=predecessor.service_start, effective=successor.service_start,
        end=successor.service_end, price=successor.allocated, basis=basis)


@transaction.atomic
def override_modification(*, modification: Modification, treatment: str, reason: str, by,
                          on: date | None = None) -> Modification:
    """The accountant's judgement over the tests: a prospective modification treated as a
    cumulative catch-up (the rest is not distinct from what was delivered, IFRS 15.21(b)), or
    back. The successors' schedules are rebuilt; months recognized stay and differences move
    to the first open month. A separate contract stays one."""
    actor = as_actor(by)
    if not actor.has_perm(CREATE_PERMISSION):
        raise PermissionDenied("You are not allowed to decide how modifications are treated.")
    modification = Modification.objects.select_for_update().select_related(
        "revenue_contract").get(pk=modification.pk)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the tests' treatment does not fit."})
    if Treatment.SEPARATE in (treatment, modification.treatment):
        raise ValidationError({"treatment": "A separate contract stays one and no "
                                            "modification becomes one afterwards; amend the "
                                            "contract instead."})
    if treatment not in Treatment.values:
        raise ValidationError({"treatment": f"Unknown treatment {treatment!r}."})
    rc = modification.revenue_contract
    successors = list(PerformanceObligation.objects.select_for_update()
                      .filter(revenue_contract=rc, predecessor__isnull=False,
                              contract_line__amendment_id=modification.amendment_id,
                              pattern=Pattern.RATABLE)
                      .select_related("predecessor", "revenue_contract")
                      .prefetch_related("predecessor__schedule").order_by("pk"))
    replaced = {o.pk: _successor_schedule(o, treatment, rc.basis) for o in successors}
    insert_schedule_rows(_rescheduled(replaced))
    modification.treatment = treatment
    modification.overridden_by = actor.user
    modification.override_reason = reason.strip()
    modification.decided_on = business_date(on)
    modification.save(update_fields=["treatment", "overridden_by", "override_reason",
                                     "decided_on"])
    return modification
