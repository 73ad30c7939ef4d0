"""Invoices created through the billing service, the path the API and imports take: three-line
invoices for accounts in Texas (one sales tax rate), made in one batch (`create_invoices`) as
drafts, then made and issued in one batch (numbers, due schedules, journal entries, history),
and one at a time (a batch of one, issued) with its median server time, taken as in production:
DEBUG off, so no query is kept in a log (the one-at-a-time queries are counted apart, on one
more invoice of each kind).

Goals (2-core machine, PostgreSQL): 1,000 or more three-line invoices a second in a batch, with
the same checks, tax, numbering and journals as one at a time, and as many of their credit
notes; one at a time under 10 ms. The issued batch is credited whole in one batch of credit
notes (their PDFs and emails are left to the pending-documents task, as a worker would take
them). Each figure prints this process's CPU seconds (what other processes on the same cores do
not inflate), the rows written per second as a fraction of the raw COPY rate measured in the
same run (`bench.reference`) and the load average.

Runs against DATABASE_URL (PostgreSQL); removes what an earlier run left (the billing bench's
clean: its accounts are named "Bench billing ...").
"""

import os
import statistics
import sys
import time
from datetime import date
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_billing import PREFIX, clean, fixtures  # noqa: E402
from bench.django_setup import setup_django  # noqa: E402
from bench.figures import emit  # noqa: E402
from bench.reference import measure_references  # noqa: E402

BATCH = int(os.environ.get("BENCH_DOCUMENTS_BATCH", "2000"))
SINGLES = 200  # invoices made one at a time for the median
ON = date(2026, 12, 1)
# Rows per invoice: a draft is the invoice, 3 lines and 1 tax total; issuing adds the journal
# entry and its 5 lines (receivable, 3 deferred revenue, tax payable), 1 instalment, 1 history
# row, 1 event and the invoice row updated.
DRAFT_ROWS, ISSUE_ROWS = 5, 10
# A whole credit note: the note, 3 lines, 1 tax total, the entry and its 5 lines, its history
# row and event, the invoice's history row and its row updated.
NOTE_ROWS = 14


def seed(count: int, user, terms) -> list:
    from djmoney.money import Money

    from customers.models import Account

    return Account.objects.bulk_create([
        Account(name=f"{PREFIX} documents {n:06d}", country="US", region="TX", currency="USD",
                payment_terms=terms, owner=user, credit_limit=Money(D(0), "USD"))
        for n in range(count)], batch_size=5000)


def three_lines(account):
    from billing.services.drafts import Charge, NewInvoice

    return NewInvoice(account, (Charge("Licence", D(3), D("49.90")),
                                Charge("Support", D(1), D("120.00")),
                                Charge("Onboarding", D("2.5"), D("80.00"))))


def report(figure: str, count: int, seconds: float, rows: int, reference: float, *,
           cpu_from: float, **more):
    """`cpu_from`: this process's CPU time when the figure's work began."""
    rows_per_second = count * rows / seconds
    emit(figure, invoices=count, seconds=round(seconds, 3),
         cpu_seconds=round(time.process_time() - cpu_from, 3),
         invoices_per_second=round(count / seconds), rows_per_second=round(rows_per_second),
         ratio_to_copy=round(rows_per_second / reference, 4), **more,
         load_average=round(os.getloadavg()[0], 1))


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.models import CreditNoteReason
    from billing.services.credit_notes import NewCreditNote, issue_credit_notes
    from billing.services.drafts import create_invoices
    from core.actors import Actor

    reference = measure_references()
    clean()
    user, terms, _ = fixtures()
    by = Actor.task("bench_documents")
    accounts = seed(2 * BATCH + SINGLES + 2, user, terms)
    settings.DEBUG = False  # production's setting: DEBUG on would log every query it times

    started, cpu = time.perf_counter(), time.process_time()
    create_invoices(by=by, on=ON, invoices=[three_lines(a) for a in accounts[:BATCH]])
    report("documents_batch_create", BATCH, time.perf_counter() - started, DRAFT_ROWS,
           reference, cpu_from=cpu, goal_invoices_per_second=1000)

    started, cpu = time.perf_counter(), time.process_time()
    issued = create_invoices(by=by, on=ON, issue=True,
                             invoices=[three_lines(a) for a in accounts[BATCH:2 * BATCH]])
    report("documents_batch_create_and_issue", len(issued), time.perf_counter() - started,
           DRAFT_ROWS + ISSUE_ROWS, reference, cpu_from=cpu, goal_invoices_per_second=1000)

    started, cpu = time.perf_counter(), time.process_time()
    notes = issue_credit_notes(by=by, on=ON, notes=[
        NewCreditNote(invoice, CreditNoteReason.BILLING_ERROR, whole=True)
        for invoice in issued])
    report("documents_batch_credit_notes", len(notes), time.perf_counter() - started,
           NOTE_ROWS, reference, cpu_from=cpu, goal_invoices_per_second=1000)

    singles = accounts[2 * BATCH:]
    for label, issue in (("draft", False), ("create_and_issue", True)):
        mine, singles = singles[:SINGLES // 2 + 1], singles[SINGLES // 2 + 1:]
        with CaptureQueriesContext(connection) as queries:
            create_invoices(by=by, on=ON, issue=issue, invoices=[three_lines(mine[0])])
        times, cpu = [], time.process_time()
        for account in mine[1:]:
            started = time.perf_counter()
            create_invoices(by=by, on=ON, issue=issue, invoices=[three_lines(account)])
            times.append(time.perf_counter() - started)
        report(f"documents_one_at_a_time_{label}", len(times), sum(times),
               DRAFT_ROWS + (ISSUE_ROWS if issue else 0), reference, cpu_from=cpu,
               median_ms=round(statistics.median(times) * 1000, 2), goal_median_ms=10,
               queries=len(queries))


if __name__ == "__main__":
    main()
