"""Contracts for a benchmark, written as an import writes them: each line's charge schedule
stored (one schedule change per contract, its rows by COPY), and removed again."""


def store_schedules(contracts, lines) -> int:
    """Store the schedules of `lines` (saved, with their contract and product loaded) under
    one import change per contract; returns the number of rows."""
    from contracts.models import ScheduleChange, ScheduleChangeKind, ScheduledCharge
    from contracts.services.schedules import schedule_rows
    from core.bulk_rows import insert_rows

    changes = insert_rows(ScheduleChange, [
        ScheduleChange(contract=c, kind=ScheduleChangeKind.IMPORT, effective_on=c.start_on)
        for c in contracts])
    change_of = {change.contract_id: change for change in changes}
    rows = [row for line in lines for row in schedule_rows([line], change_of[line.contract_id])]
    for row in rows:
        row.change_id, row.line_id = row.change.pk, row.line.pk
    insert_rows(ScheduledCharge, rows)
    return len(rows)


def delete_schedules(cursor, account_name_like: str) -> None:
    """Remove the schedules of the benchmark's contracts (raw SQL: the tables hold millions)."""
    of_accounts = ("SELECT c.id FROM contracts_contract c JOIN customers_account a "
                   "ON a.id = c.account_id WHERE a.name LIKE %s")
    cursor.execute("DELETE FROM contracts_scheduledcharge WHERE line_id IN (SELECT id FROM "
                   f"contracts_contractline WHERE contract_id IN ({of_accounts}))",
                   [account_name_like])
    cursor.execute(f"DELETE FROM contracts_schedulechange WHERE contract_id IN ({of_accounts})",
                   [account_name_like])
