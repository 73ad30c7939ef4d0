"""Raw PostgreSQL COPY rate of the reference invoice-line table.

Later benchmarks divide their write rates by this figure; beside it, the pure-Python rate
(`bench.reference.python_rate`) that the CPU-bound figures read against."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.figures import emit  # noqa: E402
from bench.reference import copy_rate, python_rate  # noqa: E402

ROWS = 100_000

if __name__ == "__main__":
    rate = max(copy_rate(ROWS) for _ in range(3))
    emit("pg_copy_rate_invoice_lines", rows=ROWS, rows_per_second=round(rate))
    emit("python_rate_invoice_lines", lines_per_second=round(python_rate()))
