"""Journal entries a benchmark writes or removes by SQL, kept as `ledger.services.post_entries`
keeps them: every posting also appends its sums per posting day, GL account and kind of source
to `ledger_accountmovement` (what balances and the trial balance sum), and the entry numbers
come from the gapless "journal-entry" series, which must not hand out a number again."""

ENTRY_NUMBER_SERIES = "journal-entry"

_MOVEMENTS = """
INSERT INTO ledger_accountmovement (posted_on, gl_account_id, source_type_id, debit, credit)
SELECT e.posted_on, l.gl_account_id, e.source_type_id, sum(l.debit), sum(l.credit)
FROM ledger_journalline l JOIN ledger_journalentry e ON e.id = l.entry_id
{join} WHERE {where}
GROUP BY e.posted_on, l.gl_account_id, e.source_type_id"""


def last_entry_number(cursor) -> int:
    """The last entry number taken (by the series or by rows written past it)."""
    cursor.execute("SELECT greatest((SELECT coalesce(max(number), 0) FROM ledger_journalentry), "
                   "(SELECT coalesce(max(last_value), 0) FROM core_numbersequence "
                   "WHERE key = %s))", [ENTRY_NUMBER_SERIES])
    return cursor.fetchone()[0]


def add_movements(cursor, entries_where: str, params=None) -> int:
    """Append the movements of the entries `e` matching `entries_where` (just written by SQL)
    and move the number series past their numbers; returns the movements written."""
    cursor.execute(_MOVEMENTS.format(join="", where=entries_where), params)
    written = cursor.rowcount
    cursor.execute("INSERT INTO core_numbersequence (key, last_value) "
                   "SELECT %s, coalesce(max(number), 0) FROM ledger_journalentry "
                   "ON CONFLICT (key) DO UPDATE SET last_value = "
                   "greatest(core_numbersequence.last_value, excluded.last_value)",
                   [ENTRY_NUMBER_SERIES])
    return written


def delete_entries(cursor, entries_where: str, params=None) -> None:
    """Delete the entries `e` matching `entries_where` with their lines, and restate the
    movements of every (posting day, GL account, kind of source) they touched from the lines
    that remain, so no balance keeps what was removed."""
    cursor.execute("CREATE TEMPORARY TABLE bench_gone_movement AS "
                   "SELECT DISTINCT e.posted_on, l.gl_account_id, e.source_type_id "
                   "FROM ledger_journalline l JOIN ledger_journalentry e ON e.id = l.entry_id "
                   f"WHERE {entries_where}", params)
    cursor.execute("DELETE FROM ledger_journalline WHERE entry_id IN (SELECT e.id FROM "
                   f"ledger_journalentry e WHERE {entries_where})", params)
    cursor.execute(f"DELETE FROM ledger_journalentry e WHERE {entries_where}", params)
    cursor.execute("DELETE FROM ledger_accountmovement m USING bench_gone_movement g "
                   "WHERE m.posted_on = g.posted_on AND m.gl_account_id = g.gl_account_id "
                   "AND m.source_type_id IS NOT DISTINCT FROM g.source_type_id")
    cursor.execute(_MOVEMENTS.format(
        join="JOIN bench_gone_movement g ON g.posted_on = e.posted_on "
             "AND g.gl_account_id = l.gl_account_id "
             "AND g.source_type_id IS NOT DISTINCT FROM e.source_type_id", where="true"))
    cursor.execute("DROP TABLE bench_gone_movement")
