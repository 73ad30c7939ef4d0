"""Credit notes: whole or partial corrections of an issued invoice, issued at once.

How much each way of crediting (whole, per line, an amount) takes back of each line and tax is
the pure maths of `billing.crediting`; what is left of an invoice is read by `billing.selectors`.

Issuing takes the next number of the year's gapless series (CN-YYYY-NNNNNN, `core.numbering`,
its row locked until commit), posts the mirror of the invoice's journal for the credited parts
(deferred revenue and tax payable per rate against the receivable) at the invoice's booked rate,
and reduces the amount due through `billing.services.settlement.apply_credits`. Whatever exceeds
the amount due (a paid invoice, or a credit bigger than what is left to pay) is owed back to the
customer: it is credited to customer credits (chart.CUSTOMER_CREDITS) instead of the receivable.

A credit note follows its invoice's rounding policy (billing.services.taxing.invoice_policy): its
ties are broken by the invoice's mode, and a cash-rounded invoice's notes each take back their
share of its rounding (catalog.rounding.credited_cash_rounding), so every note's total is on the
cash step and the notes that credit it whole add up to its rounded total.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django_fsm import can_proceed

from billing import journal
from billing.crediting import (
    NOTHING_CREDITED,
    ZERO,
    Credited,
    CreditPart,
    credit_amount,
    credit_by_lines,
    credit_entry,
    credit_whole,
    split_settlement,
)
from billing.models import (
    CreditNote,
    CreditNoteLine,
    CreditNoteReason,
    CreditNoteTax,
    Invoice,
    InvoiceLine,
    InvoiceTax,
    LineSource,
)
from billing.selectors import credited_of, lines_left_of, rooms_left
from billing.services import document_parties
from billing.services.document_parties import LINE_VAT_FIELDS
from billing.services.issuing import DELIVER_AT_ONCE
from billing.services.settlement import apply_credits
from billing.services.taxing import invoice_policy
from catalog.rounding import credited_cash_rounding
from core import clock
from core.actors import require
from core.bulk_rows import insert_rows, insert_tuples, json_column
from core.dates import business_date
from core.events import record_events
from core.formatting import format_money
from core.money import round_money
from core.numbering import next_numbers
from core.outbox import enqueue_many
from core.transitions import run_bulk_transition
from ledger import chart
from ledger.drafts import EntryDraft
from ledger.services import post_entry_ids

UNIT_PLACES = Decimal("0.000001")  # as billing.services.planning keeps unit prices
# What a credit note copies of the invoice lines it credits (their other columns, loaded for
# nothing, were a fifth of reading them).
CREDITED_LINE_FIELDS = ("description", "quantity", "amount", "tax_detail", "source",
                        "period_start", "period_end", *LINE_VAT_FIELDS)


def not_creditable(invoice: Invoice) -> str:
    """Why no credit note can be written against the invoice now ("" when one can)."""
    if can_proceed(invoice.credit):
        return ""
    return (f"{invoice} is {invoice.get_state_display().lower()}: only an issued, partially "
            "paid or paid invoice can be credited.")


def _checked_invoice(invoice: Invoice) -> None:
    if problem := not_creditable(invoice):
        raise ValidationError(problem)


def cash_rounding_of(invoice: Invoice, credited: Credited, parts: Sequence[CreditPart]
                     ) -> Decimal:
    """The share of the invoice's cash rounding this credit takes back (none without a step)."""
    if not invoice.cash_rounding_step:
        return ZERO
    return credited_cash_rounding(
        credited_before=credited.gross, rounding_before=credited.cash_rounding,
        credited_now=sum((p.amount + p.tax for p in parts), ZERO), currency=invoice.currency,
        step=invoice.cash_rounding_step, mode=invoice_policy(invoice).mode)


def _parts(invoice, lines, room: Decimal | None, *, whole, line_amounts, amount,
           credited: Credited = NOTHING_CREDITED) -> list[CreditPart]:
    """The credit's parts; `room` caps its total (None: each line's own limit only)."""
    ways = [whole, line_amounts is not None, amount is not None]
    if sum(ways) != 1:
        raise ValidationError("Credit the whole invoice, some lines, or an amount: one of them.")
    mode = invoice_policy(invoice).mode.decimal
    if whole:
        # what is left to pay of it includes the rounding its earlier credits left
        left = sum((ln.gross_left for ln in lines), ZERO) + invoice.cash_rounding \
            - credited.cash_rounding
        parts = credit_whole(lines, invoice.currency, mode) if left <= room \
            else credit_amount(lines, room, invoice.currency, mode)
    elif line_amounts is not None:
        parts = credit_by_lines(lines, {int(k): Decimal(v) for k, v in line_amounts.items()},
                                invoice.currency, mode)
    else:
        amount = Decimal(amount)
        if not amount.is_finite() or amount <= 0 \
                or round_money(amount, invoice.currency) != amount:
            raise ValidationError({"amount": f"Give an amount more than zero in "
                                             f"{invoice.currency}'s minor unit."})
        parts = credit_amount(lines, amount, invoice.currency, mode)
    total = sum((p.amount + p.tax for p in parts), ZERO) + cash_rounding_of(
        invoice, credited, parts)
    if not parts or not total:
        raise ValidationError("Nothing is left to credit on this invoice."
                              if not room or not any(ln.gross_left for ln in lines)
                              else "Choose something to credit.")
    if room is not None and total > room:
        raise ValidationError(f"{total} is more than the {round_money(room, invoice.currency)} "
                              f"left to credit on {invoice} (its total less earlier credit "
                              "notes).")
    return parts


def _tax_totals(invoice: Invoice, parts: Sequence[CreditPart], where: Mapping,
                levies: Mapping = {}) -> list[CreditNoteTax]:  # noqa: B006 (read only)
    """Per rate, as the invoice kept it (`where`: the country and region of its tax totals;
    `levies`: the amount per unit of its levies). A levy is credited as every tax is, in
    proportion to the net credited of its line: crediting k of n units at the same price takes
    back k/n of it."""
    base, tax = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for part in parts:
        for key, amount in part.taxes.items():
            base[key] += part.amount
            tax[key] += amount
    return [CreditNoteTax(name=key[0], percent=key[1],
                          country=where.get(key, (invoice.account.country, ""))[0],
                          region=where.get(key, ("", ""))[1], taxable_amount=base[key],
                          tax_amount=tax[key], per_unit_amount=levies.get(key))
            for key in sorted(tax)]


def _tax_places(plans) -> tuple[dict, dict]:
    """Per invoice and tax (name, percent): its country and region, and a levy's amount per
    unit (one query)."""
    where, levies = defaultdict(dict), defaultdict(dict)
    for tax in InvoiceTax.objects.filter(invoice__in=[plan.invoice for plan in plans]):
        where[tax.invoice_id][(tax.name, tax.percent.normalize())] = (tax.country, tax.region)
        if tax.per_unit_amount is not None:
            levies[tax.invoice_id][(tax.name, tax.percent.normalize())] = tax.per_unit_amount
    return where, levies


def _credited_detail(source: InvoiceLine, part: CreditPart) -> list[dict]:
    """The credited taxes as the line kept them; a levy keeps its amount per unit."""
    per_unit = {t["name"]: t["per_unit"] for t in source.tax_detail or [] if "per_unit" in t}
    detail = []
    for (name, percent), amount in part.taxes.items():
        row = {"name": name, "percent": f"{percent:f}", "amount": str(amount)}
        if name in per_unit and not percent:
            row["per_unit"] = per_unit[name]
        detail.append(row)
    return detail


def _levied_quantity(source: InvoiceLine, part: CreditPart) -> Decimal:
    """The units a credit takes back of a line that carries a levy per unit (the share of its
    net credited, of its quantity); other lines are credited as one amount."""
    levied = any("per_unit" in t for t in source.tax_detail or [])
    if not levied or not source.amount or not source.quantity:
        return Decimal(1)
    return (source.quantity * part.amount / source.amount).quantize(UNIT_PLACES)


# The columns of a credit note line as `_note_lines` writes them (`insert_tuples`).
LINE_FIELDS = ("credit_note_id", "position", "invoice_line_id", "description", "quantity",
               "unit_price", "amount", "tax_amount", "tax_detail", "period_start", "period_end",
               *LINE_VAT_FIELDS)


def _note_lines(credit_note, parts, invoice_lines, as_json) -> list[tuple]:
    """The note's lines as values of LINE_FIELDS (an instance per line was a tenth of a batch);
    `as_json`: how the JSON column takes its value (`core.bulk_rows.json_column`)."""
    rows = []
    for position, part in enumerate(parts, start=1):
        source = invoice_lines[part.line_id]
        quantity = _levied_quantity(source, part)
        rows.append((
            credit_note.pk, position, source.pk, source.description, quantity,
            (part.amount / quantity).quantize(UNIT_PLACES), part.amount, part.tax,
            as_json(_credited_detail(source, part)), source.period_start, source.period_end,
            *(getattr(source, name) for name in LINE_VAT_FIELDS)))
    return rows


def _journal_parts(parts, invoice_lines, taxes: Sequence[CreditNoteTax],
                   cash_rounding: Decimal = ZERO) -> list[journal.Part]:
    """What the invoice's entry credited, for the credited amounts: deferred revenue per line
    (opening balances for a migrated invoice's line, as it was booked), tax payable per rate
    and the share of its cash rounding."""
    lines = [journal.Part(chart.OPENING_BALANCES if invoice_lines[p.line_id].source
                          == LineSource.MIGRATED else chart.DEFERRED_REVENUE,
                          p.amount, invoice_lines[p.line_id].description)
             for p in parts if p.amount]
    return lines + list(journal.parts_of([], [(t.name, t.percent, t.tax_amount)
                                              for t in taxes], cash_rounding=cash_rounding))


@dataclass(frozen=True)
class NewCreditNote:
    """A credit of an issued invoice (or its id): whole, per line (net per invoice line id) or
    an amount; `on` its date when it differs from the batch's."""

    invoice: object
    reason: str
    reason_note: str = ""
    whole: bool = False
    line_amounts: Mapping[int, Decimal] | None = None
    amount: Decimal | None = None
    on: date | None = None
    # A contract change credits each line's days not served (billing.services.run_credits):
    # bounded by what each line has left, not by the invoice's total, which an amendment's
    # credit of an earlier invoice's line may have lowered; what exceeds the amount due is owed
    # back to the customer.
    days_not_served: bool = False


@dataclass
class _Planned:
    request: NewCreditNote
    invoice: Invoice
    day: date
    parts: list[CreditPart]
    cash_rounding: Decimal = ZERO  # the share of the invoice's cash rounding it takes back
    applied: Decimal = ZERO  # reduces the invoice's amount due
    excess: Decimal = ZERO  # owed back to the customer


def _planned(request: NewCreditNote, invoice: Invoice | None, lines, room, day,
             credited: Credited) -> _Planned:
    """The request checked and its parts worked out (ValidationError names the field)."""
    if invoice is None:
        raise ValidationError(f"There is no invoice {request.invoice}.")
    _checked_invoice(invoice)
    if request.reason not in CreditNoteReason.values:
        raise ValidationError({"reason": "Choose a reason."})
    if request.reason == CreditNoteReason.OTHER and not request.reason_note.strip():
        raise ValidationError({"reason_note": "Say why the invoice is credited."})
    if invoice.issue_on and day < invoice.issue_on:
        raise ValidationError(f"A credit note cannot be dated before its invoice "
                              f"({invoice.issue_on}).")
    if request.days_not_served:
        if request.line_amounts is None:
            raise ValueError("days not served are credited per line")
        room = None
    parts = _parts(invoice, lines, room, whole=request.whole,
                   line_amounts=request.line_amounts, amount=request.amount, credited=credited)
    return _Planned(request, invoice, day, parts, cash_rounding_of(invoice, credited, parts))


def _plans(requests: Sequence[NewCreditNote], on: date | None) -> list[_Planned]:
    """Lock the invoices (pk order), read what is left of them, check every request; one bad
    request alone keeps its field errors, in a batch each is named by its place."""
    ids = [getattr(r.invoice, "pk", r.invoice) for r in requests]
    invoices = {i.pk: i for i in Invoice.objects.select_for_update(of=("self",))
                .select_related("account").filter(pk__in=ids).order_by("pk")}
    lines, rooms = lines_left_of(list(invoices)), rooms_left(list(invoices.values()))
    credited = credited_of(list(invoices.values()))
    plans, errors, seen = [], [], set()
    for n, (request, pk) in enumerate(zip(requests, ids, strict=True), start=1):
        invoice = invoices.get(pk)
        try:
            if pk in seen:
                raise ValidationError(f"{invoice} is credited twice in this batch: credit it "
                                      "once, with both amounts.")
            seen.add(pk)
            plans.append(_planned(request, invoice, lines.get(pk, []), rooms.get(pk, ZERO),
                                  business_date(request.on or on),
                                  credited.get(pk, NOTHING_CREDITED)))
        except ValidationError as error:
            if len(requests) == 1:
                raise
            errors.append(f"Credit note {n} ({invoice or request.invoice}): "
                          + " ".join(error.messages))
    if errors:
        raise ValidationError(errors)
    return plans


def _note(plan: _Planned, number: int, actor) -> CreditNote:
    invoice, parts, request = plan.invoice, plan.parts, plan.request
    subtotal = sum((p.amount for p in parts), ZERO)
    tax_total = sum((p.tax for p in parts), ZERO)
    return CreditNote(
        number=f"CN-{plan.day.year}-{number:06d}", invoice=invoice,
        account_id=invoice.account_id, currency=invoice.currency, reason=request.reason,
        reason_note=request.reason_note.strip(), issue_on=plan.day, subtotal=subtotal,
        tax_total=tax_total, cash_rounding=plan.cash_rounding,
        total=subtotal + tax_total + plan.cash_rounding, fx_rate=invoice.fx_rate,
        # The parties of the invoice it corrects (as that invoice copied them on issue).
        seller=invoice.seller or document_parties.seller_copy(),
        buyer=invoice.buyer or document_parties.buyer_copy(invoice.account),
        delivery=invoice.account.document_delivery,
        created_by=actor.user, issued_by=actor.user, issued_at=clock.now())


def _numbers(plans: Sequence[_Planned]) -> list[int]:
    """The next numbers of each year's gapless series, in the order of the plans."""
    wanted = defaultdict(int)
    for plan in plans:
        wanted[plan.day.year] += 1
    series = {year: iter(next_numbers(f"credit-note-{year}", count))
              for year, count in sorted(wanted.items())}
    return [next(series[plan.day.year]) for plan in plans]


@transaction.atomic
def issue_credit_notes(*, by, notes: Sequence[NewCreditNote], on: date | None = None
                       ) -> list[CreditNote]:
    """Credit issued, partially paid or paid invoices (whole, per line or an amount) together:
    each posts its reversing entry and reduces its invoice's amount due, the rest owed back to
    the customer. Any bad request refuses them all, each named."""
    actor = require(by, "billing.issue_credit_note",
                    "You are not allowed to issue credit notes.")
    plans = _plans(list(notes), on)
    invoice_lines = InvoiceLine.objects.only(*CREDITED_LINE_FIELDS).in_bulk(
        [p.line_id for plan in plans for p in plan.parts])
    where, levies = _tax_places(plans)
    created = insert_rows(CreditNote, [_note(plan, number, actor) for plan, number
                                       in zip(plans, _numbers(plans), strict=True)])
    rows, taxes, entries, as_json = [], [], [], json_column()
    for plan, note in zip(plans, created, strict=True):
        invoice = plan.invoice
        rows += _note_lines(note, plan.parts, invoice_lines, as_json)
        note_taxes = _tax_totals(invoice, plan.parts, where[invoice.pk], levies[invoice.pk])
        for tax in note_taxes:
            tax.credit_note = note
        taxes += note_taxes
        plan.applied, plan.excess = split_settlement(note.total, invoice.amount_due,
                                                     invoice.is_open)
        entry, note.functional_total = credit_entry(
            label=note.number, account_id=invoice.account_id, currency=invoice.currency,
            day=plan.day, rate=invoice.fx_rate or Decimal(1),
            parts=_journal_parts(plan.parts, invoice_lines, note_taxes, plan.cash_rounding),
            applied=plan.applied,
            excess=plan.excess,
            functional=invoice.functional_currency or settings.FUNCTIONAL_CURRENCY,
            source=note, memo=f"Credit note {note.number} on {invoice}")
        entries.append(entry)
    insert_tuples(CreditNoteLine, LINE_FIELDS, rows)
    insert_rows(CreditNoteTax, taxes)
    by_day = defaultdict(list)
    for plan, note, entry in zip(plans, created, entries, strict=True):
        by_day[plan.day].append((plan, note, entry))
    for day, dated in sorted(by_day.items()):
        _issue_dated(dated, by=by, day=day)
    record_events("credit_note.issued", created)
    if len(created) <= DELIVER_AT_ONCE:  # a bigger batch is left to the pending-documents task
        enqueue_many("billing.tasks.deliver_credit_note_task",
                     [[n.pk] for n in created])
    return created


# Written with the state by the issue transition.
ISSUED_FIELDS = ["journal_entry", "functional_total"]


def _issue_dated(dated: Sequence[tuple[_Planned, CreditNote, EntryDraft | None]], *, by,
                 day: date) -> None:
    """Post the entries of the notes dated `day`, reduce their invoices' amounts due and issue
    them, in bulk: the invoices by `apply_credits`, the notes by one transition, each history
    row saying what its note credited."""
    posting = [(note, entry) for _, note, entry in dated if entry is not None]
    for (note, _), entry_id in zip(posting, post_entry_ids([e for _, e in posting], by=by,
                                                           on=day), strict=True):
        note.journal_entry_id = entry_id
    crediting = {plan.invoice.pk: f"Credit note {note.number}: "
                                  f"{format_money(plan.applied, plan.invoice.currency)}."
                 for plan, note, _ in dated}
    apply_credits([(plan.invoice, plan.applied) for plan, _, _ in dated if plan.applied],
                  by=by, on=day, note=lambda invoice: crediting[invoice.pk])
    summaries = {note.pk: _summary(plan, note) for plan, note, _ in dated}
    run_bulk_transition([note for _, note, _ in dated], "issue", by=by, on=day,
                        note=lambda note: summaries[note.pk], update_fields=ISSUED_FIELDS)


def _summary(plan: _Planned, note: CreditNote) -> str:
    """The issue's history note: the reason, what was credited and what is owed back."""
    currency = plan.invoice.currency
    summary = f"{note.get_reason_display()}: {format_money(note.total, currency)} credited"
    if plan.excess:
        summary += f", {format_money(plan.excess, currency)} owed back to the customer"
    return f"{summary}. {note.reason_note}".strip()


def issue_credit_note(*, invoice, by, reason: str, reason_note: str = "", whole: bool = False,
                      line_amounts: Mapping[int, Decimal] | None = None,
                      amount: Decimal | None = None, on: date | None = None) -> CreditNote:
    """Credit one invoice (see issue_credit_notes); a bad request keeps its field errors."""
    return issue_credit_notes(by=by, on=on, notes=[NewCreditNote(
        invoice, reason, reason_note, whole, line_amounts, amount)])[0]


