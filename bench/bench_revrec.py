"""Revenue recognition at scale: 10,000 and 100,000 active contracts of one yearly subscription
line each (one performance obligation, billed monthly, 12 monthly schedule lines), then:

- schedules: `create_revenue_contracts` for all of them (revenue contracts, obligations,
  allocation and 12 schedule lines each); goal under 60 s at 100,000;
- a recognition run for the first month over them (chunks taken in turn in this process, one
  journal entry each: the revenue and the contract asset reclass); goal under 15 s at 100,000
  (issue 23), with the resident memory the run adds (flat from 10,000 to 100,000: chunks are
  bounded);
- the revenue waterfall over the result (12 months ahead); goal under 1 s.

Each figure prints its seconds and rows written per second as a fraction of the raw PostgreSQL
COPY rate measured in the same run (`bench.reference`). Runs against DATABASE_URL (PostgreSQL);
it migrates, removes what an earlier run of this benchmark left (accounts named "Bench revrec
..."), and seeds with bulk inserts.
"""

import cProfile
import os
import pstats
import sys
import time
from datetime import date
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.contract_rows import delete_schedules, store_schedules
from bench.django_setup import setup_django  # noqa: E402
from bench.figures import PeakRss, QueryMeter, emit  # noqa: E402
from bench.reference import measure_references  # noqa: E402

# BENCH_REVREC_SCALES="1000,2000" for a quick try; the figures are the default two.
SCALES = tuple(int(n) for n in os.environ.get("BENCH_REVREC_SCALES", "10000,100000").split(","))
# BENCH_REVREC_PROFILE=30 prints the run's 30 costliest functions (cProfile, cumulative time)
# after each scale's figure; the profiler slows the run, so its figure is not the benchmark's.
# It counts CPU time (process_time), which the load of a shared machine does not inflate.
PROFILE = int(os.environ.get("BENCH_REVREC_PROFILE", "0"))
PREFIX = "Bench revrec"
# BENCH_REVREC_GOODS=2 gives each contract that many one-time lines of a point-in-time product
# besides the subscription (an open point-in-time obligation each, all the waterfall's
# "awaiting fulfilment" reads: the shape of the database the 100k figure of 0543923 ran in,
# which held the bill bench's 200,000 of them). Off by default: the figures are the default's.
GOODS = int(os.environ.get("BENCH_REVREC_GOODS", "0"))
# Rows written per contract: schedules = revenue contract, obligation, 12 schedule lines;
# run = 1 journal entry with 4 lines (revenue and reclass), an item, a revenue row, and one
# schedule line marked recognized.
SCHEDULE_ROWS, RUN_ROWS = 14, 8




def clean() -> None:
    """Remove what an earlier run of this benchmark wrote (raw SQL: posted entries refuse the
    ORM's delete)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM django_content_type WHERE app_label='revrec' "
                       "AND model='revenuecontract'")
        row = cursor.fetchone()
        cursor.execute("TRUNCATE revrec_recognizedrevenue, revrec_recognitionitem, "
                       "revrec_scheduleline, revrec_performanceobligation, "
                       "revrec_revenuecontract, revrec_recognitionrun CASCADE")
        if row:
            cursor.execute("DELETE FROM ledger_journalline WHERE entry_id IN (SELECT id FROM "
                           "ledger_journalentry WHERE source_type_id = %s)", [row[0]])
            cursor.execute("DELETE FROM ledger_journalentry WHERE source_type_id = %s", [row[0]])
            cursor.execute("DELETE FROM ledger_accountmovement WHERE source_type_id = %s",
                           [row[0]])
        cursor.execute("DELETE FROM core_transitionlog WHERE content_type_id IN (SELECT id FROM "
                       "django_content_type WHERE app_label='revrec' OR model='accountingperiod')")
        # the months bench_revrec_reports closed, with their kept balances
        cursor.execute("TRUNCATE ledger_closingbalance")
        cursor.execute("DELETE FROM ledger_accountingperiod p WHERE NOT EXISTS "
                       "(SELECT FROM ledger_journalentry e WHERE e.period_id = p.id)")
        delete_schedules(cursor, f"{PREFIX}%")
        cursor.execute("DELETE FROM contracts_contractline WHERE contract_id IN (SELECT c.id "
                       "FROM contracts_contract c JOIN customers_account a ON a.id = c.account_id"
                       " WHERE a.name LIKE %s)", [f"{PREFIX}%"])
        cursor.execute("DELETE FROM contracts_contract WHERE account_id IN (SELECT id FROM "
                       "customers_account WHERE name LIKE %s)", [f"{PREFIX}%"])
        cursor.execute("DELETE FROM customers_account WHERE name LIKE %s", [f"{PREFIX}%"])


def seed(count: int, start: date, user, terms, product, *, months: int = 12,
         goods=None) -> None:
    """`count` accounts, each with one active contract of one monthly line for `months`, and
    GOODS one-time lines of `goods` (a point-in-time product)."""
    from djmoney.money import Money

    from contracts.models import Contract, ContractLine, ContractState, LineStatus
    from core.dates import add_months
    from customers.models import Account

    end = add_months(start, months).replace(day=1)
    last = date.fromordinal(end.toordinal() - 1)
    accounts = Account.objects.bulk_create([
        Account(name=f"{PREFIX} {start:%m}-{n:06d}", country="US", region="TX", currency="USD",
                payment_terms=terms, owner=user, credit_limit=Money(D(0), "USD"))
        for n in range(count)], batch_size=5000)
    contracts = Contract.objects.bulk_create([
        Contract(number=f"CR-{start:%m}-{n:06d}", account=account, owner=user, currency="USD",
                 start_on=start, end_on=last, term_months=months, payment_terms=terms,
                 terms="Bench", state=ContractState.ACTIVE,
                 external_reference=f"bench-revrec-{start:%m}-{n}")
        for n, account in enumerate(accounts)], batch_size=5000)
    lines = ContractLine.objects.bulk_create([
        ContractLine(contract=contract, position=1, product=product, quantity=D(1),
                     billing_period="monthly", price_snapshot={}, list_unit_price=D("49.90"),
                     amount_per_period=D("49.90"), list_amount=D("49.90") * months,
                     net_amount=D("49.90") * months, start_on=start, end_on=last,
                     status=LineStatus.ACTIVE) for contract in contracts], batch_size=5000)
    if goods is not None and GOODS:
        lines += ContractLine.objects.bulk_create([
            ContractLine(contract=contract, position=2 + n, product=goods, quantity=D(1),
                         billing_period="one_time", price_snapshot={},
                         list_unit_price=D("120.00"), amount_per_period=D("120.00"),
                         list_amount=D("120.00"), net_amount=D("120.00"), start_on=start,
                         end_on=last, status=LineStatus.ACTIVE)
            for contract in contracts for n in range(GOODS)], batch_size=5000)
    store_schedules(contracts, lines)


def fixtures():
    from djmoney.money import Money

    from catalog.models import Product, StandaloneSellingPrice
    from core.actors import system_user
    from customers.models import PaymentTerms

    user = system_user()
    terms = PaymentTerms.objects.get(code="net-30")
    product, _ = Product.objects.get_or_create(sku="BENCH-REVREC", defaults={
        "name": "Bench revrec subscription", "kind": "subscription", "family": "Bench",
        "revenue_rule": "ratable"})
    StandaloneSellingPrice.objects.get_or_create(product=product, amount_currency="USD",
                                                 defaults={"amount": Money(D("49.90"), "USD")})
    goods, _ = Product.objects.get_or_create(sku="BENCH-REVREC-GOODS", defaults={
        "name": "Bench revrec goods", "kind": "physical", "family": "Bench goods",
        "revenue_rule": "point_in_time"})
    StandaloneSellingPrice.objects.get_or_create(product=goods, amount_currency="USD",
                                                 defaults={"amount": Money(D("120.00"), "USD")})
    return user, terms, product, goods


def analyze() -> None:
    """Refresh the planner's statistics and the visibility map after the bulk writes, as
    autovacuum would before long: with stale statistics PostgreSQL scans every schedule line
    for each chunk, and index-only scans need the visibility map."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("customers_account", "contracts_contract", "contracts_contractline",
                      "revrec_scheduleline", "revrec_performanceobligation",
                      "revrec_revenuecontract", "revrec_recognitionitem",
                      "revrec_recognizedrevenue", "ledger_journalentry", "ledger_journalline",
                      "ledger_accountmovement"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def report(figure: str, count: int, seconds: float, rows_per_contract: int, reference: float,
           goal: int, **extra) -> None:
    rows_per_second = count * rows_per_contract / seconds
    emit(figure, contracts=count, seconds=round(seconds, 2),
         contracts_per_second=round(count / seconds),
         rows_per_second=round(rows_per_second),
         ratio_to_copy=round(rows_per_second / reference, 4), goal_seconds_at_100k=goal,
         **extra, load_average=round(os.getloadavg()[0], 1))


def main() -> None:
    setup_django()
    from core.actors import Actor
    from core.dates import add_months
    from revrec.models import RecognitionItem, RunState, ScheduleLine
    from revrec.reports import revenue_waterfall
    from revrec.services import create_revenue_contracts, start_recognition_run

    reference = measure_references()
    clean()
    user, terms, product, goods = fixtures()
    actor = Actor.task("bench_revrec")
    for index, count in enumerate(SCALES):
        start = date(2026, 1 + index, 1)  # each scale in a month of its own, runs in order
        seed(count, start, user, terms, product, goods=goods)

        began = time.perf_counter()
        made = len(create_revenue_contracts(by=actor, on=start))
        # every live contract without one gets its revenue contract: another benchmark's in
        # the same database too, so the figure counts what was made. Only the count is kept:
        # the run below starts, as in a worker, without the 100,000 contracts made here alive
        # in the process (the garbage collector's full passes would walk them all)
        report("revrec_schedules", made, time.perf_counter() - began, SCHEDULE_ROWS,
               reference, 60, seeded=count)
        assert ScheduleLine.objects.filter(month=start).count() >= count
        analyze()

        profiler = cProfile.Profile(time.process_time) if PROFILE else None
        with PeakRss() as memory, QueryMeter() as meter:
            began, cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            run = start_recognition_run(month=start, by=actor, on=add_months(start, 1))
            if profiler:
                profiler.disable()
            seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        run.refresh_from_db()
        assert run.state == RunState.COMPLETED, (run.state, run.error)
        assert RecognitionItem.objects.filter(run=run).count() == run.contracts_done >= count
        # every contract the run recognized (an earlier scale's are in their next month)
        # cpu: this process's own seconds (Python), which the load of a shared machine moves
        # less than the wall clock
        report("revrec_recognition_run", run.contracts_done, seconds, RUN_ROWS, reference, 15,
               cpu_seconds=round(cpu, 2), queries=meter.queries,
               db_seconds=round(meter.db_seconds, 2), rss_growth_mb=memory.growth_mb,
               rss_mb=round(memory.peak), profiled=bool(profiler))
        if profiler:
            for order in ("cumulative", "tottime"):
                pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(PROFILE)

        began = time.perf_counter()
        table = revenue_waterfall(start=start, months=12)
        seconds = time.perf_counter() - began
        emit("revrec_waterfall", contracts=count, seconds=round(seconds, 3),
             rows=len(table.rows), goal_seconds_at_100k=1,
             load_average=round(os.getloadavg()[0], 1))


if __name__ == "__main__":
    main()
