"""Late charges: the fees and interest a dunning step charges, as customer documents of their
own (payments.models.LateCharge) with their own journal, and finance's waiver.

Issue (one entry per charge, all posted at once): Dr receivable (the customer, in the
invoice's currency at the day's rate); Cr late fee income (chart.LATE_FEE_INCOME) or interest
income (chart.INTEREST_INCOME). Waive: the mirror of that entry, through the document's verb.

Interest runs on each overdue instalment from the day after its own due date, and never charges
a day twice: a later step starts after the last day an earlier charge (not waived) covered.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from core.actors import require
from core.bulk_rows import insert_rows, update_columns
from core.dates import business_date
from core.formatting import format_money
from core.numbering import next_numbers
from core.transitions import run_bulk_transition, run_transition
from customers.models import Account
from ledger import chart
from ledger.drafts import EntryDraft, LineDraft
from ledger.fx import convert
from ledger.services import post_entries, rate_on, reverse_entry
from payments import late_payment as lp
from payments.due_position import unpaid_instalments
from payments.models import (
    ClearingRule,
    DunningPolicy,
    DunningPolicyStep,
    InterestBasis,
    LateCharge,
    LateChargeKind,
    LateChargeState,
    ReferenceRate,
)

ZERO = Decimal("0")
INCOME = {LateChargeKind.FEE: chart.LATE_FEE_INCOME,
          LateChargeKind.INTEREST: chart.INTEREST_INCOME}


@dataclass(frozen=True)
class Overdue:
    """One dunning step taken for one invoice, with what it owes today."""

    event_id: int
    invoice_id: int
    invoice_number: str
    account_id: int
    currency: str
    total: Decimal
    amount_due: Decimal
    schedule: tuple[tuple[date, Decimal], ...]
    policy: DunningPolicy
    step: DunningPolicyStep


def charges_step(step: DunningPolicyStep | None, policy: DunningPolicy) -> bool:
    return step is not None and bool(
        step.fee_fixed or step.fee_percent
        or (step.charge_interest and policy.interest != InterestBasis.NONE))


@dataclass(frozen=True)
class InterestLaw:
    """What statutory interest reads, for the items of one plan (three queries): reference
    rates by (currency, country or ""), margins by country, and each account's country."""

    rates: dict[tuple[str, str], tuple[lp.RatePeriod, ...]]
    margins: dict[str, Decimal]
    countries: dict[int, str]


def interest_law(items: list[Overdue]) -> InterestLaw:
    rates = defaultdict(list)
    for currency, country, starts_on, rate in ReferenceRate.objects.filter(
            currency__in={i.currency for i in items}).values_list(
            "currency", "country", "starts_on", "rate"):
        rates[currency, country.upper()].append(lp.RatePeriod(starts_on, rate))
    margins = {country.upper(): margin for country, margin in ClearingRule.objects.filter(
        interest_margin__isnull=False).values_list("country", "interest_margin")}
    countries = dict(Account.objects.filter(pk__in={i.account_id for i in items}).values_list(
        "pk", "country"))
    return InterestLaw({k: tuple(r) for k, r in rates.items()}, margins, countries)


def _interest_terms(item: Overdue, law: InterestLaw):
    policy = item.policy
    if policy.interest == InterestBasis.CONTRACTUAL:
        return (lp.RatePeriod(date.min, ZERO),), policy.interest_margin
    return lp.statutory_terms(law.countries.get(item.account_id, ""), item.currency, law.rates,
                              law.margins, policy.interest_margin)


def _fee(item: Overdue, overdue: Decimal, day: date) -> LateCharge | None:
    step = item.step
    amount = lp.late_fee(overdue, fixed=step.fee_fixed, percent=step.fee_percent,
                         currency=item.currency)
    if amount <= 0:
        return None
    return LateCharge(kind=LateChargeKind.FEE, fee_fixed=step.fee_fixed,
                      fee_percent=step.fee_percent, basis=overdue, amount=amount,
                      description=f"Late fee ({step.key}) on {item.invoice_number}")


def _interest(item: Overdue, unpaid, day: date, since: date | None,
              law: InterestLaw) -> LateCharge | None:
    reference, margin = _interest_terms(item, law)
    basis = lp.DayCount(item.policy.interest_day_count)
    parts = [lp.late_interest(amount, due_on=due_on, end=day, reference=reference,
                              margin=margin, basis=basis, currency=item.currency, since=since)
             for due_on, amount in unpaid if due_on < day]
    amount = sum((p.amount for p in parts), ZERO)
    if amount <= 0:
        return None
    slices = [s for p in parts for s in p.slices]
    return LateCharge(
        kind=LateChargeKind.INTEREST, basis=sum((a for d, a in unpaid if d < day), ZERO),
        amount=amount, interest_from=min(s.first for s in slices), interest_through=day,
        day_count=basis.value,
        rate_slices=[[s.first.isoformat(), s.last.isoformat(), s.days, str(s.rate)]
                     for s in slices],
        description=f"Late interest on {item.invoice_number} through {day:%Y-%m-%d}")


def plan_late_charges(items: list[Overdue], day: date
                      ) -> tuple[list[LateCharge], dict[int, str]]:
    """The unsaved charges of today's steps (fees and interest), and by event why any could not
    be computed (a statutory rate with no reference rate in force), in words."""
    law = interest_law(items)
    since = dict(LateCharge.objects.filter(
        invoice_id__in={i.invoice_id for i in items}, kind=LateChargeKind.INTEREST).exclude(
        state=LateChargeState.WAIVED).values("invoice_id").annotate(
        last=Max("interest_through")).values_list("invoice_id", "last"))
    charges, problems = [], {}
    for item in items:
        unpaid = unpaid_instalments(item.total, item.amount_due, item.schedule)
        overdue = sum((a for d, a in unpaid if d < day), ZERO)
        made = [_fee(item, overdue, day)]
        if item.step.charge_interest and item.policy.interest != InterestBasis.NONE:
            try:
                made.append(_interest(item, unpaid, day, since.get(item.invoice_id), law))
            except ValueError as error:
                problems[item.event_id] = f"interest not charged: {error}"
        charges += [_placed(c, item, day) for c in made if c is not None]
    return charges, problems


def _placed(charge: LateCharge, item: Overdue, day: date) -> LateCharge:
    """The charge, of the step's invoice and account, issued today, all of it due."""
    charge.account_id, charge.invoice_id = item.account_id, item.invoice_id
    charge.dunning_event_id, charge.currency, charge.issue_on = item.event_id, item.currency, day
    charge.amount_due = charge.amount
    return charge


def _entry(charge: LateCharge) -> EntryDraft:
    functional = convert(charge.amount, charge.fx_rate, settings.FUNCTIONAL_CURRENCY)
    return EntryDraft(document_date=charge.issue_on, memo=charge.description[:255],
                      source=charge, source_label=str(charge), lines=[
        LineDraft(chart.ACCOUNTS_RECEIVABLE, debit=functional,
                  customer_account_id=charge.account_id, document_currency=charge.currency,
                  document_amount=charge.amount, rate=charge.fx_rate, description=str(charge)),
        LineDraft(INCOME[charge.kind], credit=functional, description=charge.description)])


def issue_late_charges(charges: list[LateCharge], *, by, day: date) -> list[LateCharge]:
    """Number, save and post the charges (numbers gapless in the caller's transaction; one
    COPY, one post_entries, one update of their entries, one of their state)."""
    if not charges:
        return []
    numbers = next_numbers(f"late-charge-{day.year}", len(charges))
    rates = {c: rate_on(c, day) for c in {charge.currency for charge in charges}}
    for charge, number in zip(charges, numbers, strict=True):
        charge.number, charge.fx_rate = f"LC-{day.year}-{number:06d}", rates[charge.currency]
    insert_rows(LateCharge, charges)
    entries = post_entries([_entry(c) for c in charges], by=by, on=day)
    for charge, entry in zip(charges, entries, strict=True):
        charge.journal_entry = entry
    # the entries in one statement (bulk_update's CASE per row took ~1 ms a charge), then the
    # state alone, which the bulk transition writes with one UPDATE
    update_columns(LateCharge, charges, ["journal_entry"])
    return run_bulk_transition(charges, "issue", by=by, on=day,
                               note="Issued by dunning with its journal entry.")


def outcome_of(charges: list[LateCharge]) -> str:
    return "; ".join(f"{c.get_kind_display().lower()} {c.number} "
                     f"{format_money(c.amount, c.currency)}" for c in charges)


@transaction.atomic
def waive_late_charge(*, charge, reason: str, by, on: date | None = None) -> LateCharge:
    """Forgo an unpaid late charge: its entry is reversed and it is waived."""
    require(by, "payments.waive_late_charge", "You are not allowed to waive late charges.")
    charge = LateCharge.objects.select_for_update().get(pk=charge.pk)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the charge is waived."})
    if charge.state != LateChargeState.ISSUED or charge.amount_paid:
        raise ValidationError(f"{charge} is {charge.get_state_display().lower()}"
                              f"{' in part' if charge.amount_paid else ''}: only an unpaid "
                              "charge can be waived.")
    day = business_date(on)
    entry = reverse_entry(charge.journal_entry, by=by, on=day, document=charge,
                          memo=f"{charge} waived: {reason.strip()}"[:255])
    return run_transition(charge, "waive", by=by, on=day, note=reason.strip(),
                          reason=reason.strip(), entry=entry)


def late_charge_summary(charge: LateCharge) -> list[lp.InterestSlice]:
    """The interest slices stored on a charge, as values for its page."""
    return [lp.InterestSlice(date.fromisoformat(a), date.fromisoformat(b), days, Decimal(r))
            for a, b, days, r in charge.rate_slices]

