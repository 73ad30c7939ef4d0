"""The audit pack of an accounting period: what an auditor asks for first, in one download.

Four sheets, each read in one query (the journal and the transitions streamed, so a period of
any size holds one row in memory): the trial balance (opening, movement and closing per account),
every journal line posted in the period with the document that made it, the close checklist's
sub-ledger ties as they stand, and every state change dated in the period with its actor. It
lives here, on the top floor, because the ties are revenue recognition's checklist and the
ledger may not read it.
"""

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from core.csv_files import SafeCsvWriter, safe_cell
from core.models import TransitionLog
from ledger.models import AccountingPeriod, JournalLine
from ledger.selectors import trial_balance
from revrec.checklist import close_checklist

CHUNK = 2_000  # rows fetched per round trip while streaming a sheet


@dataclass(frozen=True)
class Sheet:
    name: str  # also the CSV file's name in the ZIP
    header: Sequence[str]
    rows: Iterable[Sequence]


def _trial_balance(period: AccountingPeriod) -> Iterator[Sequence]:
    opening = {row.code: row for row in trial_balance(period.start_on - timedelta(days=1)).rows}
    movement = {row.code: row for row in trial_balance(period.end_on, since=period.start_on).rows}
    names = {row.code: row for row in [*opening.values(), *movement.values()]}
    for code in sorted(names):
        before, during = opening.get(code), movement.get(code)
        opening_balance = before.debit - before.credit if before else 0
        debit, credit = (during.debit, during.credit) if during else (0, 0)
        yield (code, names[code].name, names[code].type, opening_balance, debit, credit,
               opening_balance + debit - credit)


def _journal(period: AccountingPeriod) -> Iterator[Sequence]:
    lines = (JournalLine.objects
             .filter(entry__posted_on__range=(period.start_on, period.end_on))
             .order_by("entry__number", "pk")
             .values_list("entry__number", "entry__posted_on", "entry__document_date",
                          "entry__memo", "entry__source_type__model", "entry__source_label",
                          "entry__reverses__number", "entry__posted_by__username",
                          "gl_account__code", "gl_account__name", "customer_account__name",
                          "debit", "credit", "document_currency", "document_amount", "rate",
                          "description"))
    yield from lines.iterator(chunk_size=CHUNK)


def _ties(period: AccountingPeriod) -> Iterator[Sequence]:
    for check in close_checklist(period.start_on):
        yield check.label, "yes" if check.done else "NO", check.detail


def _transitions(period: AccountingPeriod) -> Iterator[Sequence]:
    logs = (TransitionLog.objects
            .filter(business_date__range=(period.start_on, period.end_on))
            .order_by("created_at", "pk")
            .values_list("business_date", "created_at", "content_type__app_label",
                         "content_type__model", "object_id", "transition", "source", "target",
                         "actor_kind", "actor_name", "actor_ip", "note"))
    for row in logs.iterator(chunk_size=CHUNK):
        yield (*row[:1], row[1].isoformat(timespec="seconds"), *row[2:])


def audit_pack_sheets(period: AccountingPeriod) -> list[Sheet]:
    currency = settings.FUNCTIONAL_CURRENCY
    return [
        Sheet("trial_balance", ["Account", "Name", "Type", f"Opening ({currency})",
                                f"Debit ({currency})", f"Credit ({currency})",
                                f"Closing ({currency})"], _trial_balance(period)),
        Sheet("journal", ["Entry", "Posted on", "Document date", "Memo", "Source kind",
                          "Source", "Reverses entry", "Posted by", "Account", "Account name",
                          "Customer", f"Debit ({currency})", f"Credit ({currency})",
                          "Document currency", "Document amount", "Rate", "Description"],
              _journal(period)),
        Sheet("subledger_ties", ["Check", "Holds", "Detail"], _ties(period)),
        Sheet("transitions", ["Business date", "Recorded at", "App", "Document kind",
                              "Document id", "Transition", "From", "To", "Actor kind", "Actor",
                              "Actor IP", "Note"], _transitions(period)),
    ]


def pack_name(period: AccountingPeriod) -> str:
    return f"audit-pack-{period.start_on:%Y-%m}"


def write_zip(sheets: Iterable[Sheet], file) -> None:
    """One CSV per sheet (UTF-8, formula cells escaped) in a ZIP archive."""
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in sheets:
            with archive.open(f"{sheet.name}.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = SafeCsvWriter(text)
                writer.writerow(sheet.header)
                writer.writerows(sheet.rows)
                text.flush()
                text.detach()


def write_xlsx(sheets: Iterable[Sheet], file) -> None:
    """One worksheet per sheet, written row by row (openpyxl's write-only mode)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = book.create_sheet(sheet.name)
        worksheet.append(list(sheet.header))
        for row in sheet.rows:
            worksheet.append([safe_cell(value) for value in row])
    book.save(file)
