"""Invoice runs at scale: 10,000 and 100,000 active monthly subscriptions (one account, one
contract, one line each, taxed at one rate) billed by one run, from run start to every draft
created, then all of them issued (numbers, due schedules, journal entries, history), by one and
then by two `celery worker` processes taking the run's chunks from the broker in parallel.

Goals (2-core machine): drafts and issue of 100,000 together under 60 s with one worker and under
30 s with two, the time per invoice the same at both scales (no query per row), and each
worker's resident memory the same at both scales (chunks bound what a worker holds). Each
figure prints invoices per second, the rows written per second as a fraction of the raw
PostgreSQL COPY rate measured in the same run (`bench.reference`), the workers' peak resident
memory and the load average.

Runs against DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis; default the local one) on a
queue of its own; it migrates, removes what an earlier run of this benchmark left (its accounts
are named "Bench billing ..."), and seeds with bulk inserts.
"""

import os
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.contract_rows import delete_schedules, store_schedules  # noqa: E402
from bench.django_setup import setup_django  # noqa: E402
from bench.figures import emit  # noqa: E402
from bench.ledger_rows import delete_entries  # noqa: E402
from bench.reference import measure_references, postgres_dsn  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# BENCH_BILLING_SCALES="10000" while developing; the figures are the default two.
SCALES = tuple(int(n) for n in os.environ.get("BENCH_BILLING_SCALES", "10000,100000").split(","))
# BENCH_BILLING_WORKERS="2" to skip the one-worker run.
WORKERS = tuple(int(n) for n in os.environ.get("BENCH_BILLING_WORKERS", "1,2").split(","))
BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
QUEUE = f"bench-billing-{os.getpid()}"
AS_OF = date(2026, 12, 15)
PREFIX = "Bench billing"
# Rows each invoice writes: draft = invoice, line, billing record, tax total; issue = journal
# entry, 2 + 1 journal lines (receivable, deferred revenue, tax payable), instalment, history
# row, event, and the invoice row updated.
DRAFT_ROWS, ISSUE_ROWS = 4, 8
POLL = 0.1  # seconds between looks at the run's progress


def clean() -> None:
    """Remove what an earlier run of this benchmark wrote (raw SQL: posted entries refuse the
    ORM's delete, and 100k cascades one by one would take minutes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE billing_invoice SET journal_entry_id = NULL, void_entry_id = NULL,"
                       " write_off_entry_id = NULL")
        cursor.execute("UPDATE billing_creditnote SET journal_entry_id = NULL")
        delete_entries(cursor, "e.source_type_id IN (SELECT id FROM django_content_type "
                               "WHERE app_label = 'billing')")
        cursor.execute("DELETE FROM core_transitionlog WHERE content_type_id IN (SELECT id FROM "
                       "django_content_type WHERE app_label='billing')")
        cursor.execute("TRUNCATE billing_billingrecord, billing_invoicetax, billing_dueinstalment,"
                       " billing_usagerecord, billing_invoiceline, billing_creditnoteline,"
                       " billing_creditnotetax, billing_creditnote, billing_invoice,"
                       " billing_invoicerunchunk, billing_invoicerunfailure,"
                       " billing_invoicerun_accounts, billing_invoicerun,"
                       # its references are triggers, which CASCADE does not follow
                       " payments_dunningevent CASCADE")
        cursor.execute("DELETE FROM core_numbersequence WHERE key LIKE 'invoice-%%'")
        cursor.execute("DELETE FROM core_outboxmessage WHERE task LIKE 'billing.%%'")
        delete_schedules(cursor, f"{PREFIX}%")
        cursor.execute("DELETE FROM contracts_contractline WHERE contract_id IN (SELECT c.id "
                       "FROM contracts_contract c JOIN customers_account a ON a.id = c.account_id"
                       " WHERE a.name LIKE %s)", [f"{PREFIX}%"])
        cursor.execute("DELETE FROM contracts_contract WHERE account_id IN (SELECT id FROM "
                       "customers_account WHERE name LIKE %s)", [f"{PREFIX}%"])
        cursor.execute("DELETE FROM customers_account WHERE name LIKE %s", [f"{PREFIX}%"])


SEEDED_TABLES = ("customers_account", "contracts_contract", "contracts_contractline",
                 "contracts_scheduledcharge", "contracts_schedulechange", "core_transitionlog",
                 "core_outboxmessage", "core_numbersequence", "ledger_journalentry",
                 "ledger_journalline", "ledger_accountmovement")


def seed(count: int, bill_day: int, user, terms, product) -> None:
    """`count` accounts in Texas, each with one active contract of one monthly line."""
    from djmoney.money import Money

    from contracts.models import Contract, ContractLine, ContractState, LineStatus
    from customers.models import Account
    from tests.billing.factories import snapshot

    start = date(2026, 12, bill_day)
    accounts = Account.objects.bulk_create([
        Account(name=f"{PREFIX} {bill_day}-{n:06d}", country="US", region="TX", currency="USD",
                payment_terms=terms, owner=user, bill_day=bill_day,
                credit_limit=Money(D(0), "USD")) for n in range(count)], batch_size=5000)
    contracts = Contract.objects.bulk_create([
        Contract(number=f"CB-{bill_day}-{n:06d}", account=account, owner=user, currency="USD",
                 start_on=start, end_on=date(2027, 12, bill_day - 1), term_months=12,
                 payment_terms=terms, terms="Bench", state=ContractState.ACTIVE,
                 external_reference=f"bench-{bill_day}-{n}")
        for n, account in enumerate(accounts)], batch_size=5000)
    price = snapshot("USD", "monthly", D("49.90"))
    lines = ContractLine.objects.bulk_create([
        ContractLine(contract=contract, position=1, product=product, quantity=D(1),
                     billing_period="monthly", bill_day=bill_day, price_snapshot=price,
                     amount_per_period=D("49.90"), net_amount=D("598.80"), start_on=start,
                     end_on=contract.end_on, status=LineStatus.ACTIVE)
        for contract in contracts], batch_size=5000)
    store_schedules(contracts, lines)
    from django.db import connection

    with connection.cursor() as cursor:
        # What the last run's clean-up deleted is vacuumed, as autovacuum would between runs
        # (some servers run without it: each run here then paid for all the earlier ones' dead
        # rows), and the statistics are those a database in use would have.
        cursor.execute(f"VACUUM ANALYZE {', '.join(SEEDED_TABLES)}")


def fixtures():
    from catalog.models import Product, TaxRate
    from core.actors import system_user
    from customers.models import PaymentTerms

    user = system_user()
    terms = PaymentTerms.objects.get(code="net-30")
    product, _ = Product.objects.get_or_create(sku="BENCH-SUB", defaults={
        "name": "Bench subscription", "kind": "subscription"})
    TaxRate.objects.get_or_create(name="Bench sales tax", country="US", region="TX",
                                  defaults={"percent": D("6.25"),
                                            "effective_from": date(2020, 1, 1)})
    return user, terms, product


class Workers:
    """`count` worker processes (solo pool: one task at a time each) on this benchmark's queue;
    their peak resident memory is read from /proc before they stop."""

    def __init__(self, count: int):
        env = {**os.environ, "DATABASE_URL": postgres_dsn(), "CELERY_BROKER_URL": BROKER,
               "CELERY_QUEUE": QUEUE, "DJANGO_SETTINGS_MODULE": "q2c.settings", "DEBUG": "0",
               "SECRET_KEY": "bench-billing-worker-only",
               "PAYMENT_WEBHOOK_SECRET": "bench-billing-worker-only",
               "DB_CONN_MAX_AGE": "60"}
        self.names = [f"{QUEUE}-{n}@bench" for n in range(count)]
        self.processes = [subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "q2c", "worker", "--pool=solo",
             f"--queues={QUEUE}", f"--hostname={name}", "--loglevel=warning",
             "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=sys.stderr) for name in self.names]  # stdout: figures only

    def wait_ready(self) -> None:
        from q2c.celery import app

        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if len(app.control.ping(destination=self.names, timeout=1.0)) == len(self.names):
                return
        raise SystemExit("the workers did not answer within two minutes")

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) of the workers, in MiB."""
        peaks = []
        for process in self.processes:
            with open(f"/proc/{process.pid}/status") as status:
                peaks += [int(line.split()[1]) for line in status if line.startswith("VmHWM")]
        return round(max(peaks) / 1024, 1)

    def cpu_seconds(self) -> float:
        """The CPU time (user + system) the workers have used so far: beside the wall time,
        the figure that other processes on the same cores do not inflate."""
        ticks = 0
        for process in self.processes:
            with open(f"/proc/{process.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=60)


def wait_for(done, what: str, limit: float = 1800) -> float:
    started, deadline = time.perf_counter(), time.monotonic() + limit
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not finish in {limit:.0f} s")
        time.sleep(POLL)
    return time.perf_counter() - started


def bill(count: int, workers: int, bill_day: int, reference: float) -> None:
    """One run of `count` subscriptions by `workers` processes: drafts, then issue by chunk."""
    from billing.models import Invoice, InvoiceRun, InvoiceState, RunState
    from billing.services.runs import create_invoice_run
    from billing.tasks import issue_run_chunk_task
    from core.actors import Actor, system_user
    from core.outbox import enqueue_many

    pool = Workers(workers)
    try:
        pool.wait_ready()
        started, cpu = time.perf_counter(), pool.cpu_seconds()
        run = create_invoice_run(by=Actor.task("bench_billing"), as_of=AS_OF, bill_day=bill_day)
        wait_for(lambda: InvoiceRun.objects.filter(
            pk=run.pk, state__in=[RunState.COMPLETED, RunState.FAILED]).exists(), "the run")
        drafted = time.perf_counter() - started
        run.refresh_from_db()
        drafts = run.invoices.filter(state=InvoiceState.DRAFT).count()
        assert run.state == RunState.COMPLETED and drafts == count, (run.state, drafts)
        drafting_cpu = pool.cpu_seconds() - cpu
        report("invoice_run_drafts", count, workers, drafted, DRAFT_ROWS, reference, pool,
               worker_cpu_seconds=round(drafting_cpu, 2))

        started, cpu = time.perf_counter(), pool.cpu_seconds()
        enqueue_many(issue_run_chunk_task, [[pk, system_user().pk] for pk in
                                            run.chunks.order_by("sequence").values_list(
                                                "pk", flat=True)])
        wait_for(lambda: not Invoice.objects.filter(run=run, state=InvoiceState.DRAFT).exists(),
                 "issuing")
        issued = time.perf_counter() - started
        assert Invoice.objects.filter(run=run, state=InvoiceState.ISSUED).count() == count
        issuing_cpu = pool.cpu_seconds() - cpu
        report("invoice_issue_all", count, workers, issued, ISSUE_ROWS, reference, pool,
               worker_cpu_seconds=round(issuing_cpu, 2))
        report("invoice_run_drafts_and_issue", count, workers, drafted + issued,
               DRAFT_ROWS + ISSUE_ROWS, reference, pool,
               goal_seconds_at_100k=60 if workers == 1 else 30,
               worker_cpu_seconds=round(drafting_cpu + issuing_cpu, 2))
    finally:
        pool.stop()


def main() -> None:
    setup_django(CELERY_BROKER_URL=BROKER, CELERY_QUEUE=QUEUE)
    reference = measure_references()
    clean()
    user, terms, product = fixtures()
    bill_day = 10
    for count in SCALES:
        for workers in WORKERS:
            seed(count, bill_day, user, terms, product)
            bill(count, workers, bill_day, reference)
            bill_day += 1


def report(figure: str, count: int, workers: int, seconds: float, rows_per_invoice: int,
           reference: float, pool: Workers, **more) -> None:
    rows_per_second = count * rows_per_invoice / seconds
    emit(figure, invoices=count, workers=workers, seconds=round(seconds, 2),
         invoices_per_second=round(count / seconds),
         ms_per_1000_invoices=round(seconds * 1_000_000 / count, 1),
         rows_per_second=round(rows_per_second),
         ratio_to_copy=round(rows_per_second / reference, 4),
         **more, worker_peak_rss_mb=pool.peak_rss_mb(), load_average=round(os.getloadavg()[0], 1))


if __name__ == "__main__":
    main()
