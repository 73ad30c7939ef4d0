"""The close checklist and the revrec reports on two years of recognized revenue (issue 23):
N active contracts (BENCH_REVREC_REPORTS_SCALE, default 100,000) of one monthly line over three
years, their revenue contracts (36 schedule lines each) and the recognition runs of the first 24
months, taken as finance takes them; then each figure, goal under 1 s each:

- the close checklist of the 24th month (nine checks), the 23 months before it closed as each
  was recognized, so the ledger keeps their closing balances;
- the deferred revenue roll-forward over the 24 months;
- the disaggregation of revenue of the 24th month, and of the two years;
- the revenue waterfall of the 12 months left.

Each prints the median of three calls, its query count and the load average. Billing is not
seeded: the billed column and the receivables check read empty invoice tables, so these are the
figures of revrec's and the ledger's side. Runs against DATABASE_URL (PostgreSQL). The two years
take most of an hour to build at 100,000, so a database that already holds them whole (the
scale's accounts, its 24 completed runs and 23 closed months) is measured as it is; otherwise,
or with BENCH_REVREC_REPORTS_REBUILD=1, it removes what an earlier run of this benchmark or of
bench_revrec left, as bench_revrec does, and builds them. Two scales keep two datasets in two
databases (DATABASE_URL=.../q2c_bench_10k for the other one).
"""

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_revrec import PREFIX, analyze, clean, fixtures, seed  # noqa: E402
from bench.django_setup import setup_django  # noqa: E402
from bench.figures import emit  # noqa: E402

SCALE = int(os.environ.get("BENCH_REVREC_REPORTS_SCALE", "100000"))
REBUILD = os.environ.get("BENCH_REVREC_REPORTS_REBUILD") == "1"
FIRST = date(2024, 1, 1)
MONTHS, TERM = 24, 36
CALLS = 3


def load() -> float:
    return round(os.getloadavg()[0], 1)


def measure(figure: str, call) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    seconds, cpu = [], []
    for _ in range(CALLS):
        reset_queries()  # the runs before filled the log (9,000 at most): counts read 0
        with CaptureQueriesContext(connection) as queries:
            began, began_cpu = time.perf_counter(), time.process_time()
            call()
            seconds.append(time.perf_counter() - began)
            cpu.append(time.process_time() - began_cpu)
    # cpu: this process's own seconds (Python), which the load of a shared machine moves less
    emit(figure, contracts=SCALE, months=MONTHS, seconds=round(statistics.median(seconds), 3),
         cpu_seconds=round(statistics.median(cpu), 3), queries=len(queries), goal_seconds=1,
         load_average=load())


def built(last: date) -> bool:
    """The database holds this scale's two years whole, as `build` leaves them."""
    from customers.models import Account
    from ledger.models import AccountingPeriod, PeriodState
    from revrec.models import RecognitionRun, RunState

    return (Account.objects.filter(name__startswith=PREFIX).count() == SCALE
            and RecognitionRun.objects.filter(month__range=(FIRST, last),
                                              state=RunState.COMPLETED,
                                              contracts_done=SCALE).count() == MONTHS
            and AccountingPeriod.objects.filter(start_on__range=(FIRST, last),
                                                state=PeriodState.CLOSED,
                                                balances_kept=True).count() == MONTHS - 1)


def build() -> None:
    """The scale's accounts and contracts, their revenue contracts and 24 recognition runs, each
    month closed once recognized but the last."""
    from django.contrib.auth import get_user_model

    from core.actors import Actor
    from core.dates import add_months
    from core.roles import Role, assign_role
    from ledger import services as ledger
    from revrec.models import RunState
    from revrec.services import create_revenue_contracts, start_recognition_run

    clean()
    accountant, _ = get_user_model().objects.get_or_create(username="bench_accountant")
    assign_role(accountant, Role.ACCOUNTANT)
    user, terms, product, goods = fixtures()
    actor = Actor.task("bench_revrec_reports")
    began = time.perf_counter()
    seed(SCALE, FIRST, user, terms, product, months=TERM, goods=goods)
    create_revenue_contracts(by=actor, on=FIRST)
    analyze()
    runs, recognized = [], 0
    for n in range(MONTHS):
        month = add_months(FIRST, n)
        started = time.perf_counter()
        run = start_recognition_run(month=month, by=actor, on=add_months(month, 1))
        runs.append(time.perf_counter() - started)
        run.refresh_from_db()
        # each run covers every live contract of the database (it makes the revenue contracts
        # still missing first): another benchmark's in the same database join in
        assert run.state == RunState.COMPLETED and run.contracts_done >= SCALE, run.error
        recognized = max(recognized, run.contracts_done)
        if n < MONTHS - 1:  # the month is closed once recognized; the last is being closed
            period = ledger.start_close(ledger.ensure_period(month), by=accountant)
            ledger.close_period(period, by=accountant)
        # a month apart, autovacuum would have vacuumed and analyzed the month's writes (some
        # servers run without it: the runs then read every earlier month's dead schedule lines
        # with the statistics of the first)
        analyze()
    emit("revrec_two_years_seeded", contracts=SCALE, most_contracts_in_a_run=recognized,
         months=MONTHS,
         seconds=round(time.perf_counter() - began, 1),
         recognition_run_median_seconds=round(statistics.median(runs), 2),
         recognition_run_last_seconds=round(runs[-1], 2), load_average=load())


def main() -> None:
    setup_django()
    from core.dates import add_months
    from revrec.checklist import close_checklist
    from revrec.reports import (
        deferred_revenue_rollforward,
        revenue_disaggregation,
        revenue_waterfall,
    )

    last = add_months(FIRST, MONTHS - 1)
    if REBUILD or not built(last):
        build()
    else:
        emit("revrec_two_years_reused", contracts=SCALE, months=MONTHS)
    checks = close_checklist(last)
    recognition = next(check for check in checks if check.key == "recognition")
    assert recognition.done, recognition.detail
    measure("revrec_close_checklist", lambda: close_checklist(last))
    measure("revrec_rollforward_24_months",
            lambda: deferred_revenue_rollforward(first=FIRST, last=last))
    measure("revrec_disaggregation_month", lambda: revenue_disaggregation(first=last, last=last))
    measure("revrec_disaggregation_24_months",
            lambda: revenue_disaggregation(first=FIRST, last=last))
    measure("revrec_waterfall_12_months",
            lambda: revenue_waterfall(start=add_months(last, 1), months=12))


if __name__ == "__main__":
    main()
