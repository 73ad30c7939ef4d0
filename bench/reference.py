"""The machine's references, measured in the same run as a benchmark's figures: the write rate
(COPY of invoice-line-shaped rows into a scratch table) and the pure-Python rate (the kind of
work a worker's CPU does per line: Decimal sums rounded, a tuple and a dict per line). Machines
of one kind differ (a slower host halves both), so a figure reads beside them."""

import io
import os
import time
from datetime import date, timedelta
from decimal import Decimal

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


def python_rate(lines: int = 200_000) -> float:
    """Invoice-line-shaped pieces of work this process does per second (best of three)."""
    price, cent = Decimal("19.99"), Decimal("0.01")
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total, rows = Decimal(0), {}
        for i in range(lines):
            amount = (price * (i % 50 + 1) * Decimal("1.0625")).quantize(cent)
            total += amount
            rows[i % 1000] = (i, "Subscription line", amount, {"currency": "USD"})
        best = min(best, time.perf_counter() - started)
    return lines / best


def measure_references() -> float:
    """Print the machine's references (one JSON line, the load beside them); the COPY rate,
    which the benchmark's write rates are divided by."""
    from bench.figures import emit

    rate = copy_rate()
    emit("machine_reference", copy_rows_per_second=round(rate),
         python_lines_per_second=round(python_rate()))
    return rate
