"""Exports of journal entries to the general ledger of another accounting system.

Each entry goes into one export only (a unique link row per entry), so a period exported and
then "since the last export" never sends an entry twice. The export number is reserved first:
its sequence row stays locked to the end of the transaction, so two exports run one after the
other and the second sees the first one's links.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, Sum

from core import clock
from core.actors import as_actor
from core.company import seller
from core.money import round_money
from core.numbering import next_number
from ledger import gl_export
from ledger.models import (
    AccountingPeriod,
    ExportFormat,
    GLAccount,
    JournalLine,
    LedgerExport,
    LedgerExportEntry,
)
from ledger.selectors import export_lines, unexported_entries

EXPORT_NUMBER_SERIES = "ledger-export"


def account_map(codes) -> dict[str, list[str]]:
    """Our GL code → [target code, target name] for `codes`: the accountant's mapping, or the
    account's own code and name."""
    accounts = GLAccount.objects.filter(code__in=codes).select_related("export_mapping")
    result = {}
    for account in accounts:
        mapping = getattr(account, "export_mapping", None)
        result[account.code] = ([mapping.target_code, mapping.target_name or account.name]
                                if mapping else [account.code, account.name])
    return result


@transaction.atomic
def export_journal_entries(*, by, format: str, period: AccountingPeriod | None = None
                           ) -> LedgerExport:
    """Record an export of every entry not exported before (of `period` when given), with the
    account map as it stands, so that the file can be rebuilt identically later."""
    actor = as_actor(by)
    if not actor.has_perm("ledger.export_entries"):
        raise PermissionDenied("You are not allowed to export journal entries.")
    if format not in ExportFormat.values:
        raise ValidationError({"format": [f"Choose one of {', '.join(ExportFormat.values)}."]})
    number = next_number(EXPORT_NUMBER_SERIES)
    entry_ids = list(unexported_entries(period).values_list("pk", flat=True))
    if not entry_ids:
        scope = f"of {period}" if period is not None else "since the last export"
        raise ValidationError({"period": [f"Every journal entry {scope} is already exported: "
                                          "download the earlier export again instead."]})
    currency, now = settings.FUNCTIONAL_CURRENCY, clock.now()
    # The totals, dates and map are filled in below from the links, once these exist.
    export = LedgerExport.objects.create(
        number=number, period=period, format=format, created_by=actor.user, created_at=now,
        entry_count=len(entry_ids), line_count=0, total_debit=0, total_credit=0,
        first_posted_on=now.date(), last_posted_on=now.date(), account_map={})
    LedgerExportEntry.objects.bulk_create(
        [LedgerExportEntry(export=export, entry_id=pk) for pk in entry_ids], batch_size=2000)
    # Totals from the links just written, so they describe exactly the exported entries.
    lines = JournalLine.objects.filter(entry__export_link__export=export).order_by()
    totals = lines.aggregate(debit=Sum("debit"), credit=Sum("credit"), lines=Count("pk"),
                             first=Min("entry__posted_on"), last=Max("entry__posted_on"))
    export.line_count = totals["lines"]
    export.total_debit = round_money(totals["debit"], currency)
    export.total_credit = round_money(totals["credit"], currency)
    export.first_posted_on, export.last_posted_on = totals["first"], totals["last"]
    export.account_map = account_map(set(lines.values_list("gl_account__code", flat=True)))
    export.save()
    return export


def export_header(export: LedgerExport) -> gl_export.ExportHeader:
    company = seller()
    return gl_export.ExportHeader(
        reference=export.reference, created_at=export.created_at,
        currency=settings.FUNCTIONAL_CURRENCY, company_name=company.legal_name,
        company_id=company.company_id or company.vat_id, country=company.country,
        first_posted_on=export.first_posted_on, last_posted_on=export.last_posted_on,
        entry_count=export.entry_count, total_debit=export.total_debit,
        total_credit=export.total_credit, account_map=export.account_map)


def export_file(export: LedgerExport):
    """The export's file as text chunks and its content type (rebuilt the same every time from
    the stored links and account map; no writes)."""
    write = gl_export.csv_chunks if export.format == ExportFormat.CSV else gl_export.saft_chunks
    content_type = ("text/csv; charset=utf-8" if export.format == ExportFormat.CSV
                    else "application/xml; charset=utf-8")
    return write(export_header(export), export_lines(export)), content_type
