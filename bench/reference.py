"""The reference write rate: COPY of invoice-line-shaped rows into an unlogged scratch table."""

import io
import os
import time
from datetime import date, timedelta

import psycopg

REFERENCE_DDL = """
CREATE TEMPORARY TABLE bench_reference_invoice_line (
    id bigserial PRIMARY KEY,
    invoice_id bigint NOT NULL,
    contract_line_id bigint NOT NULL,
    description varchar(255) NOT NULL,
    quantity numeric(19, 4) NOT NULL,
    unit_amount numeric(19, 4) NOT NULL,
    amount numeric(19, 4) NOT NULL,
    currency varchar(3) NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL
)
"""


def postgres_dsn() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("bench needs DATABASE_URL pointing at PostgreSQL, e.g. "
                         "postgres://postgres@127.0.0.1:5432/q2c_bench")
    return url


def ensure_database(dsn: str) -> None:
    """Create the benchmark database if it does not exist yet."""
    base, _, name = dsn.rpartition("/")
    try:
        psycopg.connect(dsn).close()
    except psycopg.OperationalError:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')


def _rows_csv(rows: int) -> io.StringIO:
    start = date(2026, 1, 1)
    buffer = io.StringIO()
    for i in range(rows):
        period_start = start + timedelta(days=i % 365)
        buffer.write(f"{i // 20}\t{i}\tSubscription line {i}\t{(i % 50) + 1}\t19.9900\t"
                     f"{((i % 50) + 1) * 19.99:.4f}\tUSD\t{period_start}\t"
                     f"{period_start + timedelta(days=30)}\n")
    buffer.seek(0)
    return buffer


def copy_rate(rows: int = 100_000) -> float:
    """Rows per second that COPY writes into the reference table on this database."""
    dsn = postgres_dsn()
    ensure_database(dsn)
    data = _rows_csv(rows)
    with psycopg.connect(dsn) as conn:
        conn.execute(REFERENCE_DDL)
        started = time.perf_counter()
        with conn.cursor().copy(
            "COPY bench_reference_invoice_line (invoice_id, contract_line_id, description, "
            "quantity, unit_amount, amount, currency, period_start, period_end) FROM STDIN"
        ) as copy:
            while chunk := data.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        elapsed = time.perf_counter() - started
    return rows / elapsed
