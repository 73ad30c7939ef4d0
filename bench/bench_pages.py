"""The list pages and the account page on 1,000,000 invoices, on PostgreSQL: each page's server
time (the test client's request, from URL to rendered HTML) as the median of several requests,
with this process's CPU time per request (Python and templates: what the load average cannot
steal), the query count and the load average. Goal: every page under 150 ms with a constant
number of queries, at the first page, the next one and a page deep in the list (keyset pages,
core.pagination: a deep page costs what the first does).

Data (kept between runs; BENCH_PAGES_REBUILD=1 removes it and builds it again;
BENCH_PAGES_INVOICES=100000 for a quick try; BENCH_PAGES_ONLY=invoice_list,payment_list times
only the pages named): 10,000 accounts of 10 owners, 1,000,000 invoices over two years (four
per bill run timestamp, so the order has ties; paid, open, void and drafts), 250,000 payments,
20,000 contracts, 20,000 credit notes and 1,000,000 journal entries with 2,000,000 lines. Rows
go in by COPY from tuples (no model instances), the ids numbered here so that children can point
at their parents, then ANALYZE. Runs in its own database beside DATABASE_URL's
(`q2c_bench` gives `q2c_bench_pages`), as every benchmark does: the dunning benchmark would
otherwise take these open invoices for its own.
"""

import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.django_setup import setup_django  # noqa: E402
from bench.figures import emit  # noqa: E402
from bench.ledger_rows import add_movements, delete_entries, last_entry_number  # noqa: E402
from bench.table_rows import copy_fields, stored_default  # noqa: E402

INVOICES = int(os.environ.get("BENCH_PAGES_INVOICES", "1000000"))
ACCOUNTS = max(INVOICES // 100, 10)
OWNERS = 10
PAYMENTS, CONTRACTS, CREDIT_NOTES = INVOICES // 4, INVOICES // 50, INVOICES // 50
PREFIX = "Bench pages "
MEMO = "Bench pages"  # of its journal entries
FIRST_DAY = date(2024, 12, 1)
START = datetime(2024, 12, 1, 8, tzinfo=UTC)
RUNS = 9
GOAL_MS = 150


def load() -> float:
    return round(os.getloadavg()[0], 1)


def copy_rows(cursor, model, rows) -> int:
    """COPY plain rows (dicts by attname, the pk included) into the model's table; every other
    column gets its default (a column with a database default only is left to the database).
    Returns the rows written."""
    fields = copy_fields(model)
    defaults = [(f.attname, stored_default(f, START)) for f in fields]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    written = 0
    with cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([row.get(name, default) for name, default in defaults])
            written += 1
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                   f"(SELECT max(id) FROM \"{model._meta.db_table}\"))")
    return written


def people():
    from django.contrib.auth import get_user_model

    from core.roles import Role, assign_role

    users = get_user_model().objects
    owners = []
    for index in range(OWNERS):
        owner, _ = users.get_or_create(username=f"bench_pages_owner_{index}")
        assign_role(owner, Role.SALES_REP)
        owners.append(owner)
    finance, _ = users.get_or_create(username="bench_pages_finance")
    assign_role(finance, Role.FINANCE)
    accountant, _ = users.get_or_create(username="bench_pages_accountant")
    assign_role(accountant, Role.ACCOUNTANT)
    return owners, finance, accountant


def built(cursor) -> bool:
    cursor.execute("SELECT count(*) FROM customers_account WHERE name LIKE %s", [PREFIX + "%"])
    accounts = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM billing_invoice WHERE account_id IN (SELECT id FROM "
                   "customers_account WHERE name LIKE %s)", [PREFIX + "%"])
    return accounts == ACCOUNTS and cursor.fetchone()[0] == INVOICES


def clean(cursor) -> None:
    """Remove an earlier (possibly partial) dataset with raw SQL (posted entries refuse the
    ORM's delete)."""
    accounts = f"SELECT id FROM customers_account WHERE name LIKE '{PREFIX}%%'"
    delete_entries(cursor, "e.memo = %s", [MEMO])
    for statement in (
        f"DELETE FROM billing_creditnote WHERE account_id IN ({accounts})",
        f"DELETE FROM payments_payment WHERE account_id IN ({accounts})",
        f"DELETE FROM billing_invoice WHERE account_id IN ({accounts})",
        f"DELETE FROM contracts_contract WHERE account_id IN ({accounts})",
        f"DELETE FROM customers_account WHERE name LIKE '{PREFIX}%%'",
    ):
        cursor.execute(statement)


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


INVOICE_STATES = ["paid"] * 14 + ["issued"] * 3 + ["partially_paid", "void", "draft"]


def build(cursor, owners, finance) -> dict:
    from billing.models import CreditNote, Invoice
    from contracts.models import Contract
    from customers.models import Account, PaymentTerms
    from ledger.models import AccountingPeriod, GLAccount, JournalEntry, JournalLine
    from payments.models import Payment

    terms = PaymentTerms.objects.get(code="net-30")
    accounts = [a.pk for a in Account.objects.bulk_create([
        Account(name=f"{PREFIX}{n:06d}", country="US", currency="USD", payment_terms=terms,
                owner=owners[n % OWNERS]) for n in range(ACCOUNTS)], batch_size=5000)]
    hundred = D("100.00")
    first_invoice = _next_id(cursor, "billing_invoice")

    def invoices():
        for n in range(INVOICES):
            made = START + timedelta(minutes=(n // 4) * 4)  # a bill run's four at one time
            state = INVOICE_STATES[(n + n // ACCOUNTS) % len(INVOICE_STATES)]  # any owner's
            open_ = state in ("issued", "partially_paid")
            yield {"id": first_invoice + n, "account_id": accounts[n % ACCOUNTS],
                   "number": None if state == "draft" else f"BP-{n:07d}", "kind": "run",
                   "currency": "USD", "state": state, "created_at": made, "updated_at": made,
                   "issue_on": None if state == "draft" else made.date(),
                   "due_on": None if state == "draft" else made.date() + timedelta(days=30),
                   "subtotal": hundred, "total": hundred,
                   "amount_due": hundred if open_ else D(0),
                   "amount_paid": hundred if state == "paid" else D(0),
                   "functional_currency": "USD", "fx_rate": D(1), "functional_total": hundred}

    counts = {"accounts": len(accounts), "invoices": copy_rows(cursor, Invoice, invoices())}
    first = _next_id(cursor, "payments_payment")
    counts["payments"] = copy_rows(cursor, Payment, ({
        "id": first + n, "account_id": accounts[n % ACCOUNTS], "method": "bank_transfer",
        "amount": hundred, "currency": "USD", "state": "succeeded",
        "received_on": FIRST_DAY + timedelta(days=(n * 700) // PAYMENTS),
        "reference": f"BP-PAY-{n:07d}", "created_at": START} for n in range(PAYMENTS)))
    first = _next_id(cursor, "contracts_contract")
    counts["contracts"] = copy_rows(cursor, Contract, ({
        "id": first + n, "number": f"BP-C-{n:06d}", "account_id": accounts[n % ACCOUNTS],
        "external_reference": f"bench-pages-{n}", "owner_id": owners[n % OWNERS].pk,
        "currency": "USD", "start_on": FIRST_DAY, "end_on": FIRST_DAY + timedelta(days=729),
        "term_months": 24, "payment_terms_id": terms.pk, "terms": "Bench", "state": "active",
        "created_at": START + timedelta(minutes=30 * n), "updated_at": START}
        for n in range(CONTRACTS)))
    first = _next_id(cursor, "billing_creditnote")
    counts["credit_notes"] = copy_rows(cursor, CreditNote, ({
        "id": first + n, "invoice_id": first_invoice + n * 50, "account_id":
        accounts[(n * 50) % ACCOUNTS], "currency": "USD", "state": "issued",
        "number": f"BP-CN-{n:06d}", "reason": "billing_error", "created_by_id": finance.pk,
        "created_at": START + timedelta(minutes=50 * n), "updated_at": START,
        "issue_on": FIRST_DAY, "subtotal": hundred, "total": hundred,
        "functional_currency": "USD", "fx_rate": D(1), "functional_total": hundred}
        for n in range(CREDIT_NOTES)))
    for month in range(25):
        start = date(FIRST_DAY.year + (FIRST_DAY.month + month - 1) // 12,
                     (FIRST_DAY.month + month - 1) % 12 + 1, 1)
        end = date(start.year + start.month // 12, start.month % 12 + 1, 1) - timedelta(days=1)
        AccountingPeriod.objects.get_or_create(start_on=start, defaults={"end_on": end})
    periods = {(p.start_on.year, p.start_on.month): p.pk for p in AccountingPeriod.objects.all()}
    gl = dict(GLAccount.objects.values_list("code", "pk"))
    first = _next_id(cursor, "ledger_journalentry")
    number = last_entry_number(cursor) + 1

    def entry_days():
        for n in range(INVOICES):
            yield n, (START + timedelta(minutes=(n // 4) * 4)).date()

    counts["journal_entries"] = copy_rows(cursor, JournalEntry, ({
        "id": first + n, "number": number + n, "document_date": day, "posted_on": day,
        "period_id": periods[(day.year, day.month)], "memo": MEMO,
        "source_label": f"BP-{n:07d}", "posted_by_id": finance.pk, "created_at": START}
        for n, day in entry_days()))
    first_line = _next_id(cursor, "ledger_journalline")
    counts["journal_lines"] = copy_rows(cursor, JournalLine, (
        {"id": first_line + n, "entry_id": first + n // 2,
         "gl_account_id": gl["1100"] if n % 2 == 0 else gl["4000"],
         "debit": hundred if n % 2 == 0 else D(0), "credit": D(0) if n % 2 == 0 else hundred,
         "document_currency": "USD", "rate": D(1),
         "customer_account_id": accounts[(n // 2) % ACCOUNTS] if n % 2 == 0 else None}
        for n in range(2 * INVOICES)))
    counts["account_movements"] = add_movements(cursor, "e.memo = %s", [MEMO])
    for table in ("customers_account", "billing_invoice", "payments_payment",
                  "contracts_contract", "billing_creditnote", "ledger_journalentry",
                  "ledger_journalline"):
        cursor.execute(f"ANALYZE {table}")
    return counts


def time_page(client, url: str, query: dict) -> tuple[list[float], list[float], int]:
    """Wall times and this process's CPU times of RUNS requests (ms), and the query count."""
    from django.db import connection

    statements = []

    def counted(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counted):
        response = client.get(url, query)  # warm, and the query count
    assert response.status_code == 200, (url, response.status_code)
    times, cpu = [], []
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(url, query)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return times, cpu, len(statements)


def deep_cursor(queryset) -> str:
    """The cursor after the row halfway down the list (read once, by offset)."""
    from core.pagination import cursor_for

    middle = queryset.count() // 2
    return cursor_for(queryset, queryset[middle])


def pages(owners, finance, accountant) -> list[tuple]:
    """(figure, user, URL, query) of each page timed."""
    from django.urls import reverse

    from billing.models import CreditNote, Invoice
    from contracts.models import Contract
    from customers.models import Account
    from ledger.models import JournalEntry
    from payments.models import Payment

    invoices = Invoice.objects.order_by("-created_at", "-pk")
    big = Account.objects.filter(name__startswith=PREFIX).order_by("pk").first()
    return [
        ("invoice_list", finance, reverse("billing:invoices"), {}),
        ("invoice_list_next_page", finance, reverse("billing:invoices"),
         {"after": deep_cursor(invoices[:100])}),
        ("invoice_list_deep_page", finance, reverse("billing:invoices"),
         {"after": deep_cursor(invoices)}),
        ("invoice_list_open_state", finance, reverse("billing:invoices"), {"state": "issued"}),
        ("invoice_list_sales_rep", owners[3], reverse("billing:invoices"), {}),
        ("credit_note_list_deep_page", finance, reverse("billing_documents:credit_notes"),
         {"after": deep_cursor(CreditNote.objects.order_by("-created_at", "-pk"))}),
        ("payment_list", finance, reverse("payments:list"), {}),
        ("payment_list_deep_page", finance, reverse("payments:list"),
         {"after": deep_cursor(Payment.objects.order_by("-received_on", "-pk"))}),
        ("payment_list_one_account", finance, reverse("payments:list"), {"account": big.pk}),
        ("contract_list_deep_page", finance, reverse("contracts:list"),
         {"after": deep_cursor(Contract.objects.order_by("-created_at", "-pk"))}),
        ("journal_list", accountant, reverse("ledger:journal"), {}),
        ("journal_list_deep_page", accountant, reverse("ledger:journal"),
         {"after": deep_cursor(JournalEntry.objects.order_by("-posted_on", "-number"))}),
        ("account_page", finance, reverse("accounts:detail", args=[big.pk]), {}),
    ]


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client

    settings.DEBUG = False  # no query log kept per request (the counts are captured apart)
    owners, finance, accountant = people()
    with connection.cursor() as cursor:
        if os.environ.get("BENCH_PAGES_REBUILD") or not built(cursor):
            started = time.perf_counter()
            with transaction.atomic():
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:  # consistent by construction: no per-row FK checks
                    cursor.execute("SET LOCAL session_replication_role = replica")
                clean(cursor)
                counts = build(cursor, owners, finance)
            emit("pages_dataset_build", seconds=round(time.perf_counter() - started, 1),
                 load_average=load(), **counts)
        else:
            emit("pages_dataset_reused", invoices=INVOICES)
    only = set(filter(None, os.environ.get("BENCH_PAGES_ONLY", "").split(",")))
    clients = {}
    for figure, user, url, query in pages(owners, finance, accountant):
        if only and figure not in only:
            continue
        if user.pk not in clients:
            clients[user.pk] = Client()
            clients[user.pk].force_login(user)
        times, cpu, queries = time_page(clients[user.pk], url, query)
        emit(figure, invoices=INVOICES, runs=RUNS, median_ms=round(statistics.median(times), 1),
             max_ms=round(max(times), 1), cpu_median_ms=round(statistics.median(cpu), 1),
             queries=queries, goal_ms=GOAL_MS, load_average=load())


if __name__ == "__main__":
    main()
