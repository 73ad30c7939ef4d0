"""Issuing and voiding invoices.

Issue (one or many at once, the same path): lock the drafts in pk order, compute each due
schedule from the account's payment terms and record the events; then, as the last statements
before the commit, take the next numbers of the year's gapless series (`core.numbering`, its row
locked until commit, so two issues at once never share or skip a number), post every journal
entry with one `ledger.services.post_entry_ids`, and move all of them with the bulk transition,
which writes their numbers and issued columns with the state. Issued invoices never change;
void (no payment or credit applied) reverses the entry, keeps the number and releases the
billing records so the charges bill again.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, prefetch_related_objects

from billing import journal
from billing.einvoice import readiness
from billing.einvoice.documents import peppol_id_of
from billing.models import (
    BillingRecord,
    DueInstalment,
    Invoice,
    InvoiceLine,
    InvoiceState,
    InvoiceTax,
)
from billing.selectors import invoice_for_update
from billing.services import cash_discount_tax, document_parties
from billing.services.document_parties import LINE_VAT_FIELDS
from billing.services.taxing import TaxBook
from catalog import policies
from catalog.due_schedule import InstalmentTerm, TermsSpec, due_schedule
from contracts.models import ContractLine
from core import clock
from core.actors import require
from core.bulk_rows import among, check_deferred_constraints, insert_tuples, update_columns
from core.company import seller as company_seller
from core.dates import business_date
from core.events import record_event, record_events
from core.numbering import next_numbers
from core.outbox import enqueue, enqueue_many
from core.transitions import run_bulk_transition, run_transition
from customers.models import Account, EInvoiceFormat, PaymentTerms, PaymentTermsKind
from ledger.fx import MissingRate, missing_rate_message
from ledger.services import post_entry_ids, rate_book, reverse_entry

# Invoices issued per batch inside one issue: each batch costs a fixed dozen queries (lock,
# lines, taxes, terms, rates, entries and their lines, instalments, one bulk update, history);
# bigger batches make longer IN lists and UPDATE statements, smaller ones more round trips.
ISSUE_BATCH = 2000
# Invoices issued together that are emailed at once, a task each; a bigger batch is left to the
# pending-documents task (50 a run) rather than queueing a task per invoice. Back-dated issues
# (imports, the demo's history) are not mailed at once either.
DELIVER_AT_ONCE = 50
# Invoices from which a batch checks its rows' foreign keys before taking the numbers (for
# fewer, the checks at commit take less than the two statements that move them).
CHECK_BEFORE_NUMBERS = 100
# The seller's, buyer's and payment means' copies, made on issue.
COPIES = ("seller", "buyer", "payment_means")
# Written with the state by the issue transition, in the numbered tail.
ISSUED_FIELDS = ["number", "issue_on", "due_on", "fx_rate", "functional_currency",
                 "functional_total", "journal_entry", "issued_by", "issued_at",
                 *COPIES, "buyer_reference", "purchase_order",
                 "delivery", "early_discount_tax_mode", "early_discount_percent",
                 "early_discount_days", "updated_at"]


# What issuing reads of each account (the buyer's and payment means' copies, the VAT place, the
# e-invoice format, the terms): its other nineteen columns, loaded for nothing, were a tenth of
# issuing a run's chunk (issue 23).
ACCOUNT_FIELDS = ("name", "legal_name", "tax_id", "country", "region", "billing_street",
                  "billing_city", "billing_postal_code", "payment_terms", "tax_exempt",
                  "tax_exemption_reason", "vat_id", "buyer_reference", "purchase_order",
                  "payment_means", "mandate_reference", "debtor_iban", "document_language",
                  "document_delivery", "einvoice_format", "peppol_id")


def number_for(year: int, value: int) -> str:
    return f"INV-{year}-{value:06d}"


def _free_numbers(year: int, count: int) -> list[int]:
    """`count` numbers of the year's gapless series. A number some other invoice already holds
    (an opening balance imported with our shape before the import refused it) is passed over:
    it is in use, so the series stays without gaps, and issuing never collides on it."""
    values: list[int] = []
    while len(values) < count:
        wanted = next_numbers(f"invoice-{year}", count - len(values))
        held = _held_numbers(year, wanted)
        values += [v for v in wanted if number_for(year, v) not in held]
    return values


def _held_numbers(year: int, wanted: range) -> set[str]:
    """Which numbers of a block of the series invoices hold already: asked by range (one per
    length of number, as "INV-2026-999999" sorts after "INV-2026-1000000"), since a list of a
    thousand numbers cost a third of a second under the series' lock (issue 23)."""
    by_length: dict[int, list[str]] = {}
    for value in wanted:
        number = number_for(year, value)
        by_length.setdefault(len(number), []).append(number)
    ranges = Q()
    for numbers in by_length.values():
        ranges |= Q(number__range=(numbers[0], numbers[-1]))
    return set(Invoice.objects.filter(ranges).order_by().values_list("number", flat=True))


def _terms_by_invoice(invoices, lines, accounts) -> dict[int, PaymentTerms]:
    """Each invoice's payment terms (one to three queries for a batch).

    An invoice that bills a contract falls due on the terms the customer signed (copied from
    the approved quote), so an account edited later cannot lengthen them; lines of several
    contracts take the shortest of their terms. Other invoices take the account's terms."""
    billed = {line.contract_line_id for group in lines.values() for line in group
              if line.contract_line_id}
    terms_of_line = dict(ContractLine.objects.filter(among("pk", billed)).values_list(
        "pk", "contract__payment_terms_id")) if billed else {}
    signed = {pk: {terms_of_line[line.contract_line_id] for line in group
                   if line.contract_line_id} for pk, group in lines.items()}
    wanted = {a.payment_terms_id for a in accounts.values()} | set(terms_of_line.values())
    # the accounts' own terms when read with them (`create_invoices`: a query of the ten
    # milliseconds one invoice may take, issue 23)
    cached = Account._meta.get_field("payment_terms").is_cached
    found = {a.payment_terms_id: a.payment_terms for a in accounts.values() if cached(a)}
    if wanted - found.keys():
        found |= {terms.pk: terms for terms in PaymentTerms.objects.filter(
            pk__in=wanted - found.keys()).order_by()}
    # only instalment terms have instalments (customers.services.terms): the others' empty
    # read was a query and a tenth of the ten milliseconds one invoice may take (issue 23)
    prefetch_related_objects([terms for terms in found.values()
                              if terms.kind == PaymentTermsKind.INSTALMENTS], "instalments")
    chosen = {}
    for invoice in invoices:
        contract_terms = signed.get(invoice.pk)
        terms_id = (min(contract_terms, key=lambda pk: (found[pk].longest_days, pk))
                    if contract_terms else accounts[invoice.account_id].payment_terms_id)
        chosen[invoice.pk] = found[terms_id]
    return chosen


def _spec(terms: PaymentTerms) -> TermsSpec:
    """The terms as the pure module's spec (instalments read for instalment terms only)."""
    instalments = tuple(InstalmentTerm(i.percent, i.due_days, i.basis)
                        for i in terms.instalments.all()) \
        if terms.kind == PaymentTermsKind.INSTALMENTS else ()
    return TermsSpec(terms.kind, days=terms.days, instalments=instalments,
                     business_days=policies.due_dates_on_business_days())


def _lines_of(invoice_ids) -> dict[int, list[InvoiceLine]]:
    """The drafts' lines (one query). Every column: Django builds an instance with deferred
    columns by a slower path, which cost more than the columns it skipped (23.7 against 19.6 ms
    of CPU for 2,000 lines)."""
    lines = {pk: [] for pk in invoice_ids}
    for line in InvoiceLine.objects.filter(among("invoice_id", invoice_ids)).order_by(
            "invoice_id", "position"):
        lines[line.invoice_id].append(line)
    return lines


def _taxes_of(invoice_ids) -> dict[int, list[tuple]]:
    """The drafts' tax totals as (name, percent, amount), by invoice (one query)."""
    taxes = defaultdict(list)
    for pk, name, percent, amount in InvoiceTax.objects.filter(
            among("invoice_id", invoice_ids)).values_list(
            "invoice_id", "name", "percent", "tax_amount"):
        taxes[pk].append((name, percent, amount))
    return taxes


def _parts(invoices, lines, taxes) -> dict[int, tuple]:
    return {invoice.pk: journal.parts_of(
        [(line.amount, line.description) for line in lines[invoice.pk]], taxes[invoice.pk],
        cash_rounding=invoice.cash_rounding) for invoice in invoices}


def _check_drafts(invoices, lines) -> None:
    errors = []
    for invoice in invoices:
        if not invoice.is_draft:
            errors.append(f"{invoice} is already {invoice.get_state_display().lower()}.")
        elif not lines[invoice.pk]:
            errors.append(f"{invoice} has no lines.")
        elif invoice.total < 0:
            errors.append(f"{invoice} totals {invoice.total}: a negative invoice cannot be "
                          "issued; issue a credit note instead.")
    if errors:
        raise ValidationError(errors)


def _copy_parties(invoices: list[Invoice], lines, accounts, book: TaxBook) -> None:
    """Copy the seller, buyer, payment means and delivery onto each invoice and label each
    line's VAT by `book` (one UPDATE for the lines whose labels change). A draft taxed against
    its VAT treatment (say, VAT charged to a reverse-charge customer), or whose
    e-invoice would lack what EN 16931 requires (the company's VAT ID), refuses the batch, each
    named."""
    stored = {line.pk: _line_labels(line) for group in lines.values() for line in group}
    company = company_seller()
    seller, errors = document_parties.seller_copy(company), []
    for invoice in invoices:
        account = accounts[invoice.account_id]
        invoice.seller, invoice.buyer = seller, document_parties.buyer_copy(account)
        invoice.payment_means = document_parties.payment_means_copy(account, company)
        invoice.delivery = account.document_delivery
        invoice.buyer_reference = invoice.buyer_reference or account.buyer_reference
        invoice.purchase_order = invoice.purchase_order or account.purchase_order
        wrong = document_parties.label_lines(lines[invoice.pk],
                                             document_parties.place_of(account), book)
        if wrong:
            errors.append(f"{invoice} charges VAT on {', '.join(wrong)} that its VAT treatment "
                          "does not (reverse charge, intra-Community supply, export or "
                          "exempt): re-tax the draft.")
        if account.einvoice_format:
            peppol = (account.einvoice_format == EInvoiceFormat.UBL
                      and bool(peppol_id_of(seller) and peppol_id_of(invoice.buyer)))
            errors += [f"{invoice} cannot be sent as {account.get_einvoice_format_display()}: "
                       f"{gap}" for gap in readiness.gaps(
                           seller=seller, buyer=invoice.buyer,
                           categories={line.vat_category for line in lines[invoice.pk]},
                           peppol=peppol, payment_means=invoice.payment_means,
                           xrechnung=account.einvoice_format == EInvoiceFormat.XRECHNUNG,
                           buyer_reference=invoice.buyer_reference,
                           purchase_order=invoice.purchase_order)]
    if errors:
        raise ValidationError(errors)
    # drafts written by a run or create_invoices carry their labels already: only changes go
    update_columns(InvoiceLine, [line for group in lines.values() for line in group
                                if _line_labels(line) != stored[line.pk]], LINE_VAT_FIELDS)


def _line_labels(line: InvoiceLine) -> tuple:
    vat_percent = line.vat_percent
    return (line.vat_category, None if vat_percent is None else Decimal(vat_percent),
            line.vat_exemption_reason, line.vat_exemption_code)


def _issue_locked(pks, *, actor, day: date) -> list[Invoice]:
    """Issue a batch of drafts by id: locked, read with their lines, taxes and accounts."""
    invoices = _locked_drafts(pks)
    ids = [invoice.pk for invoice in invoices]
    accounts = {account.pk: account for account in Account.objects.filter(
        among("pk", {invoice.account_id for invoice in invoices})).only(*ACCOUNT_FIELDS)}
    return _issue_batch(invoices, _lines_of(ids), _taxes_of(ids), accounts, actor=actor,
                        day=day, book=TaxBook())


def _issue_batch(invoices: list[Invoice], lines: dict[int, list], taxes: dict[int, list],
                 accounts: dict[int, Account], *, actor, day: date, book: TaxBook
                 ) -> list[Invoice]:
    """Issue a batch of locked drafts. Everything that needs no number is written first (due
    schedules, events; the foreign keys of those rows checked at once on PostgreSQL rather
    than at commit); the year's series is locked only for the numbered tail (`_number`) up to
    the commit, so two workers issuing batches at once overlap everything but that."""
    _check_drafts(invoices, lines)
    _copy_parties(invoices, lines, accounts, book)
    terms = _terms_by_invoice(invoices, lines, accounts)
    retaxed = [invoice.pk for invoice in
               cash_discount_tax.record_terms(invoices, lines, terms, day=day)]
    if retaxed:  # their tax totals were written again: the journal reads the new ones
        fresh = _taxes_of(retaxed)
        taxes = {**taxes, **{pk: fresh[pk] for pk in retaxed}}
    parts = _parts(invoices, lines, taxes)
    rates = rate_book({invoice.currency for invoice in invoices}, up_to=day)
    # each terms' spec built once (a run's thousand invoices share one or two terms)
    specs = {pk: _spec(t) for pk, t in {t.pk: t for t in terms.values()}.items()}
    instalments, now = [], clock.now()
    for invoice in invoices:
        try:
            invoice.fx_rate = rates.rate_on(invoice.currency, day)
        except MissingRate:
            raise ValidationError(missing_rate_message(invoice.currency, day)) from None
        schedule = due_schedule(invoice.total, invoice.currency, day,
                                specs[terms[invoice.pk].pk])
        instalments += [(invoice.pk, n, i.due_on, i.amount) for n, i in enumerate(schedule, 1)]
        invoice.issue_on, invoice.due_on = day, schedule[-1].due_on
        invoice.functional_currency = settings.FUNCTIONAL_CURRENCY
        invoice.issued_by, invoice.issued_at, invoice.updated_at = actor.user, now, now
    # as rows, not instances: building a model instance per instalment cost as much as
    # writing it (issue 23)
    insert_tuples(DueInstalment, ["invoice_id", "sequence", "due_on", "amount"], instalments)
    record_events("invoice.issued", invoices)
    if len(invoices) >= CHECK_BEFORE_NUMBERS:
        check_deferred_constraints()
    return _number(invoices, parts, actor=actor, day=day)


def _number(invoices: list[Invoice], parts: dict[int, tuple], *, actor, day: date
            ) -> list[Invoice]:
    """The numbered tail of an issue, its last statements before the commit: take the
    numbers (the series' row stays locked until the commit, so numbers are gapless and never
    shared), post the journal entries that name them, and write each invoice's number, entry
    and issued columns with its state and history."""
    functional = settings.FUNCTIONAL_CURRENCY
    drafts = []
    for invoice, value in zip(invoices, _free_numbers(day.year, len(invoices)), strict=True):
        invoice.number = number_for(day.year, value)
        amounts = journal.InvoiceAmounts(invoice.number, invoice.account_id, invoice.currency,
                                         day, invoice.fx_rate, parts[invoice.pk])
        entry, invoice.functional_total = journal.invoice_entry(amounts, functional=functional,
                                                                source=invoice)
        drafts.append((invoice, entry))
    posted = iter(post_entry_ids([e for _, e in drafts if e is not None], by=actor, on=day))
    for invoice, entry in drafts:
        invoice.journal_entry_id = next(posted) if entry is not None else None
    return run_bulk_transition(invoices, "issue", by=actor, on=day, update_fields=ISSUED_FIELDS)


def _locked_drafts(pks) -> list[Invoice]:
    """The drafts locked in pk order, but for the copies issuing writes afresh (a draft's are
    empty): parsing their JSON was a twentieth of issuing, and the invoice's rows are built
    without Django's slower path for deferred columns (`core.loading`)."""
    return list(Invoice.objects.select_for_update().filter(among("pk", pks)).order_by("pk")
                .defer(*COPIES))


@transaction.atomic
def issue_invoices(*, invoices: Iterable, by, on: date | None = None) -> list[Invoice]:
    """Issue drafts together (each numbered, scheduled, posted); any one that cannot be issued
    refuses them all, each named."""
    actor = require(by, "billing.issue_invoice", "You are not allowed to issue invoices.")
    day = business_date(on)
    pks = sorted({getattr(invoice, "pk", invoice) for invoice in invoices})
    issued = []
    for start in range(0, len(pks), ISSUE_BATCH):
        issued += _issue_locked(pks[start:start + ISSUE_BATCH], actor=actor, day=day)
    return _delivered(issued, day)


def issue_written_drafts(drafts: list[tuple[Invoice, list[InvoiceLine], list[InvoiceTax]]], *,
                         actor, day: date, book: TaxBook) -> list[Invoice]:
    """Issue drafts the caller's transaction has just written (`drafts.create_invoices`), as
    `issue_invoices` does, from the rows in hand: no other transaction sees them yet, so
    they need no lock and no second read (four queries of the ten milliseconds one invoice
    may take, issue 23), and their lines are labelled by the tax book that taxed them (its
    categories read once). The caller holds the issue permission."""
    issued = []
    for start in range(0, len(drafts), ISSUE_BATCH):
        batch = drafts[start:start + ISSUE_BATCH]
        taxes = defaultdict(list)
        for invoice, _, rows in batch:
            taxes[invoice.pk] += [(t.name, t.percent, t.tax_amount) for t in rows]
        issued += _issue_batch([invoice for invoice, _, _ in batch],
                               {invoice.pk: lines for invoice, lines, _ in batch}, taxes,
                               {invoice.account_id: invoice.account for invoice, _, _ in batch},
                               actor=actor, day=day, book=book)
    return _delivered(issued, day)


def _delivered(issued: list[Invoice], day: date) -> list[Invoice]:
    """`issued`, each emailed once this commits when few and issued today."""
    if day >= business_date() and len(issued) <= DELIVER_AT_ONCE:
        _deliver_after_commit([invoice.pk for invoice in issued])
    return issued


@transaction.atomic
def issue_run_chunk(*, chunk, by, on: date | None = None) -> int:
    """Issue the drafts a run left for one chunk's accounts, in a transaction of their own, so
    workers issue a big run's chunks in parallel (idempotent: issued drafts are not drafts any
    more). Returns how many were issued."""
    actor = require(by, "billing.issue_invoice", "You are not allowed to issue invoices.")
    day = business_date(on)
    pks = list(Invoice.objects.filter(
        run_id=chunk.run_id, state=InvoiceState.DRAFT,
        account_id__gte=chunk.first_account_id, account_id__lte=chunk.last_account_id)
        .order_by("pk").values_list("pk", flat=True))
    count = 0
    for start in range(0, len(pks), ISSUE_BATCH):
        count += len(_issue_locked(pks[start:start + ISSUE_BATCH], actor=actor, day=day))
    return count


def _deliver_after_commit(ids: list[int]) -> None:
    """Render, keep and email each issued invoice to its billing contacts, by a task queued
    through the outbox (a broker that is down delays the email, it never fails the issue)."""
    enqueue_many("billing.tasks.deliver_invoice_task", [[pk] for pk in ids])


def issue_drafts_of_run(*, run, by, on: date | None = None) -> list[Invoice]:
    """Issue every draft a run left (the ones finance has not discarded), in one transaction."""
    pks = list(Invoice.objects.filter(run=run, state=InvoiceState.DRAFT).values_list(
        "pk", flat=True))
    return issue_invoices(invoices=pks, by=by, on=on)


@transaction.atomic
def queue_issue_drafts_of_run(*, run, by) -> None:
    """Queue the task that issues the drafts a run left (`issue_drafts_of_run`, as `by`), once
    this commits: a large run takes longer than a request should."""
    actor = require(by, "billing.issue_invoice", "You are not allowed to issue invoices.")
    enqueue("billing.tasks.issue_drafts_of_run_task", run.pk, actor.user.pk)


def issue_invoice(*, invoice, by, on: date | None = None) -> Invoice:
    """Issue one draft (see issue_invoices)."""
    return issue_invoices(invoices=[invoice], by=by, on=on)[0]


@transaction.atomic
def void_invoice(*, invoice, by, reason: str, on: date | None = None) -> Invoice:
    """Void an issued invoice with nothing applied: reverse its entry, keep its number, release
    its billing records (the charges bill again)."""
    require(by, "billing.void_invoice", "You are not allowed to void invoices.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the invoice is void."})
    invoice = invoice_for_update(invoice.pk)
    day = business_date(on)
    if invoice.state != InvoiceState.ISSUED or invoice.amount_paid or invoice.amount_credited:
        raise ValidationError(f"{invoice} cannot be voided: only an issued invoice with no "
                              "payment or credit applied can.")
    if invoice.journal_entry_id:
        invoice.void_entry = reverse_entry(invoice.journal_entry, by=by, on=day, document=invoice,
                                           memo=f"Void of {invoice}: {reason.strip()}"[:255])
    BillingRecord.objects.filter(invoice=invoice).delete()
    invoice.amount_due = 0
    invoice = run_transition(invoice, "void", by=by, note=reason.strip(), on=day, day=day,
                             reason=reason.strip())
    record_event("invoice.voided", invoice)
    return invoice

