"""The ledger's verbs. Later stages call these (never the models): `post_entries` / `post_entry`
with `EntryDraft`s, `reverse_entry`, manual journals with maker-checker, the period transitions,
and the exchange-rate helpers."""

from ledger.drafts import EntryDraft, LineDraft, SourceRef
from ledger.services.exports import export_file, export_journal_entries
from ledger.services.manual_journals import (
    approve_manual_journal,
    prepare_manual_journal,
    reject_manual_journal,
)
from ledger.services.periods import (
    cancel_close,
    close_period,
    ensure_period,
    reopen_period,
    start_close,
)
from ledger.services.posting import post_entries, post_entry, post_entry_ids, reverse_entry
from ledger.services.rates import RateImport, import_rate_file, rate_book, rate_on, to_functional

__all__ = [
    "EntryDraft", "LineDraft", "RateImport", "SourceRef",
    "approve_manual_journal", "cancel_close", "close_period", "ensure_period", "export_file",
    "export_journal_entries",
    "import_rate_file", "post_entries", "post_entry", "post_entry_ids", "prepare_manual_journal",
    "rate_book",
    "rate_on", "reject_manual_journal", "reopen_period", "reverse_entry", "start_close",
    "to_functional",
]
