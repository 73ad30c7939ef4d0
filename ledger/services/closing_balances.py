"""Closing balances: what each customer account holds on each GL account, per document
currency, at the end of a closed period (`ClosingBalance`), so that balances read the latest
kept period and the lines after it rather than every line since the books began.

A period's balances are kept when it closes with every earlier month closed: nothing can post
into those months any more (closed and missing earlier months take no postings,
`ledger.period_rules`), so the figure cannot change. Reopening a period removes its balances
and every later period's.
"""

from datetime import date

from django.db import connection

from ledger.models import AccountingPeriod, ClosingBalance, JournalEntry, JournalLine, PeriodState


def _keep_sql() -> str:
    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    return f"""
INSERT INTO {table(ClosingBalance)} (period_id, gl_account_id, customer_account_id,
                                      document_currency, functional, document)
SELECT %s, gl_account_id, customer_account_id, document_currency, SUM(functional), SUM(document)
FROM (
    SELECT gl_account_id, customer_account_id, document_currency, functional, document
    FROM {table(ClosingBalance)} WHERE period_id = %s
    UNION ALL
    SELECT l.gl_account_id, l.customer_account_id, l.document_currency, l.debit - l.credit,
           COALESCE(l.document_amount, l.debit - l.credit)
    FROM {table(JournalLine)} l JOIN {table(JournalEntry)} e ON e.id = l.entry_id
    WHERE l.customer_account_id IS NOT NULL AND e.posted_on > %s AND e.posted_on <= %s
) moved
GROUP BY gl_account_id, customer_account_id, document_currency
HAVING SUM(functional) <> 0 OR SUM(document) <> 0
"""


def keep_closing_balances(period: AccountingPeriod) -> bool:
    """Store the closing balances of `period` (closing in this transaction, locked) when every
    earlier month is closed: the latest kept period's balances plus the lines posted after it
    up to this period's end, in one statement. Whether they were kept."""
    earlier = AccountingPeriod.objects.filter(start_on__lt=period.start_on)
    if earlier.exclude(state=PeriodState.CLOSED).exists():
        return False  # a document dated in an open earlier month can still post there
    base = earlier.filter(balances_kept=True).order_by("-start_on").first()
    with connection.cursor() as cursor:
        cursor.execute(_keep_sql(), [period.pk, base.pk if base else None,
                                  base.end_on if base else date.min, period.end_on])
    AccountingPeriod.objects.filter(pk=period.pk).update(balances_kept=True)
    return True


def drop_closing_balances(period: AccountingPeriod) -> None:
    """Remove the kept balances of `period` (reopening, locked) and of every later period. The
    later periods are locked first, so a close computing its balances in flight commits before
    they are removed, and is removed with them."""
    later = AccountingPeriod.objects.filter(start_on__gte=period.start_on)
    list(later.select_for_update().order_by("pk").values_list("pk", flat=True))
    ClosingBalance.objects.filter(period__start_on__gte=period.start_on).delete()
    later.filter(balances_kept=True).update(balances_kept=False)
