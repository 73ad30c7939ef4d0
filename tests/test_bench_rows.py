"""The benchmarks build their data by SQL that names only the columns it sets. A column added by
a migration broke `make bench` at its first script (bench_analytics: `balances_kept`, then
`time_zone`, ...), and nothing in the suite noticed; `bench.table_rows.column_defaults` gives
the other columns their fields' defaults for the build's transaction (issue 23)."""

from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from bench.table_rows import column_defaults
from billing.models import Invoice
from customers.models import Account
from ledger.models import AccountingPeriod

pytestmark = [pytest.mark.django_db,
              pytest.mark.postgres("sets column defaults by ALTER TABLE, as the benches do")]

NOW = datetime(2026, 12, 1, tzinfo=UTC)
PERIOD_INSERT = ("INSERT INTO ledger_accountingperiod (start_on, end_on, state) "
                 "VALUES ('2031-01-01', '2031-01-31', 'open')")


def column_default(table: str, column: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_default FROM information_schema.columns "
                       "WHERE table_name = %s AND column_name = %s", [table, column])
        return cursor.fetchone()[0]


def test_an_insert_naming_only_some_columns_is_refused_without_the_defaults():
    with (pytest.raises(IntegrityError, match="balances_kept"), transaction.atomic(),
          connection.cursor() as cursor):
        cursor.execute(PERIOD_INSERT)


def test_the_columns_it_leaves_out_take_their_fields_defaults():
    with connection.cursor() as cursor, column_defaults(cursor, [AccountingPeriod, Account],
                                                        now=NOW):
        cursor.execute(PERIOD_INSERT)
        assert column_default("customers_account", "time_zone").startswith("''::")
        assert column_default("customers_account", "credit_limit") is not None  # a Money default

    period = AccountingPeriod.objects.get(start_on=date(2031, 1, 1))
    assert period.balances_kept is False and period.closed_at is None


def test_the_defaults_are_dropped_after_and_a_database_default_is_kept():
    assert column_default("billing_invoice", "cash_rounding") == "0"
    with connection.cursor() as cursor, column_defaults(cursor, [AccountingPeriod, Invoice],
                                                        now=NOW):
        assert column_default("ledger_accountingperiod", "balances_kept") == "false"
        assert column_default("billing_invoice", "updated_at") is not None  # auto_now: `now`

    assert column_default("ledger_accountingperiod", "balances_kept") is None
    assert column_default("billing_invoice", "updated_at") is None
    assert column_default("billing_invoice", "cash_rounding") == "0"
