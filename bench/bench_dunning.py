"""The daily dunning run over 100,000 open invoices on PostgreSQL: from run start to every step
taken (events recorded, reminder emails built and handed to the mail backend, overdue flags
set), with the standard policy. Goal: under 10 s on this 2-core machine with one worker.
Printed beside the wall time: this process's CPU time (what the machine's other work cannot
steal) and the load average.

The invoices are inserted in bulk as issued and unpaid, due on dates spread over the 60 days
before the run, so the run meets every step from the reminder before the due date to the
suspension (none is old enough to be written off: that step posts journals, timed by billing's
bench). Mail goes to Django's dummy backend: the messages are built, not sent.
"""

import os
import sys
import time
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.django_setup import setup_django  # noqa: E402
from bench.figures import emit  # noqa: E402

INVOICES = int(os.environ.get("BENCH_DUNNING_INVOICES", "100000"))  # fewer for a quick try
PER_ACCOUNT = 4
RUN_ON = date(2026, 11, 23)
PREFIX = "Bench dunning"
GOAL_SECONDS = 10


def clean() -> None:
    """Remove what an earlier run of this benchmark wrote (raw SQL: one statement a table)."""
    from django.db import connection

    accounts = "SELECT id FROM customers_account WHERE name LIKE %s"
    step = ("SELECT id FROM django_content_type WHERE app_label = 'payments' "
            "AND model = 'dunningevent'")
    delivery = ("SELECT id FROM django_content_type WHERE app_label = 'notifications' "
                "AND model = 'delivery'")
    with connection.cursor() as cursor:
        # the steps' emails, their history and webhook events point at them without a key
        cursor.execute(f"DELETE FROM core_transitionlog WHERE content_type_id = ({delivery}) "
                       f"AND object_id IN (SELECT id FROM notifications_delivery "
                       f"WHERE content_type_id = ({step}))")
        cursor.execute(f"DELETE FROM notifications_deliveryattachment WHERE delivery_id IN "
                       f"(SELECT id FROM notifications_delivery WHERE content_type_id = ({step}))")
        cursor.execute(f"DELETE FROM notifications_delivery WHERE content_type_id = ({step})")
        cursor.execute("DELETE FROM core_event WHERE type = 'dunning.escalated'")
        cursor.execute("TRUNCATE payments_dunningevent, payments_dunningrunchunk, "
                       "payments_dunningrun CASCADE")
        cursor.execute(f"DELETE FROM billing_dueinstalment WHERE invoice_id IN (SELECT id FROM "
                       f"billing_invoice WHERE account_id IN ({accounts}))", [f"{PREFIX}%"])
        cursor.execute(f"DELETE FROM billing_invoice WHERE account_id IN ({accounts})",
                       [f"{PREFIX}%"])
        cursor.execute(f"DELETE FROM customers_contact WHERE account_id IN ({accounts})",
                       [f"{PREFIX}%"])
        cursor.execute("DELETE FROM customers_account WHERE name LIKE %s", [f"{PREFIX}%"])


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


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.db import connection

    from core.actors import Actor
    from payments.models import DunningEvent, DunningRun
    from payments.services.dunning import run_dunning

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    clean()
    seed()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    started, started_cpu = time.perf_counter(), time.process_time()
    run = run_dunning(by=Actor.task("run_dunning"), on=RUN_ON)
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu

    run = DunningRun.objects.get(pk=run.pk)
    emit("dunning_run", invoices=INVOICES, seconds=round(seconds, 2),
         invoices_per_second=round(INVOICES / seconds),
         steps_taken=DunningEvent.objects.filter(run=run).count(), state=run.state,
         cpu_seconds=round(cpu, 2), goal_seconds=GOAL_SECONDS,
         load_average=round(os.getloadavg()[0], 1))


if __name__ == "__main__":
    main()
