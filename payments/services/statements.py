"""Bank statement import: read a file whole (`payments.statement_file`), propose a match for
each money-in line, and let finance confirm the matches, which records each as a bank transfer
applied to its invoice. A file with any bad line is refused whole, each bad line named with its
line number and reason. Money-out lines (negative amounts) are not receipts and are left out.

A statement is read once: the same file (by its SHA-256) is refused before anything is stored,
and a line whose identity (date, amount, currency, reference, payer) is already on an earlier
statement is flagged as its repeat; a repeat of a recorded line can never be recorded again.
"""

import hashlib
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower

from billing.models import Invoice
from billing.models.invoices import OPEN_STATES
from core.actors import as_actor, require
from core.dates import business_date
from core.formatting import format_money
from customers.models import Account
from payments.models import PaymentMethodKind, StatementImport, StatementLine
from payments.selectors import INVOICE_NUMBER
from payments.services.cash import Application, record_payment
from payments.statement_file import MAX_BYTES, ReadLine, fingerprint, read_statement


class StatementRefused(ValidationError):
    """The file had bad lines; every one is listed, and nothing was saved."""


def _refuse_a_file_seen_before(digest: str) -> None:
    seen = StatementImport.objects.filter(file_sha256=digest).first()
    if seen is not None:
        raise StatementRefused(
            f"This statement was already imported on {seen.created_at:%Y-%m-%d} as "
            f"{seen.filename}; nothing was read again. Its lines are on that statement's page.",
            code="repeat_file")


def _statement_lines(raw: bytes, filename: str) -> list[ReadLine]:
    """The file's money-in lines, or StatementRefused listing every bad line."""
    lines, problems = read_statement(raw, currencies=settings.CURRENCIES,
                                     today=business_date(), filename=filename)
    if problems:
        raise StatementRefused(problems)
    return [line for line in lines if line.amount > 0]


def _matches(lines: list[ReadLine], accounts: dict[str, Account]) -> dict[int, tuple]:
    """(invoice, reason) per line number, as suggest_invoices decides, in two queries for the
    whole file: open invoices named in references, and open invoices due each amount."""
    open_invoices = Invoice.objects.filter(state__in=OPEN_STATES, amount_due__gt=0)
    numbers = {n.upper() for line in lines for n in INVOICE_NUMBER.findall(line.reference)}
    named = {i.number.upper(): i for i in open_invoices.filter(number__in=numbers)}
    by_amount = defaultdict(list)
    for invoice in open_invoices.filter(amount_due__in={line.amount for line in lines}):
        by_amount[(invoice.currency, invoice.amount_due)].append(invoice)
    matches = {}
    for line in lines:
        account = accounts.get(line.payer.lower())
        fits = [i for i in (named.get(n.upper()) for n in INVOICE_NUMBER.findall(line.reference))
                if i is not None and i.currency == line.currency
                and (account is None or i.account_id == account.pk)]
        if fits:
            matches[line.line] = (fits[0], f"{fits[0].number} is in the reference")
            continue
        exact = [i for i in by_amount[(line.currency, line.amount)]
                 if account is None or i.account_id == account.pk]
        if len(exact) == 1:
            matches[line.line] = (exact[0], f"the only open invoice due exactly "
                                            f"{format_money(line.amount, line.currency)}")
    return matches


def _earlier_lines(fingerprints: set[str]) -> dict[str, StatementLine]:
    """The earliest line of earlier statements per identity, a recorded one first."""
    earlier: dict[str, StatementLine] = {}
    for line in (StatementLine.objects.filter(fingerprint__in=fingerprints)
                 .order_by(F("payment").asc(nulls_last=True), "pk")):
        earlier.setdefault(line.fingerprint, line)
    return earlier


@transaction.atomic
def import_statement(*, file, filename: str, by) -> StatementImport:
    """Store the statement's money-in lines with a proposed match each (nothing is paid yet);
    a file imported before is refused whole, a line seen before is flagged as a repeat."""
    require(by, "payments.import_statement", "You are not allowed to import bank statements.")
    raw = file.read(MAX_BYTES + 1)  # a larger file is refused unread past its cap
    raw = raw.encode() if isinstance(raw, str) else raw
    digest = hashlib.sha256(raw).hexdigest()
    _refuse_a_file_seen_before(digest)
    lines = _statement_lines(raw, filename)
    payers = {line.payer.lower() for line in lines if line.payer}
    accounts = {}
    for account in Account.objects.annotate(lower=Lower("name")).filter(lower__in=payers):
        accounts.setdefault(account.lower, account)
    try:
        with transaction.atomic():  # two uploads of one file at once: the second is refused
            statement = StatementImport.objects.create(filename=filename[:255],
                                                       file_sha256=digest,
                                                       uploaded_by=as_actor(by).user)
    except IntegrityError:
        _refuse_a_file_seen_before(digest)
        raise
    matches = _matches(lines, accounts)
    fingerprints = {line.line: fingerprint(line) for line in lines}
    earlier = _earlier_lines(set(fingerprints.values()))
    rows = []
    for line in lines:
        invoice, reason = matches.get(line.line, (None, ""))
        account = invoice.account_id if invoice else getattr(
            accounts.get(line.payer.lower()), "pk", None)
        rows.append(StatementLine(
            statement=statement, line_number=line.line, booked_on=line.booked_on,
            amount=line.amount, currency=line.currency, reference=line.reference,
            payer=line.payer, account_id=account,
            suggested_invoice=invoice, match_reason=reason,
            fingerprint=fingerprints[line.line], repeat_of=earlier.get(fingerprints[line.line])))
    StatementLine.objects.bulk_create(rows)
    return statement


def _refuse_repeats(lines: list[StatementLine]) -> None:
    """A line whose identity was already recorded from another statement is not paid again."""
    recorded = {line.fingerprint: line for line in StatementLine.objects.filter(
        fingerprint__in={line.fingerprint for line in lines if line.fingerprint},
        payment__isnull=False).select_related("statement", "payment").order_by("pk")}
    errors = [f"Line {line.line_number} repeats line {seen.line_number} of "
              f"{seen.statement.filename}, already recorded as {seen.payment}; untick it."
              for line in lines
              if (seen := recorded.get(line.fingerprint)) is not None
              and seen.statement_id != line.statement_id]
    if errors:
        raise ValidationError(errors, code="repeat_line")


@transaction.atomic
def confirm_statement_lines(*, statement, line_ids, by) -> int:
    """Record each chosen line as a bank transfer from its account, applied to its proposed
    invoice as far as it is due (the rest is the account's credit balance)."""
    require(by, "payments.import_statement",
            "You are not allowed to confirm bank statement matches.")
    lines = list(statement.lines.select_for_update().filter(
        pk__in=list(line_ids), payment__isnull=True, account__isnull=False).order_by("pk"))
    _refuse_repeats(lines)
    due = dict(Invoice.objects.filter(pk__in={line.suggested_invoice_id for line in lines})
               .values_list("pk", "amount_due"))
    for line in lines:
        applications = []
        if line.suggested_invoice_id and due.get(line.suggested_invoice_id, 0) > 0:
            amount = min(line.amount, due[line.suggested_invoice_id])
            applications = [Application(line.suggested_invoice_id, amount)]
            due[line.suggested_invoice_id] -= amount
        line.payment = record_payment(
            account=line.account, method=PaymentMethodKind.BANK_TRANSFER, amount=line.amount,
            currency=line.currency, received_on=line.booked_on, by=by,
            reference=line.reference, applications=applications)
        line.save(update_fields=["payment"])
    return len(lines)
