"""Amendments: a quote of kind amendment against an active contract, and what accepting it does.

`start_amendment` makes the amendment quote: the contract's recurring lines in force on the
effective date, with their frozen price snapshots (`quotes.services.prefilled`), from that date to
the contract's end (co-terminated). The rep then changes quantities, adds or removes products in
the ordinary quote builder; the quote goes through approval, sending and the customer's link.

`amendment_changes` compares the quote's lines with the contract's lines in force on the
effective date and prices both sides from the charge schedule (`contracts.services.schedules`):
what ending an old line the day before takes off its schedule (credits for days already billed,
shorter charges for days not billed yet) and what the new line's schedule charges from the
effective date. An amendment with an effective time changes lines priced by the second at that
moment of the effective date (in the line's time zone): the old line stops and the new one starts
then, the row it cuts split by seconds (`catalog.charge_schedule.end_early(at=)`).

The moment counts only where every side of a change counts seconds. A line priced by the second
replaced by one priced by day (or the reverse) changes with the date, as two lines priced by day
do: the old line serves the day before the effective date whole and the new one starts at its
midnight, prorated from that day (by day, or by the second from midnight). Stopping one side at
the moment and starting the other at midnight would charge the stretch between them twice;
the reverse, not at all. So the effective date is charged once, by the new line (Zuora's
upgrade ends the old charge and starts the new one on one effective date). A line removed, or
a line added, priced by the second still stops (starts) at the moment: nothing else charges
that day for it.
`apply_amendment` (called by `q2c.flows.accept_quote_flow`) stores exactly those rows: it ends
the changed and removed lines, starts new lines on the effective date, never touching a line
otherwise, and updates the
contract's totals and history. The credits and the new lines' first charges are due on the
effective date, so they land on the same invoice.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from catalog.charge_schedule import ChargeKind, Piece, explain
from catalog.pricing import BillingPeriod
from catalog.proration import Granularity
from contracts.models import (
    Amendment,
    Contract,
    ContractLine,
    LineStatus,
    ScheduleChange,
    ScheduleChangeKind,
    ScheduledCharge,
)
from contracts.selectors import (
    contract_for_update,
    contracts_visible_to,
    lines_in_force,
    signer_contact,
)
from contracts.services._common import (
    default_day_count,
    end_line_states,
    moment_policies,
    stops_of,
    time_zone_of,
)
from contracts.services.coupons import (
    coupons_running,
    record_quote_coupons,
    running_by_line,
    running_on,
)
from contracts.services.schedules import (
    charges_of,
    convention_of,
    end_lines,
    price_from_schedule,
    schedule_lines,
    schedule_of,
    take_coupons_off,
)
from core.actors import as_actor, require
from core.dates import business_date
from core.events import record_event
from core.formatting import format_money, format_quantity
from core.money import round_money
from core.transitions import history_row
from quotes.coupon_amounts import RunningCoupon
from quotes.models import OPEN_STATES, QuoteKind
from quotes.periods import closed_period_error
from quotes.selectors import coupon_terms_of
from quotes.services.prefilled import PrefilledLine, create_prefilled_quote

ONE_DAY = timedelta(days=1)
AMEND_PERMISSION = "contracts.amend_contract"
QUOTE_VALIDITY_DAYS = 30


def months_between(start: date, end_exclusive: date) -> int:
    """Whole months from `start` to `end_exclusive`, a part month counted whole (at least 1)."""
    months = (end_exclusive.year - start.year) * 12 + end_exclusive.month - start.month
    if end_exclusive.day > start.day:
        months += 1
    return max(months, 1)


def prefilled_lines(lines, coupons: dict[int, list] | None = None) -> list[PrefilledLine]:
    """Contract lines as quote lines to copy, options kept under their configured parent, each
    with the contract's coupons running on it (`coupons`, by line pk)."""
    lines, coupons = list(lines), coupons or {}
    by_quote_line = {line.quote_line_id: line for line in lines if line.quote_line_id}
    out = []
    for line in lines:
        parent_quote_line = line.quote_line.parent_id if line.quote_line_id else None
        parent = by_quote_line.get(parent_quote_line)
        out.append(PrefilledLine(
            key=str(line.pk), product=line.product, quantity=line.quantity,
            price_snapshot=line.price_snapshot, discount_percent=line.discount_percent,
            included=line.included, description=line.description,
            billing_alignment=line.billing_alignment,
            proration_convention=line.proration_convention,
            parent_key=str(parent.pk) if parent is not None else None,
            contract_coupons=tuple(c.coupon_id for c in coupons.get(line.pk, ()))))
    return out


def _check_effective(contract: Contract, effective_on: date | None) -> None:
    if not contract.is_amendable:
        raise ValidationError(f"Only an active contract can be amended; this one is "
                              f"{contract.get_state_display().lower()}.")
    if effective_on is None:
        raise ValidationError({"effective_on": "Choose the date the change takes effect."})
    if not contract.start_on < effective_on <= contract.end_on:
        raise ValidationError({"effective_on": (
            f"The effective date is after the contract's start ({contract.start_on:%Y-%m-%d}) "
            f"and on or before its end ({contract.end_on:%Y-%m-%d}).")})
    error = closed_period_error(effective_on, what="an amendment taking effect on")
    if error:
        raise ValidationError({"effective_on": error})


def _notes(contract: Contract, effective_on: date, effective_time: time | None) -> str:
    at = f" at {effective_time:%H:%M}" if effective_time is not None else ""
    return (f"Amendment of contract {contract.number} from {effective_on:%d %B %Y}{at} to its "
            f"end on {contract.end_on:%d %B %Y}. These lines are the contract as it will be "
            f"from then; changes are charged or credited for the rest of the term, prorated by "
            f"day{' (by the second for prices counted by the second)' if at else ''}.")


@transaction.atomic
def start_amendment(*, contract, by, effective_on: date | None,
                    effective_time: time | None = None, on: date | None = None) -> Amendment:
    """The amendment quote (a draft for the contract's owner) prefilled from the lines in
    force on the effective date, co-terminated with the contract. `effective_time` (optional,
    read in each line's time zone) is the moment lines priced by the second change."""
    actor = require(by, AMEND_PERMISSION, "You are not allowed to amend contracts.")
    if not contracts_visible_to(actor.user).filter(pk=contract.pk).exists():
        raise ValidationError("You cannot amend this contract.")
    contract = contract_for_update(pk=contract.pk)
    _check_effective(contract, effective_on)
    if open_amendment(contract) is not None:
        raise ValidationError("This contract already has an amendment in progress; finish or "
                              "let it expire first.")
    lines = [line for line in lines_in_force(contract, effective_on).select_related(
        "quote_line") if line.is_recurring]
    if not lines:
        raise ValidationError({"effective_on": "No subscription runs on that date."})
    today = business_date(on)
    end = contract.end_on
    if effective_time == time(0):
        effective_time = None  # the start of the day: the lines change with the date
    running = running_by_line(coupons_running(contract), lines, day=effective_on)
    amendment = Amendment(contract=contract, effective_on=effective_on,
                          effective_time=effective_time, created_by=actor.user)
    amendment.quote = create_prefilled_quote(
        by=actor, kind=QuoteKind.AMENDMENT, account=contract.account, owner=contract.owner,
        currency=contract.currency, start_on=effective_on,
        starts_at=amendment.moment_in(time_zone_of(contract.account)),
        term_months=months_between(effective_on, end + ONE_DAY),
        lines=prefilled_lines(lines, running),
        payment_terms=contract.payment_terms, contact=signer_contact(contract),
        expires_on=min(today + timedelta(days=QUOTE_VALIDITY_DAYS), end),
        customer_notes=_notes(contract, effective_on, effective_time), on=today)
    amendment.save()
    quote = amendment.quote
    quote.contract_coupons.set({c.coupon_id for on_line in running.values() for c in on_line})
    history_row(contract, "start_amendment", by=actor, source=contract.state,
                target=contract.state, on=today,
                note=f"Amendment quote {quote} from {effective_on:%Y-%m-%d}").save()
    return amendment


def amendment_for_quote(quote) -> Amendment:
    """The amendment an amendment quote was made for, with what its document reads."""
    return (Amendment.objects.select_related("contract__account", "contract__payment_terms",
                                             "quote__contact").get(quote_id=quote.pk))


def open_amendment(contract: Contract) -> Amendment | None:
    """The amendment still being negotiated (its quote open), if any."""
    return (contract.amendments.filter(applied_on__isnull=True, quote__state__in=OPEN_STATES)
            .select_related("quote").first())


@dataclass(frozen=True)
class Side:
    """One side of a change over the rest of the term: its amount, the schedule rows that make
    it (unsaved; what applying the amendment stores) and the pieces (days or seconds) that
    explain it."""

    amount: Decimal
    rows: tuple[ScheduledCharge, ...]
    pieces: tuple[Piece, ...]
    currency: str
    coupons: Decimal = Decimal(0)  # what coupons take off the pieces

    @property
    def explanation(self) -> str:
        pieces = explain(self.pieces, self.currency)
        if not self.coupons:
            return pieces
        return (f"{pieces} − coupons "
                f"{format_money(self.coupons, self.currency)} = "
                f"{format_money(self.amount, self.currency)}")


@dataclass(frozen=True)
class Change:
    """One product's change from the effective date: what ends, what starts, and what the rest
    of the term of each side charges, from the schedule."""

    product: object
    billing_period: str
    old_line: ContractLine | None
    new_line: object | None  # the quote line
    new_contract_line: ContractLine | None  # unsaved, priced from its schedule
    credit: Side | None  # what ending the old line takes off its schedule (positive)
    charge: Side | None  # what the new line's schedule charges

    @property
    def kind(self) -> str:
        if self.old_line is None:
            return "added"
        if self.new_line is None:
            return "removed"
        return "changed"

    @property
    def quantity_before(self) -> Decimal:
        return self.old_line.quantity if self.old_line else Decimal(0)

    @property
    def quantity_after(self) -> Decimal:
        return self.new_line.quantity if self.new_line else Decimal(0)

    @property
    def net(self) -> Decimal:
        return ((self.charge.amount if self.charge else Decimal(0))
                - (self.credit.amount if self.credit else Decimal(0)))


def _same(old: ContractLine, new) -> bool:
    return (old.quantity == new.quantity and old.discount_percent == new.discount_percent
            and old.price_snapshot == new.price_snapshot
            and old.amount_per_period == new.amount_per_period
            and old.billing_alignment == new.billing_alignment)


def _start_moment(amendment: Amendment, zone: str, replaces: ContractLine | None):
    """The moment a new line starts when priced by the second: the effective moment, unless
    it replaces a line priced by day (which served the day before whole: see the module)."""
    if replaces is not None and replaces.proration_granularity != Granularity.SECOND:
        return None
    return amendment.moment_in(zone)


def _new_line(contract: Contract, quote_line, amendment: Amendment, *,
              replaces=None) -> ContractLine:
    """The contract line the quote line becomes from the effective date (unsaved), priced
    from its own schedule to the contract's end."""
    effective = amendment.effective_on
    recurring = quote_line.billing_period != BillingPeriod.ONE_TIME
    # a line that replaces another keeps its time zone (as its bill day): both read the
    # effective time there, so one stops when the other starts
    zone = replaces.time_zone if replaces else time_zone_of(contract.account)
    line = ContractLine(
        contract=contract, position=0, quote_line=quote_line,  # placed when applied
        product=quote_line.product, description=quote_line.description,
        quantity=quote_line.quantity, billing_period=quote_line.billing_period,
        billing_alignment=quote_line.billing_alignment,
        bill_day=replaces.bill_day if replaces else contract.account.bill_day,
        proration_convention=(replaces.proration_convention if replaces
                              else default_day_count()),
        **moment_policies(quote_line.price_snapshot, contract.account,
                          starts_at=_start_moment(amendment, zone, replaces), time_zone=zone),
        price_snapshot=quote_line.price_snapshot,
        discount_percent=quote_line.discount_percent, included=quote_line.included,
        list_unit_price=quote_line.list_unit_price,
        amount_per_period=quote_line.amount_per_period, start_on=effective,
        end_on=contract.end_on if recurring else effective,
        status=LineStatus.PENDING,  # applying the amendment makes it active if it has started
        replaces=replaces, amendment=amendment)
    price_from_schedule(line, quote_line.list_per_period)
    return line


def _note(line: ContractLine) -> str:
    return convention_of(line).label


def amendment_stops(amendment: Amendment, old_lines, new_lines) -> dict[int, datetime]:
    """The ending `old_lines` that stop within the effective date (by pk), with the moment:
    a line replaced by one of `new_lines` when its replacement starts, so not a second is
    charged twice or not at all; a removed line priced by the second at the effective
    moment."""
    starts = {line.replaces_id: line.starts_at for line in new_lines if line.replaces_id}
    removed = stops_of(amendment, [line for line in old_lines if line.pk not in starts])
    return {**removed, **{line.pk: starts[line.pk] for line in old_lines
                          if starts.get(line.pk) is not None}}


def end_changed_lines(amendment: Amendment, lines, *, change: ScheduleChange | None,
                      stops: dict[int, datetime]):
    """What ending the changed `lines` does to their schedules (`end_lines`): each stops the
    day before the effective date, or at the moment `stops` names for it."""
    return end_lines(lines, last_day=amendment.effective_on - ONE_DAY, change=change,
                     stops_at=stops)


def _carried(amendment: Amendment, lines):
    """The contract's coupons the new `lines` carry from the lines they replace."""
    replaced = [line.replaces for line in lines if line.replaces_id]
    return running_on(coupons_running(amendment.contract), lines,
                      first_day=amendment.effective_on,
                      stops_at=amendment_stops(amendment, replaced, lines))


def _piece(old: ContractLine, amount: Decimal, of: Decimal, row: ScheduledCharge) -> Piece:
    """What a shortened row or a credit takes off: its days (or seconds) not served."""
    credit = row.kind == ChargeKind.CREDIT  # a credit counts what is not served; a row, what is
    if row.seconds is not None:
        unserved = row.seconds if credit else row.period_seconds - row.seconds
        return Piece(amount, of, seconds=unserved, period_seconds=row.period_seconds)
    unserved = row.days if credit else row.period_days - row.days
    return Piece(amount, of, unserved, row.period_days, _note(old))


def _credit_side(old: ContractLine, amendment: Amendment, stops: dict[int, datetime]) -> Side:
    """What ending `old` at the amendment's effective date (or moment) takes off what it
    charges: the rows that end (not billed yet) less the shorter rows that replace them, and
    the credits for days (seconds) already billed."""
    currency = old.contract.currency
    ending = end_changed_lines(amendment, [old], change=None, stops=stops)
    shorter = {r.about_id: r for r in ending.added if r.kind != ChargeKind.CREDIT}
    pieces = []
    for row in ending.ended:
        kept = shorter.get(row.pk)
        pieces.append(Piece(row.amount, row.amount) if kept is None
                      else _piece(old, row.amount - kept.amount, row.amount, kept))
    for credit in (r for r in ending.added if r.kind == ChargeKind.CREDIT):
        pieces.append(_piece(old, -credit.amount, credit.about.amount, credit))
    amount = ending.removed - sum((r.amount for r in ending.added), Decimal(0))
    return Side(round_money(amount, currency), tuple(ending.added), tuple(pieces), currency)


def _charge_side(line: ContractLine, charges) -> Side:
    """What the new line's schedule charges from the effective date (`charges`: less the
    coupons that run on it)."""
    currency = line.contract.currency
    per_period = round_money(line.amount_per_period, currency)
    before = schedule_of(line)
    pieces = tuple(Piece(c.amount, per_period, c.days, c.period_days, _note(line), c.seconds,
                         c.period_seconds) for c in before)
    coupons = round_money(sum((c.amount for c in before), Decimal(0))
                          - sum((c.amount for c in charges), Decimal(0)), currency)
    return Side(line.net_amount, tuple(charges), pieces, currency, coupons)


def amendment_coupons(amendment: Amendment, lines) -> list[RunningCoupon]:
    """The coupons on the amendment's new `lines`: its quote's (from the effective date, on
    every new line they apply to), then the contract's still running on the lines replaced."""
    if not lines:
        return []
    own = frozenset(str(n) for n in range(len(lines)))
    return [*(RunningCoupon(terms, own) for terms in coupon_terms_of(amendment.quote)),
            *(running for _, running in _carried(amendment, lines))]


def keep_coupons_running(amendment: Amendment, new_lines) -> None:
    """After applying: the contract's coupons cover the new lines that carry them, and the
    amendment's own coupons run on its new lines from the effective date."""
    for coupon, running in _carried(amendment, new_lines):
        coupon.lines.add(*(new_lines[int(key)] for key in running.keys))
    record_quote_coupons(amendment.contract, amendment.quote, new_lines,
                         counts_from=amendment.effective_on, amendment=amendment)


def amendment_changes(amendment: Amendment, *, old_lines=None) -> list[Change]:
    """What accepting the amendment changes, matched by product and billing period (in
    position order); lines that are the same on both sides do not change."""
    contract, effective = amendment.contract, amendment.effective_on
    if old_lines is None:
        old_lines = lines_in_force(contract, effective)
    old_by_key = defaultdict(list)
    for line in old_lines:
        if line.is_recurring:
            old_by_key[(line.product_id, line.billing_period)].append(line)
    made = []
    for new in amendment.quote.lines.select_related("product").order_by("position", "pk"):
        olds = (old_by_key.get((new.product_id, new.billing_period))
                if new.is_recurring else None)
        old = olds.pop(0) if olds else None
        if old is not None and _same(old, new):
            continue
        made.append((new, old, _new_line(contract, new, amendment, replaces=old)))
    lines = [line for _, _, line in made]
    charged = charges_of(lines, running=amendment_coupons(amendment, lines))
    take_coupons_off(lines, (), charged)
    removed = [old for olds in old_by_key.values() for old in olds]
    stops = amendment_stops(amendment, [*(old for _, old, _ in made if old), *removed], lines)
    changes = [Change(new.product, new.billing_period, old, new, line,
                      _credit_side(old, amendment, stops) if old else None,
                      _charge_side(line, charges))
               for (new, old, line), charges in zip(made, charged, strict=True)]
    changes += [Change(old.product, old.billing_period, old, None, None,
                       _credit_side(old, amendment, stops), None) for old in removed]
    return changes


def changes_total(changes: list[Change], currency: str) -> Decimal:
    return round_money(sum((change.net for change in changes), Decimal(0)), currency)


def _stored(change: Change) -> dict:
    return {
        "product": change.product.name, "kind": change.kind,
        "billing_period": change.billing_period,
        "quantity_before": f"{change.quantity_before.normalize():f}",
        "quantity_after": f"{change.quantity_after.normalize():f}",
        "credit": str(change.credit.amount) if change.credit else "",
        "credit_explanation": change.credit.explanation if change.credit else "",
        "charge": str(change.charge.amount) if change.charge else "",
        "charge_explanation": change.charge.explanation if change.charge else "",
        "net": str(change.net),
    }


def recurring_monthly(lines, currency: str) -> Decimal:
    """The contract's monthly recurring figure: each running line's net per period per month
    (a line billed once for its term spreads over the term's months)."""
    total = Decimal(0)
    for line in lines:
        period = BillingPeriod(line.billing_period)
        if period is BillingPeriod.TERM:
            total += line.amount_per_period / max(months_between(
                line.start_on, line.end_on + ONE_DAY), 1)
        elif period.recurring:
            total += line.amount_per_period / period.months
    return round_money(total, currency)


@transaction.atomic
def apply_amendment(*, quote, by, on: date | None = None) -> tuple[Contract, list[ContractLine]]:
    """The accepted amendment quote amends its contract: changed and removed lines (and their
    schedules) end the day before the effective date, new lines start on it with their own
    schedules; returns the contract and its new lines."""
    today = business_date(on)
    actor = as_actor(by)
    amendment = Amendment.objects.select_for_update().get(quote_id=quote.pk)
    contract = contract_for_update(pk=amendment.contract_id)
    amendment.contract = contract
    if amendment.is_applied:
        return contract, list(amendment.new_lines.order_by("position"))
    _check_effective(contract, amendment.effective_on)
    effective = amendment.effective_on
    old_lines = list(lines_in_force(contract, effective).select_related("contract"))
    for line in old_lines:
        line.contract = contract
    changes = amendment_changes(amendment, old_lines=old_lines)
    ending = [change.old_line for change in changes if change.old_line is not None]
    late = [line for line in ending if line.start_on >= effective]
    if late:
        raise ValidationError(f"A line of this contract starts on {late[0].start_on:%Y-%m-%d}; "
                              f"an amendment from {effective:%Y-%m-%d} cannot end it.")
    change = ScheduleChange.objects.create(contract=contract, kind=ScheduleChangeKind.AMENDMENT,
                                           effective_on=effective, amendment=amendment)
    new_lines = [change.new_contract_line for change in changes
                 if change.new_contract_line is not None]
    stops = amendment_stops(amendment, ending, new_lines)
    end_changed_lines(amendment, ending, change=change, stops=stops)
    end_line_states(amendment, ending, stops=stops, by=actor, on=today,
                    note=f"Amended from {effective:%Y-%m-%d} by quote {amendment.quote}")
    last = contract.lines.aggregate(last=Max("position"))["last"] or 0
    for n, line in enumerate(new_lines, start=last + 1):
        line.position = n
        if effective <= today:
            line.status = LineStatus.ACTIVE
    ContractLine.objects.bulk_create(new_lines)
    schedule_lines(new_lines, change, charged=[list(c.charge.rows) for c in changes
                                               if c.new_contract_line is not None])
    keep_coupons_running(amendment, new_lines)
    total = changes_total(changes, contract.currency)
    amendment.applied_on, amendment.prorated_total = today, total
    amendment.proration = [_stored(change) for change in changes]
    amendment.save(update_fields=["applied_on", "prorated_total", "proration"])
    contract.total_contract_value += total
    contract.recurring_monthly = recurring_monthly(lines_in_force(contract, effective),
                                                   contract.currency)
    contract.save(update_fields=["total_contract_value", "recurring_monthly", "updated_at"])
    summary = "; ".join(f"{c.product.name} {c.kind} ({format_quantity(c.quantity_before)} → "
                        f"{format_quantity(c.quantity_after)})"
                        for c in changes) or "no line changed"
    history_row(contract, "amend", by=actor, source=contract.state, target=contract.state,
                on=today,
                note=f"Amended from {effective:%Y-%m-%d} by quote {quote}: {summary}; rest of "
                     f"term {format_money(total, contract.currency)}").save()
    record_event("contract.amended", contract, effective_on=effective.isoformat(),
                 rest_of_term=str(total))
    return contract, new_lines
