"""The daily dunning run over 100,000 open invoices on PostgreSQL: from run start to every step
taken (events recorded, reminder emails built and handed to the mail backend, overdue flags
set), with the standard policy. Goal: under 10 s on this 2-core machine with one worker.
Printed beside the wall time: this process's CPU time (what the machine's other work cannot
steal) and the load average.

The invoices are inserted in bulk as issued and unpaid, due on dates spread over the 60 days
before the run, so the run meets every step from the reminder before the due date to the
suspension (none is old enough to be written off: that step posts journals, timed by billing's
bench). Mail goes to Django's dummy backend: the messages are built, not sent.

Set-up: the run changes none of the seeded invoices (only its accounts' overdue flags), so a
rerun at the same size keeps the accounts, contacts and invoices and removes only what the last
run wrote (its steps, their emails with their history, webhook events and outbox messages);
another size, or seeded rows that were changed, start afresh. `setup_seconds` says what that
took (not part of the figure).
The figure also gives the queries the run sent (each COPY counted as one), the seconds spent
waiting on PostgreSQL in them and in commits (`db_seconds`, bench_revrec's meter), the rows
it inserted per second as a share of the COPY rate measured first (`ratio_to_copy`), and the
resident memory the run added (`rss_growth_mb`: flat from 10,000 to 100,000 invoices, as the run
takes them in chunks).
BENCH_DUNNING_PROFILE=30 prints the run's 30 costliest functions (cProfile, cumulative then own
time) and its 30 costliest statements to standard error; the profiler slows the run, so that
figure is not the benchmark's.
The URL configuration is loaded before the clock starts, as in a worker that has run any task
before (the emails' first pay link reverses a URL: about 0.35 s of CPU once per process).
"""

import cProfile
import os
import pstats
import sys
import time
from collections import defaultdict
from contextlib import nullcontext
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.django_setup import setup_django  # noqa: E402
from bench.figures import PeakRss, QueryMeter, emit  # noqa: E402
from bench.reference import measure_references  # noqa: E402

INVOICES = int(os.environ.get("BENCH_DUNNING_INVOICES", "100000"))  # fewer for a quick try
PER_ACCOUNT = 4
RUN_ON = date(2026, 11, 23)
PREFIX = "Bench dunning"
GOAL_SECONDS = 10
PROFILE = int(os.environ.get("BENCH_DUNNING_PROFILE", "0"))


ACCOUNTS = "SELECT id FROM customers_account WHERE name LIKE %s"
# The tables the run writes: vacuumed after a rerun's clean-up, so each run starts from tables
# in the same state whether seeded now or kept.
WRITTEN = ("payments_dunningevent", "core_event", "notifications_delivery", "core_transitionlog",
           "core_outboxmessage", "customers_account")


def _content_type(app_label: str, model: str) -> str:
    return (f"(SELECT id FROM django_content_type WHERE app_label = '{app_label}' "
            f"AND model = '{model}')")


def _run_rows() -> list[tuple[str, str]]:
    """Each table an earlier run inserted into, with the condition naming its rows, in the
    order they are deleted (each by an index): the steps' emails with their history, the
    steps' webhook events, the runs' history, their outbox messages, the runs with their chunks
    and steps."""
    step, delivery, run = (_content_type("payments", "dunningevent"),
                           _content_type("notifications", "delivery"),
                           _content_type("payments", "dunningrun"))
    emails = f"SELECT id FROM notifications_delivery WHERE content_type_id = {step}"
    return [
        ("core_transitionlog", f"content_type_id = {delivery} AND object_id IN ({emails})"),
        ("notifications_deliveryattachment", f"delivery_id IN ({emails})"),
        ("notifications_delivery", f"content_type_id = {step}"),
        ("core_event", f"content_type_id = {step}"),
        ("core_transitionlog", f"content_type_id = {run}"),
        ("core_outboxmessage", "task LIKE 'payments.tasks.%dunning%'"),
        ("payments_dunningevent", "true"), ("payments_dunningrunchunk", "true"),
        ("payments_dunningrun", "true")]


def clean_run(cursor) -> None:
    """Remove what an earlier run wrote and clear the overdue flags it set."""
    for table, where in _run_rows()[:-3]:
        cursor.execute(f"DELETE FROM {table} WHERE {where}")
    cursor.execute("TRUNCATE payments_dunningevent, payments_dunningrunchunk, payments_dunningrun "
                   "CASCADE")
    cursor.execute("UPDATE customers_account SET is_overdue = false, overdue_since = NULL "
                   "WHERE name LIKE %s AND is_overdue", [f"{PREFIX}%"])


def rows_written(cursor) -> int:
    """The rows the run inserted (its steps, emails, events, history and messages): what the
    share of the COPY rate counts. The accounts it flags overdue are updates, not counted."""
    cursor.execute(" + ".join(f"(SELECT count(*) FROM {table} WHERE {where})"
                              for table, where in _run_rows()).join(("SELECT ", "")))
    return cursor.fetchone()[0]


def clean_seed(cursor) -> None:
    """Remove the seeded accounts with their contacts and invoices."""
    for statement in (
            "DELETE FROM billing_dueinstalment WHERE invoice_id IN (SELECT id FROM "
            f"billing_invoice WHERE account_id IN ({ACCOUNTS}))",
            f"DELETE FROM billing_invoice WHERE account_id IN ({ACCOUNTS})",
            f"DELETE FROM customers_contact WHERE account_id IN ({ACCOUNTS})",
            "DELETE FROM customers_account WHERE name LIKE %s"):
        cursor.execute(statement, [f"{PREFIX}%"])


def seeded() -> bool:
    """This size's accounts and invoices are there as seeded (billing, issued and all due)."""
    from billing.models import Invoice, InvoiceState
    from customers.models import Account, BillingState

    accounts = Account.objects.filter(name__startswith=PREFIX)
    invoices = Invoice.objects.filter(account__in=accounts)
    return (accounts.count() == accounts.filter(billing_state=BillingState.BILLING).count()
            == INVOICES // PER_ACCOUNT
            and invoices.count() == INVOICES == invoices.filter(
                state=InvoiceState.ISSUED, amount_due=D("100.00")).count())


def seed() -> None:
    from django.contrib.auth import get_user_model

    from billing.models import Invoice, InvoiceKind, InvoiceState
    from core.bulk_rows import insert_rows
    from customers.models import Account, Contact, ContactRole, PaymentTerms

    owner, _ = get_user_model().objects.get_or_create(username="bench-dunning-owner")
    terms = PaymentTerms.objects.get(code="net-30")
    accounts = Account.objects.bulk_create([
        Account(name=f"{PREFIX} {n:06d}", country="US", currency="USD", payment_terms=terms,
                owner=owner) for n in range(INVOICES // PER_ACCOUNT)], batch_size=5000)
    Contact.objects.bulk_create([
        Contact(account=account, name="Billing contact", role=ContactRole.BILLING,
                email=f"billing{account.pk}@customer.example") for account in accounts],
        batch_size=5000)
    insert_rows(Invoice, [
        Invoice(number=f"DUN-{n:07d}", kind=InvoiceKind.MANUAL, account=accounts[n // PER_ACCOUNT],
                currency="USD", state=InvoiceState.ISSUED,
                issue_on=RUN_ON - timedelta(days=90), due_on=RUN_ON - timedelta(days=n % 60 - 5),
                subtotal=D("100.00"), total=D("100.00"), amount_due=D("100.00"),
                functional_currency="USD", fx_rate=D(1), functional_total=D("100.00"))
        for n in range(INVOICES)])


def set_up() -> None:
    """Clear the last run; seed afresh unless this size's invoices are kept; vacuum what the
    run writes and refresh the planner's statistics."""
    from django.db import connection

    with connection.cursor() as cursor:
        clean_run(cursor)
        if not seeded():
            clean_seed(cursor)
            seed()
        cursor.execute(f"VACUUM {', '.join(WRITTEN)}")
        cursor.execute("ANALYZE")


class Statements:
    """Each statement's text (numbers and parameters apart) with how often it ran and its
    seconds, for the profile: the statements that scan stand out."""

    def __init__(self):
        self.seen = defaultdict(lambda: [0, 0.0])

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen = self.seen[sql]
            seen[0] += 1
            seen[1] += time.perf_counter() - began

    def print(self, limit: int) -> None:
        costliest = sorted(self.seen.items(), key=lambda item: -item[1][1])[:limit]
        for sql, (count, seconds) in costliest:
            sys.stderr.write(f"{seconds:8.3f} s {count:5d}x  {sql[:300]}\n")


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.urls import get_resolver

    from core.actors import Actor
    from payments.models import DunningEvent, DunningRun
    from payments.services.dunning import run_dunning

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    get_resolver().reverse_dict  # noqa: B018 (a worker that reversed any URL has loaded them)
    reference = measure_references()
    began = time.perf_counter()
    set_up()
    setup_seconds = time.perf_counter() - began

    profiler, statements = (cProfile.Profile(), Statements()) if PROFILE else (None, None)
    timed = connection.execute_wrapper(statements) if statements else nullcontext()
    with PeakRss() as memory, QueryMeter() as meter, timed:
        started, started_cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        run = run_dunning(by=Actor.task("run_dunning"), on=RUN_ON)
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu

    run = DunningRun.objects.get(pk=run.pk)
    with connection.cursor() as cursor:
        written = rows_written(cursor)
    emit("dunning_run", invoices=INVOICES, seconds=round(seconds, 2),
         invoices_per_second=round(INVOICES / seconds),
         steps_taken=DunningEvent.objects.filter(run=run).count(), state=run.state,
         rows_written=written, ratio_to_copy=round(written / seconds / reference, 4),
         cpu_seconds=round(cpu, 2), queries=meter.queries, db_seconds=round(meter.db_seconds, 2),
         rss_growth_mb=memory.growth_mb, rss_mb=round(memory.peak),
         setup_seconds=round(setup_seconds, 1), goal_seconds=GOAL_SECONDS, profiled=bool(profiler),
         load_average=round(os.getloadavg()[0], 1))
    if profiler:
        for order in ("cumulative", "tottime"):
            pstats.Stats(profiler, stream=sys.stderr).sort_stats(order).print_stats(PROFILE)
        statements.print(PROFILE)


if __name__ == "__main__":
    main()
