"""Posting journal entries: validate every draft, then write them all at once.

The query count does not grow with the number of entries: one lookup of the GL accounts and the
customer accounts (two on SQLite), made before the transaction's writes, so a refused draft
leaves the caller's transaction as it was; then, without a savepoint, one read of the periods
locked FOR SHARE (plus one insert and one read when months are new), the gapless numbers in one
statement, one bulk insert of entries and one of lines (COPY on PostgreSQL, from tuples:
`core.bulk_rows.insert_tuples`), and one of the movements they make per posting day, GL account
and kind of source (`AccountMovement`, what balances sum).
"""

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction

from core import bulk_rows, clock
from core.actors import as_actor, system_user
from core.bulk_rows import insert_tuples
from core.dates import business_date, month_start
from core.numbering import next_numbers
from customers.models import Account
from ledger.drafts import EntryDraft, LineDraft, SourceRef, entry_errors, plainly_valid
from ledger.models import (
    AccountingPeriod,
    AccountMovement,
    GLAccount,
    JournalEntry,
    JournalLine,
)
from ledger.period_rules import month_end, posting_date

ENTRY_NUMBER_SERIES = "journal-entry"
ZERO = Decimal(0)


def _known(codes: set[str], customer_ids: set[int]) -> tuple[dict[str, tuple], set[int]]:
    """The GL accounts of `codes` as (id, active) by code, and which of `customer_ids` are
    customer accounts. On PostgreSQL one statement (both lists as array parameters, not one
    parameter per value): one round trip of the few an invoice issued alone takes (issue 23)."""
    if connection.vendor != "postgresql":
        return ({code: (pk, active) for code, pk, active in GLAccount.objects.filter(
                    code__in=codes).values_list("code", "pk", "active")},
                set(Account.objects.filter(pk__in=customer_ids).values_list("pk", flat=True))
                if customer_ids else set())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT code, id, active FROM {GLAccount._meta.db_table} "
                       "WHERE code = ANY(%s) UNION ALL "
                       f"SELECT NULL, id, NULL FROM {Account._meta.db_table} WHERE id = ANY(%s)",
                       [list(codes), list(customer_ids)])
        rows = cursor.fetchall()
    return ({code: (pk, active) for code, pk, active in rows if code is not None},
            {pk for code, pk, _ in rows if code is None})


def _validated_accounts(drafts: Sequence[EntryDraft]) -> dict[str, int]:
    """The GL account id of each code the drafts use, once every draft passed its checks. The
    quick check (`plainly_valid`) clears the usual draft; only the others are asked for their
    problems, each named (what a 100,000-contract recognition run would otherwise spend
    seconds formatting for messages nobody reads)."""
    accounts, customers = _known(
        {line.gl_code for d in drafts for line in d.lines},
        {line.customer_account_id for d in drafts for line in d.lines
         if line.customer_account_id is not None})
    known = {code: active for code, (_, active) in accounts.items()}
    currency = settings.FUNCTIONAL_CURRENCY
    errors = [error for number, draft in enumerate(drafts, 1)
              if not plainly_valid(draft, currency=currency, accounts=known,
                                   customer_ids=customers)
              for error in entry_errors(draft, number, currency=currency, accounts=known,
                                        customer_ids=customers)]
    if errors:
        raise ValidationError(errors, code="invalid_entry")
    return {code: pk for code, (pk, _) in accounts.items()}


def _locked_periods(*, since: date | None = None, months: Sequence[date] = ()
                    ) -> dict[date, AccountingPeriod]:
    """The periods from `since` on (else those starting on `months`), by first day, locked
    against a period transition until the commit. On PostgreSQL FOR SHARE (raw SQL: the ORM
    only says FOR UPDATE): postings at once share it, where FOR UPDATE made every posting wait
    for the one before it to commit (issue 23), while a transition's FOR UPDATE
    (`period_for_update`) waits for the postings in flight, and a posting waits for a
    transition in flight, then reads the period as it left it. SQLite has no row locks (one
    writer at a time): the ORM's read."""
    if connection.vendor != "postgresql":
        lookup = {"start_on__gte": since} if since else {"start_on__in": months}
        periods = AccountingPeriod.objects.filter(**lookup).order_by("pk")
    else:
        condition, value = (("start_on >= %s", since) if since
                            else ("start_on = ANY(%s)", list(months)))
        periods = AccountingPeriod.objects.raw(
            f"SELECT * FROM {AccountingPeriod._meta.db_table} WHERE {condition} "
            "ORDER BY id FOR SHARE", [value])
    return {period.start_on: period for period in periods}


def _landing_periods(dates: set[date]) -> dict[date, tuple[AccountingPeriod, date]]:
    """For each document date, the period and day it posts on (period_rules), creating the
    months that do not exist yet. The periods are locked, so none closes under the posting."""
    periods = _locked_periods(since=month_start(min(dates)))
    states = {start: p.state for start, p in periods.items()}
    posted = {day: posting_date(day, states) for day in dates}
    missing = {month_start(day) for day in posted.values()} - periods.keys()
    if missing:
        AccountingPeriod.objects.bulk_create(
            [AccountingPeriod(start_on=m, end_on=month_end(m)) for m in sorted(missing)],
            ignore_conflicts=True,  # another posting may create the same month first
        )
        periods |= _locked_periods(months=sorted(missing))
    landing = {day: (periods[month_start(on)], on) for day, on in posted.items()}
    if not all(period.is_open for period, _ in landing.values()):
        raise ValidationError("A period was closed while posting; post again.")
    return landing


def _source_columns(drafts: Sequence[EntryDraft]) -> list[tuple[int | None, int | None, str]]:
    models = {type(d.source) for d in drafts if d.source is not None
              and not isinstance(d.source, SourceRef)}
    content_types = ContentType.objects.get_for_models(*models) if models else {}
    columns = []
    for draft in drafts:
        source = draft.source
        if source is None:
            columns.append((None, None, draft.source_label))
        elif isinstance(source, SourceRef):
            columns.append((source.content_type_id, source.object_id, draft.source_label))
        else:
            label = draft.source_label or str(source)
            columns.append((content_types[type(source)].pk, source.pk, label[:100]))
    return columns


# Columns written per entry and per line, in the order `_write` builds their tuples.
ENTRY_FIELDS = ("number", "document_date", "posted_on", "period_id", "memo", "source_type_id",
                "source_id", "source_label", "reverses_id", "posted_by_id", "created_at")
MOVEMENT_FIELDS = ("posted_on", "gl_account_id", "source_type_id", "debit", "credit")
LINE_FIELDS = ("entry_id", "gl_account_id", "debit", "credit", "customer_account_id",
               "document_currency", "document_amount", "rate", "description")


def _append(model, fields: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert rows whose ids nobody reads back (lines, movements): on PostgreSQL one COPY that
    leaves the ids to the column's default, without first fetching a sequence value per row
    (a quarter of a recognition run's database time went to those); elsewhere `insert_tuples`.
    The lines of all the drafts go in one statement, so the database checks each entry's
    balance over them at once (migration 0011)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        insert_tuples(model, fields, rows)
        return
    meta = model._meta
    bulk_rows.copy_rows(connections[DEFAULT_DB_ALIAS], meta,
                        [meta.get_field(name).column for name in fields], rows)


# No savepoint (two round trips of the few an invoice issued alone takes, issue 23): the drafts
# were validated before, by reads outside it, so a refused draft leaves the caller's transaction
# as it was; a failure in here (a period closed meanwhile, a database error) fails the caller's
# transaction, or rolls back to the caller's own savepoint, as core.numbering does.
@transaction.atomic(savepoint=False)
def _write(drafts: Sequence[EntryDraft], accounts: dict[str, int], actor,
           reverses: Sequence[JournalEntry | None]) -> tuple[list[int], list[tuple], dict]:
    """Write validated drafts (`accounts`: their GL account ids by code); their new ids, entry
    rows (`ENTRY_FIELDS`) and the periods they landed in, by id. Rows go in as tuples (no model
    instance per entry or line: at 20,000 entries those cost as much as writing them)."""
    landing = _landing_periods({d.document_date for d in drafts})
    numbers = next_numbers(ENTRY_NUMBER_SERIES, len(drafts))
    poster = (actor.user or system_user()).pk  # a customer through a signed link has no user
    now = clock.now()
    rows = [
        (number, draft.document_date, landing[draft.document_date][1],
         landing[draft.document_date][0].pk, draft.memo, type_id, source_id, label,
         reversed_entry.pk if reversed_entry is not None else None, poster, now)
        for draft, number, (type_id, source_id, label), reversed_entry
        in zip(drafts, numbers, _source_columns(drafts), reverses, strict=True)
    ]
    ids = insert_tuples(JournalEntry, ENTRY_FIELDS, rows)
    _append(JournalLine, LINE_FIELDS, [
        (entry_id, accounts[line.gl_code], line.debit, line.credit, line.customer_account_id,
         line.document_currency, line.document_amount, line.rate, line.description[:255])
        for entry_id, draft in zip(ids, drafts, strict=True) for line in draft.lines
    ])
    _append(AccountMovement, MOVEMENT_FIELDS, _movements(drafts, rows, accounts))
    return ids, rows, {period.pk: period for period, _ in landing.values()}


def _movements(drafts: Sequence[EntryDraft], rows: Sequence[tuple],
               accounts: dict[str, int]) -> list[tuple]:
    """The lines' sums per posting day, GL account and kind of source (`MOVEMENT_FIELDS`)."""
    sums: dict[tuple, list] = {}
    for draft, row in zip(drafts, rows, strict=True):
        posted_on, source_type = row[2], row[5]
        for line in draft.lines:
            key = (posted_on, accounts[line.gl_code], source_type)
            total = sums.setdefault(key, [ZERO, ZERO])
            total[0] += line.debit
            total[1] += line.credit
    return [(*key, debit, credit) for key, (debit, credit) in sorted(
        sums.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or 0))]


def _entries(ids: Sequence[int], rows: Sequence[tuple], periods: dict) -> list[JournalEntry]:
    """The posted entries as instances (their period loaded), for callers that keep them."""
    entries = []
    for pk, row in zip(ids, rows, strict=True):
        entry = JournalEntry(pk=pk, **dict(zip(ENTRY_FIELDS, row, strict=True)))
        entry.period = periods[entry.period_id]
        entry._state.adding, entry._state.db = False, "default"
        entries.append(entry)
    return entries


def _check_actor(by):
    actor = as_actor(by)
    if not actor.has_perm("ledger.post_entries"):
        raise PermissionDenied("You are not allowed to post journal entries.")
    return actor


def _dated(entries: Iterable[EntryDraft], on: date | None) -> list[EntryDraft]:
    today = business_date(on)
    return [d if d.document_date is not None else replace(d, document_date=today)
            for d in entries]


def post_entries(entries: Iterable[EntryDraft], *, by,
                 on: date | None = None) -> list[JournalEntry]:
    """Validate every draft (any problem refuses them all, each named) and post them in one
    transaction with gapless numbers. A draft without a document date takes the business date
    `on`. A document dated in a closed or closing period posts on the first day of the earliest
    open period after it, keeping its document date."""
    actor = _check_actor(by)
    drafts = _dated(entries, on)
    if not drafts:
        return []
    return _entries(*_write(drafts, _validated_accounts(drafts), actor, [None] * len(drafts)))


def post_entry_ids(entries: Iterable[EntryDraft], *, by, on: date | None = None) -> list[int]:
    """`post_entries` for bulk paths that need only the new entries' ids, in the drafts' order:
    the same checks and writes, without an instance per entry."""
    actor = _check_actor(by)
    drafts = _dated(entries, on)
    if not drafts:
        return []
    return _write(drafts, _validated_accounts(drafts), actor, [None] * len(drafts))[0]


def post_entry(entry: EntryDraft, *, by, on: date | None = None) -> JournalEntry:
    """Post one entry (see post_entries)."""
    return post_entries([entry], by=by, on=on)[0]


def _owned_by(entry: JournalEntry, document) -> bool:
    if document is None or document.pk is None:
        return False
    content_type = ContentType.objects.get_for_model(type(document))
    return (entry.source_type_id, entry.source_id) == (content_type.pk, document.pk)


def document_entry_refusal(entry: JournalEntry) -> str:
    """Why an entry posted by a document cannot be reversed from the ledger ("" if it can)."""
    if not entry.source_type_id:
        return ""
    return (f"{entry.reference} belongs to {entry.source_label or 'its source document'}: "
            "correct it through the document (void, credit note or refund), not the ledger.")


@transaction.atomic
def reverse_entry(entry: JournalEntry, *, by, memo: str, on: date | None = None,
                  document=None) -> JournalEntry:
    """Post the mirror of a posted entry (debits and credits swapped, same accounts, customer,
    document amounts negated at the same rate), dated `on`; an entry is reversed at most once.

    An entry with a source document is the document's: only that document's own verb (void,
    credit note, refund), passing itself as `document`, may reverse it, so the document and
    the receivable it booked never part ways."""
    actor = _check_actor(by)
    original = JournalEntry.objects.select_for_update().get(pk=entry.pk)
    if original.source_type_id and not _owned_by(original, document):
        raise ValidationError(document_entry_refusal(original), code="document_entry")
    day = business_date(on)
    if JournalEntry.objects.filter(reverses=original).exists():
        raise ValidationError(f"{original.reference} is already reversed.")
    if not (memo or "").strip():
        raise ValidationError({"memo": "Say why the entry is reversed."})
    if day < original.document_date:
        raise ValidationError(f"A reversal cannot be dated before the entry it reverses "
                              f"({original.document_date.isoformat()}).")
    lines = [
        LineDraft(gl_code=line.gl_account.code, debit=line.credit, credit=line.debit,
                  customer_account_id=line.customer_account_id,
                  document_currency=line.document_currency,
                  document_amount=None if line.document_amount is None else -line.document_amount,
                  rate=line.rate, description=line.description)
        for line in original.lines.select_related("gl_account").order_by("pk")
    ]
    source = (SourceRef(original.source_type_id, original.source_id)
              if original.source_type_id else None)
    draft = EntryDraft(document_date=day, memo=memo.strip(), lines=lines, source=source,
                       source_label=original.source_label)
    return _entries(*_write([draft], _validated_accounts([draft]), actor, [original]))[0]
