"""Credit notes: whole or partial corrections of an issued invoice, issued at once.

What may be credited is what is left of each invoice line (net and each of its taxes) after the
credit notes already issued on it. Three ways to say how much:
- whole: everything left;
- per line: a net amount for each line; its tax is the line's tax on the net credited so far,
  rounded, less the tax already credited (so crediting a line in parts never credits more or
  less tax than the line carried);
- an amount: a gross amount split over the lines in proportion to what is left of them
  (largest remainder), each part split into net and tax at the line's own ratio.

Issuing takes the next number of the year's gapless series (CN-YYYY-NNNNNN, `core.numbering`,
its row locked until commit), posts the mirror of the invoice's journal for the credited parts
(deferred revenue and tax payable per rate against the receivable) at the invoice's booked rate,
and reduces the amount due through `billing.services.settlement.apply_credit`. Whatever exceeds
the amount due (a paid invoice, or a credit bigger than what is left to pay) is owed back to the
customer: it is credited to customer credits (chart.CUSTOMER_CREDITS) instead of the receivable.

A credit note follows its invoice's rounding policy (billing.services.taxing.invoice_policy): its
ties are broken by the invoice's mode, and a cash-rounded invoice's notes each take back their
share of its rounding (catalog.rounding.credited_cash_rounding), so every note's total is on the
cash step and the notes that credit it whole add up to its rounded total.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from billing import journal
from billing.models import (
    CreditNote,
    CreditNoteLine,
    CreditNoteReason,
    CreditNoteState,
    CreditNoteTax,
    Invoice,
    InvoiceLine,
    InvoiceState,
    InvoiceTax,
    LineSource,
)
from billing.services import document_parties
from billing.services.issuing import DELIVER_AT_ONCE
from billing.services.settlement import apply_credit
from billing.services.taxing import invoice_policy
from catalog.rounding import credited_cash_rounding
from core.actors import require
from core.bulk_rows import insert_rows, update_columns
from core.dates import business_date
from core.events import record_events
from core.money import allocate, round_money
from core.numbering import next_numbers
from core.outbox import enqueue_many
from core.transitions import run_transition
from core.visibility import visible_to
from ledger import chart
from ledger.drafts import EntryDraft
from ledger.services import post_entries

ZERO = Decimal(0)
CREDITABLE_STATES = (InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID, InvoiceState.PAID)
TaxKey = tuple[str, Decimal]  # (tax name, percent)


# --- the maths: pure, over plain values ------------------------------------------------------

@dataclass(frozen=True)
class LineLeft:
    """One invoice line: what it billed and what earlier credit notes took back."""

    line_id: int
    amount: Decimal
    taxes: Mapping[TaxKey, Decimal]
    credited_amount: Decimal = ZERO
    credited_taxes: Mapping[TaxKey, Decimal] = field(default_factory=dict)

    @property
    def amount_left(self) -> Decimal:
        return max(self.amount - self.credited_amount, ZERO)

    def tax_left(self, key: TaxKey) -> Decimal:
        return self.taxes[key] - self.credited_taxes.get(key, ZERO)

    @property
    def gross_left(self) -> Decimal:
        return self.amount_left + sum((self.tax_left(k) for k in self.taxes), ZERO)


@dataclass(frozen=True)
class CreditPart:
    line_id: int
    amount: Decimal
    taxes: dict[TaxKey, Decimal]

    @property
    def tax(self) -> Decimal:
        return sum(self.taxes.values(), ZERO)


def _taxes_for_net(line: LineLeft, net: Decimal, currency: str,
                   mode: str = ROUND_HALF_UP) -> dict[TaxKey, Decimal]:
    """The line's tax on everything credited so far, rounded once (ties by the invoice's
    rounding mode), less what was credited."""
    if not line.amount:
        return {}
    so_far = line.credited_amount + net
    return {key: round_money(tax * so_far / line.amount, currency, rounding=mode)
            - line.credited_taxes.get(key, ZERO) for key, tax in line.taxes.items()}


def credit_by_lines(lines: Sequence[LineLeft], nets: Mapping[int, Decimal],
                    currency: str, mode: str = ROUND_HALF_UP) -> list[CreditPart]:
    """Credit a net amount of each named line; refuses more than is left of a line."""
    by_id = {line.line_id: line for line in lines}
    parts, errors = [], {}
    for line_id, net in nets.items():
        line = by_id.get(line_id)
        if line is None:
            errors[f"line_{line_id}"] = "This line is not on the invoice."
        elif net < 0 or round_money(net, currency) != net:
            errors[f"line_{line_id}"] = f"{net} is not a positive amount in {currency}."
        elif net > line.amount_left:
            left = round_money(line.amount_left, currency)
            errors[f"line_{line_id}"] = (f"{net} is more than the {left} left to "
                                         "credit on this line.")
        elif net:
            parts.append(CreditPart(line_id, net, _taxes_for_net(line, net, currency, mode)))
    if errors:
        raise ValidationError(errors)
    return parts


def credit_whole(lines: Sequence[LineLeft], currency: str,
                 mode: str = ROUND_HALF_UP) -> list[CreditPart]:
    """Everything left on every line."""
    return credit_by_lines([ln for ln in lines if ln.amount_left > 0],
                           {ln.line_id: ln.amount_left for ln in lines if ln.amount_left > 0},
                           currency, mode)


def credit_amount(lines: Sequence[LineLeft], gross: Decimal, currency: str,
                  mode: str = ROUND_HALF_UP) -> list[CreditPart]:
    """A gross amount spread over what is left of the lines, each part split into net and tax
    at the line's ratio of what is left."""
    open_lines = [line for line in lines if line.gross_left > 0]
    left = round_money(sum((line.gross_left for line in open_lines), ZERO), currency)
    if gross > left:
        raise ValidationError({"amount": f"{gross} is more than the {left} left to credit on "
                                         "this invoice."})
    parts = []
    for line, share in zip(open_lines, allocate(gross, [ln.gross_left for ln in open_lines],
                                                currency), strict=True):
        if not share:
            continue
        net = min(round_money(share * line.amount_left / line.gross_left, currency,
                              rounding=mode), line.amount_left)
        keys = list(line.taxes)
        tax_parts = allocate(share - net, [line.tax_left(k) for k in keys], currency) \
            if keys else []
        parts.append(CreditPart(line.line_id, net, dict(zip(keys, tax_parts, strict=True))))
    return parts


def split_settlement(total: Decimal, amount_due: Decimal, invoice_open: bool
                     ) -> tuple[Decimal, Decimal]:
    """(reduces the amount due, owed back to the customer) of a credit of `total`."""
    applied = min(total, amount_due) if invoice_open else ZERO
    return applied, total - applied


def credit_entry(*, label: str, account_id: int, currency: str, day: date, rate: Decimal,
                 parts: Sequence[journal.Part], applied: Decimal, excess: Decimal,
                 functional: str, source=None, memo: str) -> tuple[EntryDraft | None, Decimal]:
    """The mirror of the invoice's entry for the credited parts, its receivable credit split
    between the receivable (what reduces the amount due) and customer credits (the rest)."""
    amounts = journal.InvoiceAmounts(label, account_id, currency, day, rate, tuple(parts))
    entry, receivable = journal.invoice_entry(amounts, functional=functional, source=source,
                                              memo=memo)
    if entry is None:
        return None, receivable
    lines = []
    for line in entry.lines:
        if line.gl_code != chart.ACCOUNTS_RECEIVABLE:
            lines.append(line.mirrored())
            continue
        f_applied, f_excess = allocate(receivable, [applied, excess], functional)
        for gl_code, f_amount, amount in ((chart.ACCOUNTS_RECEIVABLE, f_applied, applied),
                                          (chart.CUSTOMER_CREDITS, f_excess, excess)):
            if amount and f_amount:
                lines.append(replace(line, gl_code=gl_code, debit=ZERO, credit=f_amount,
                                     document_amount=-amount))
    return replace(entry, lines=lines), receivable


# --- reading what is left --------------------------------------------------------------------

def _tax_key(detail: dict) -> TaxKey:
    return detail["name"], Decimal(detail["percent"]).normalize()


def lines_left_of(invoice_ids) -> dict[int, list[LineLeft]]:
    """Each positive line of each invoice with what issued credit notes already took back
    (two queries for any number of invoices)."""
    credited_amount, credited_taxes = defaultdict(lambda: ZERO), defaultdict(dict)
    for line_id, amount, detail in CreditNoteLine.objects.filter(
            credit_note__invoice_id__in=invoice_ids, credit_note__state=CreditNoteState.ISSUED,
            invoice_line__isnull=False).values_list("invoice_line_id", "amount", "tax_detail"):
        credited_amount[line_id] += amount
        for tax in detail:
            key = _tax_key(tax)
            credited_taxes[line_id][key] = credited_taxes[line_id].get(key, ZERO) \
                + Decimal(tax["amount"])
    lines = {pk: [] for pk in invoice_ids}
    for invoice_id, line_id, amount, detail in InvoiceLine.objects.filter(
            invoice_id__in=invoice_ids, amount__gt=0).order_by(
            "invoice_id", "position", "pk").values_list("invoice_id", "pk", "amount",
                                                        "tax_detail"):
        taxes: dict[TaxKey, Decimal] = {}
        for tax in detail or ():
            key = _tax_key(tax)
            taxes[key] = taxes.get(key, ZERO) + Decimal(tax["amount"])
        lines[invoice_id].append(LineLeft(line_id, amount, taxes, credited_amount[line_id],
                                          credited_taxes[line_id]))
    return lines


def lines_left(invoice: Invoice) -> list[LineLeft]:
    return lines_left_of([invoice.pk])[invoice.pk]


# --- the verb --------------------------------------------------------------------------------

def _checked_invoice(invoice: Invoice) -> None:
    if invoice.state not in CREDITABLE_STATES:
        raise ValidationError(f"{invoice} is {invoice.get_state_display().lower()}: only an "
                              "issued, partially paid or paid invoice can be credited.")


def rooms_left(invoices) -> dict[int, Decimal]:
    """What each invoice's total leaves to credit after its issued credit notes (an invoice
    with negative lines, such as amendment credits, is credited at most its net total); one
    query."""
    credited = defaultdict(lambda: ZERO)
    for invoice_id, total in CreditNote.objects.filter(
            invoice__in=[i.pk for i in invoices], state=CreditNoteState.ISSUED
            ).values_list("invoice_id", "total"):
        credited[invoice_id] += total
    return {i.pk: max(i.total - credited[i.pk], ZERO) for i in invoices}


def room_left(invoice: Invoice) -> Decimal:
    return rooms_left([invoice])[invoice.pk]


@dataclass(frozen=True)
class Credited:
    """What an invoice's issued credit notes took back: gross (net + tax) and cash rounding."""

    gross: Decimal = ZERO
    cash_rounding: Decimal = ZERO


def credited_of(invoices) -> dict[int, Credited]:
    """Per invoice, what its issued credit notes took back (one query)."""
    sums = defaultdict(lambda: [ZERO, ZERO])
    for invoice_id, subtotal, tax, rounding in CreditNote.objects.filter(
            invoice__in=[i.pk for i in invoices], state=CreditNoteState.ISSUED).values_list(
            "invoice_id", "subtotal", "tax_total", "cash_rounding"):
        sums[invoice_id][0] += subtotal + tax
        sums[invoice_id][1] += rounding
    return {i.pk: Credited(*sums[i.pk]) for i in invoices}


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
           credited: Credited = Credited()) -> list[CreditPart]:
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


def _tax_totals(invoice: Invoice, parts: Sequence[CreditPart], where: Mapping
                ) -> list[CreditNoteTax]:
    """Per rate, as the invoice kept it (`where`: the country and region of its tax totals)."""
    base, tax = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for part in parts:
        for key, amount in part.taxes.items():
            base[key] += part.amount
            tax[key] += amount
    return [CreditNoteTax(name=key[0], percent=key[1],
                          country=where.get(key, (invoice.account.country, ""))[0],
                          region=where.get(key, ("", ""))[1], taxable_amount=base[key],
                          tax_amount=tax[key]) for key in sorted(tax)]


def _note_lines(credit_note, parts, invoice_lines) -> list[CreditNoteLine]:
    rows = []
    for position, part in enumerate(parts, start=1):
        source = invoice_lines[part.line_id]
        rows.append(CreditNoteLine(
            credit_note=credit_note, position=position, invoice_line=source,
            description=source.description, quantity=Decimal(1), unit_price=part.amount,
            amount=part.amount, tax_amount=part.tax,
            tax_detail=[{"name": k[0], "percent": f"{k[1]:f}", "amount": str(v)}
                        for k, v in part.taxes.items()],
            vat_category=source.vat_category, vat_percent=source.vat_percent,
            vat_exemption_reason=source.vat_exemption_reason,
            vat_exemption_code=source.vat_exemption_code, vat_reason=source.vat_reason,
            vat_article=source.vat_article, period_start=source.period_start,
            period_end=source.period_end))
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
                                  credited.get(pk, Credited())))
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
        created_by=actor.user, issued_by=actor.user, issued_at=timezone.now())


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
    invoice_lines = InvoiceLine.objects.in_bulk([p.line_id for plan in plans
                                                 for p in plan.parts])
    where = defaultdict(dict)
    for tax in InvoiceTax.objects.filter(invoice__in=[plan.invoice for plan in plans]):
        where[tax.invoice_id][(tax.name, tax.percent.normalize())] = (tax.country, tax.region)
    created = insert_rows(CreditNote, [_note(plan, number, actor) for plan, number
                                       in zip(plans, _numbers(plans), strict=True)])
    rows, taxes, entries = [], [], []
    for plan, note in zip(plans, created, strict=True):
        invoice = plan.invoice
        rows += _note_lines(note, plan.parts, invoice_lines)
        note_taxes = _tax_totals(invoice, plan.parts, where[invoice.pk])
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
        entries.append((note, entry, plan.day))
    insert_rows(CreditNoteLine, rows)
    insert_rows(CreditNoteTax, taxes)
    by_day = defaultdict(list)  # an entry posts on its own note's date
    for note, entry, day in entries:
        if entry is not None:
            by_day[day].append((note, entry))
    for day, posting in sorted(by_day.items()):
        for (note, _), posted in zip(posting, post_entries([e for _, e in posting], by=by,
                                                           on=day), strict=True):
            note.journal_entry = posted
    update_columns(CreditNote, created, ["journal_entry", "functional_total"])
    issued = []
    for plan, note in zip(plans, created, strict=True):
        issued.append(_settle_and_issue(plan, note, by))
    record_events("credit_note.issued", issued)
    if len(issued) <= DELIVER_AT_ONCE:  # a bigger batch is left to the pending-documents task
        enqueue_many("billing.document_tasks.deliver_credit_note_task",
                     [[n.pk] for n in issued])
    return issued


def _settle_and_issue(plan: _Planned, note: CreditNote, by) -> CreditNote:
    invoice, currency = plan.invoice, plan.invoice.currency
    if plan.applied:
        apply_credit(invoice=invoice, amount=plan.applied, by=by, on=plan.day,
                     note=f"Credit note {note.number}: {plan.applied} {currency}.")
    summary = f"{note.get_reason_display()}: {note.total} {currency} credited"
    if plan.excess:
        summary += f", {plan.excess} owed back to the customer"
    return run_transition(note, "issue", by=by, on=plan.day,
                          note=f"{summary}. {note.reason_note}".strip())


def issue_credit_note(*, invoice, by, reason: str, reason_note: str = "", whole: bool = False,
                      line_amounts: Mapping[int, Decimal] | None = None,
                      amount: Decimal | None = None, on: date | None = None) -> CreditNote:
    """Credit one invoice (see issue_credit_notes); a bad request keeps its field errors."""
    return issue_credit_notes(by=by, on=on, notes=[NewCreditNote(
        invoice, reason, reason_note, whole, line_amounts, amount)])[0]


# --- the questions ---------------------------------------------------------------------------

def credit_notes_visible_to(user) -> QuerySet[CreditNote]:
    """As invoices: finance and accountants see every one, sales roles their accounts'."""
    return visible_to(CreditNote.objects.select_related("account", "invoice"), user,
                      view="billing.view_creditnote", view_team="billing.view_team_invoices",
                      view_all="billing.view_all_invoices", owner="account__owner")


def credit_note_for_detail(*, pk, user) -> CreditNote:
    return get_object_or_404(credit_notes_visible_to(user).select_related(
        "journal_entry", "created_by", "issued_by"), pk=pk)


def search_credit_notes(credit_notes: QuerySet[CreditNote], text: str) -> QuerySet[CreditNote]:
    from django.db.models import Q

    text = (text or "").strip()
    if not text:
        return credit_notes
    return credit_notes.filter(Q(number__icontains=text) | Q(invoice__number__icontains=text)
                               | Q(account__name__icontains=text))
