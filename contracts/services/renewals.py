"""Renewals: the daily run that makes renewal quotes, reminds owners, and ends or renews terms.

`process_renewals` is idempotent by construction: a renewal quote is made once per contract (one
`Renewal` per contract), each reminder once (one `RenewalReminder` per contract and threshold),
and a contract past its end leaves the active state, so a second run the same day finds nothing.

At the end of the term (the day after `end_on`): a contract whose renewal quote was accepted
(it has a renewal contract) is marked renewed; an auto-renew contract without one renews itself
(a new active contract with the uplift on the frozen prices, new lines); any other expires. In
all three, the lines still running end (status ended; their end date is the contract's).
"""

import copy
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string

from catalog.models import BillingPeriod
from catalog.pricing import DocumentLine, LineInput, PriceSpec, price_document
from contracts.models import (
    Contract,
    ContractLine,
    ContractState,
    LineStatus,
    Renewal,
    RenewalReminder,
    ScheduleChangeKind,
)
from contracts.selectors import signer_contact
from contracts.services.amendments import prefilled_lines, recurring_monthly
from contracts.services.coupons import (
    carry_over,
    coupons_running,
    remaining_periods,
    running_on,
)
from contracts.services.lifecycle import (
    contract_value,
    fill_contract_terms,
    new_number,
    save_with_schedule,
)
from contracts.services.schedules import charges_of, price_from_schedule, take_coupons_off
from contracts.uplift import uplifted_snapshot
from core.actors import require
from core.dates import add_months, business_date
from core.outbox import enqueue_many
from core.transitions import history_row, run_bulk_transition, run_transition
from quotes.models import QuoteKind
from quotes.services.coupons import CarriedCoupon, carry_coupons
from quotes.services.prefilled import create_prefilled_quote

ONE_DAY = timedelta(days=1)
REMINDER_DAYS = (30, 7)  # reminders besides the notice days, each sent once


@dataclass
class RenewalRun:
    """What one run did (counts for the task's log and the tests)."""

    quotes: list[Renewal] = field(default_factory=list)
    reminders: list[RenewalReminder] = field(default_factory=list)
    renewed: list[Contract] = field(default_factory=list)
    auto_renewed: list[Contract] = field(default_factory=list)
    expired: list[Contract] = field(default_factory=list)


def reminder_thresholds(notice_days: int) -> list[int]:
    """Days before the end a reminder goes out: the notice days, then 30 and 7 if later."""
    return sorted({notice_days, *(d for d in REMINDER_DAYS if d < notice_days)}, reverse=True)


def renewal_lines(contract: Contract):
    """The recurring lines running on the last day: what a renewal continues."""
    return (contract.lines.select_related("product", "quote_line")
            .exclude(status=LineStatus.ENDED).filter(end_on=contract.end_on)
            .exclude(billing_period=BillingPeriod.ONE_TIME).order_by("position", "pk"))


def _uplifted(contract: Contract, lines) -> list[ContractLine]:
    """In-memory copies of the lines with the uplift on their frozen prices."""
    copies = []
    for line in lines:
        line = copy.copy(line)
        line.price_snapshot = uplifted_snapshot(line.price_snapshot, contract.uplift_percent)
        copies.append(line)
    return copies


@transaction.atomic
def create_renewal_quote(*, contract, by, on: date | None = None) -> Renewal:
    """The renewal quote for the owner: the running lines, uplifted, for the renewal term from
    the day after the end; once per contract."""
    actor = require(by, "contracts.renew_contract", "You are not allowed to renew contracts.")
    existing = Renewal.objects.filter(contract_id=contract.pk).select_related("quote").first()
    if existing is not None:
        return existing
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.state != ContractState.ACTIVE:
        raise ValidationError("Only an active contract is renewed.")
    lines = list(renewal_lines(contract))
    start = contract.end_on + ONE_DAY
    quote = create_prefilled_quote(
        by=actor, kind=QuoteKind.RENEWAL, account=contract.account, owner=contract.owner,
        currency=contract.currency, start_on=start, term_months=contract.renewal_term_months,
        lines=prefilled_lines(_uplifted(contract, lines)),
        payment_terms=contract.payment_terms, contact=signer_contact(contract),
        expires_on=contract.end_on,
        customer_notes=(f"Renewal of contract {contract.number} from {start:%d %B %Y} for "
                        f"{contract.renewal_term_months} months, prices raised by "
                        f"{contract.uplift_percent.normalize()}%."), on=on)
    carry_coupons(quote=quote, carried=carried_coupons(contract, lines, start), by=actor, on=on)
    return Renewal.objects.create(contract=contract, quote=quote, created_on=business_date(on))


def carried_coupons(contract: Contract, lines, start: date) -> list[CarriedCoupon]:
    """The contract's coupons a renewal quote from `start` carries, with what they have left on
    the first renewed line they cover (a once coupon, or one run out, is not carried)."""
    carried = []
    for coupon in coupons_running(contract):
        covered = {line.pk for line in coupon.lines.all()}
        renewed = [copy.copy(line) for line in lines if line.pk in covered]
        if not renewed:
            continue
        renewed[0].start_on, renewed[0].end_on = start, add_months(
            start, contract.renewal_term_months) - ONE_DAY
        left = remaining_periods(coupon, renewed[0], start)
        if left != 0:
            carried.append(CarriedCoupon(coupon.redemption, left))
    return carried


def _remind(contract: Contract, days_left: int, done: set[int], today: date):
    due = [d for d in reminder_thresholds(contract.renewal_notice_days)
           if days_left <= d and d not in done]
    if not due:
        return []
    return [RenewalReminder(contract=contract, days_before=d, sent_on=today) for d in due]


def email_renewal_reminder(*, contract_id: int, days_before: int) -> None:
    """Tell the owner the contract ends soon and where its renewal quote is."""
    contract = Contract.objects.select_related("owner", "account").get(pk=contract_id)
    renewal = Renewal.objects.filter(contract=contract).select_related("quote").first()
    context = {"contract": contract, "renewal": renewal, "days_before": days_before,
               "site_url": settings.SITE_URL, "company_name": settings.COMPANY_NAME}
    EmailMessage(
        subject=f"Contract {contract} for {contract.account} ends on "
                f"{contract.end_on:%d %B %Y}",
        body=render_to_string("contracts/email/renewal_reminder.txt", context),
        to=[contract.owner.email]).send()


def _price(contract: Contract, lines: list[ContractLine], term_months: int) -> None:
    """Price uplifted lines over the renewal term, in memory (included options at zero)."""
    document = [DocumentLine(key=str(n), line=LineInput(
                    spec=PriceSpec.from_dict(line.price_snapshot), quantity=line.quantity,
                    term_months=term_months, discount_percent=line.discount_percent),
                    tags=line.product.tags)
                for n, line in enumerate(lines) if not line.included]
    priced = iter(price_document(document, contract.currency).lines) if document else iter(())
    for line in lines:
        if line.included:
            line.list_unit_price = line.amount_per_period = Decimal(0)
            line.list_amount = line.discount_amount = line.net_amount = Decimal(0)
            continue
        price = next(priced).price
        line.list_unit_price = (price.list_per_period / line.quantity).quantize(
            Decimal("0.000001")) if line.quantity else Decimal(0)
        line.amount_per_period = price.amount_per_period
        price_from_schedule(line, price.list_per_period)


def _self_renew(contract: Contract, actor, today: date) -> Contract:
    """The auto-renewal: a new active contract for the renewal term, lines uplifted."""
    start = contract.end_on + ONE_DAY
    term = contract.renewal_term_months
    new = Contract(
        number=new_number(today), account=contract.account, owner=contract.owner,
        currency=contract.currency, start_on=start, term_months=term,
        end_on=add_months(start, term) - ONE_DAY, auto_renew=contract.auto_renew,
        renewal_term_months=term, uplift_percent=contract.uplift_percent,
        renewal_notice_days=contract.renewal_notice_days,
        payment_terms=contract.payment_terms, template=contract.template, renews=contract,
        state=ContractState.ACTIVE, activated_on=start)
    old_lines = list(renewal_lines(contract))
    lines = [ContractLine(
        contract=new, position=n, quote_line=line.quote_line, product=line.product,
        description=line.description, quantity=line.quantity,
        billing_period=line.billing_period, billing_alignment=line.billing_alignment,
        bill_day=contract.account.bill_day, proration_convention=line.proration_convention,
        proration_granularity=line.proration_granularity, time_zone=line.time_zone,
        price_snapshot=uplifted_snapshot(line.price_snapshot, contract.uplift_percent),
        discount_percent=line.discount_percent, included=line.included, start_on=start,
        end_on=new.end_on, status=LineStatus.ACTIVE, replaces=line)
        for n, line in enumerate(old_lines, start=1)]
    _price(new, lines, term)
    carried = running_on(coupons_running(contract), lines, first_day=start)
    charged = charges_of(lines, running=[running for _, running in carried])
    take_coupons_off(lines, (), charged)
    new.total_contract_value = contract_value(lines, new.currency)
    new.recurring_monthly = recurring_monthly(lines, new.currency)
    fill_contract_terms(new)
    new.save()
    save_with_schedule(new, lines, ScheduleChangeKind.RENEWAL, charged=charged)
    carry_over(carried, new, lines)
    history_row(new, "auto_renew", by=actor, source="", target=new.state, on=today,
                note=f"Renews {contract} automatically with a "
                     f"{contract.uplift_percent.normalize()}% uplift").save()
    return new


def _end_term(contract: Contract, actor, today: date, run: RenewalRun) -> None:
    day = contract.end_on
    if Contract.objects.filter(renews=contract).exists():
        run_transition(contract, "renew", by=actor, on=today, day=day,
                       note=f"Renewed by {contract.renewed_by}")
        run.renewed.append(contract)
    elif contract.auto_renew:
        new = _self_renew(contract, actor, today)
        run_transition(contract, "renew", by=actor, on=today, day=day,
                       note=f"Renewed automatically as {new}")
        run.auto_renewed.append(new)
    else:
        run_transition(contract, "expire", by=actor, on=today, day=day,
                       note="Term ended without renewal")
        run.expired.append(contract)
    running = list(contract.lines.exclude(status=LineStatus.ENDED).select_for_update()
                   .order_by("pk"))
    run_bulk_transition(running, "end", by=actor, on=today, note="End of the term")


@transaction.atomic
def process_renewals(*, by, on: date | None = None) -> RenewalRun:
    """The daily renewal run: quotes and reminders inside the notice window, and the end of
    every term that has passed. Running it again the same day changes nothing."""
    actor = require(by, "contracts.renew_contract", "You are not allowed to renew contracts.")
    today = business_date(on)
    run = RenewalRun()
    active = Contract.objects.filter(state=ContractState.ACTIVE)
    widest = active.aggregate(days=Max("renewal_notice_days"))["days"] or 0
    ending = list(active.select_for_update().filter(end_on__lt=today).order_by("pk"))
    for contract in ending:
        _end_term(contract, actor, today, run)
    window = list(active.filter(end_on__gte=today, end_on__lte=today + timedelta(days=widest))
                  .select_related("account", "owner").order_by("pk"))
    window = [c for c in window if (c.end_on - today).days <= c.renewal_notice_days]
    renewed = set(Contract.objects.filter(renews__in=window).values_list("renews_id", flat=True))
    has_quote = set(Renewal.objects.filter(contract__in=window)
                    .values_list("contract_id", flat=True))
    done: dict[int, set[int]] = {}
    for contract_id, days in RenewalReminder.objects.filter(
            contract__in=window).values_list("contract_id", "days_before"):
        done.setdefault(contract_id, set()).add(days)
    for contract in window:
        if contract.pk in renewed:
            continue
        if contract.pk not in has_quote and renewal_lines(contract).exists():
            run.quotes.append(create_renewal_quote(contract=contract, by=actor, on=today))
        run.reminders.extend(_remind(contract, (contract.end_on - today).days,
                                     done.get(contract.pk, set()), today))
    RenewalReminder.objects.bulk_create(run.reminders)
    _queue_reminder_emails(run.reminders)
    return run


def _queue_reminder_emails(reminders: list[RenewalReminder]) -> None:
    """One email per contract per run, for the nearest threshold it passed."""
    nearest: dict[int, int] = {}
    for reminder in reminders:
        days = nearest.get(reminder.contract_id)
        nearest[reminder.contract_id] = min(days, reminder.days_before) if days else \
            reminder.days_before
    enqueue_many("contracts.tasks.email_renewal_reminder_task", sorted(nearest.items()))
