"""Invoice runs at scale: 10,000 and 100,000 active monthly subscriptions (one account, one
contract, one line each, taxed at one rate) billed by one run, from run start to every draft
created, then all of them issued (numbers, due schedules, journal entries, history).

Goals (2-core machine, one worker, the chunks taken in turn in this process): 100,000 drafts
in under 60 s and 100,000 issued in under 60 s, the time per invoice the same at both scales
(no query per row). Each figure prints invoices per second and the rows written per second as a
fraction of the raw PostgreSQL COPY rate measured in the same run (`bench.reference`).

Runs against DATABASE_URL (PostgreSQL); it migrates, removes what an earlier run of this
benchmark left (its accounts are named "Bench billing ..."), and seeds with bulk inserts.
"""

import os
import sys
import time
from datetime import date
from decimal import Decimal as D
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.contract_rows import delete_schedules, store_schedules
from bench.django_setup import setup_django  # noqa: E402
from bench.figures import emit  # noqa: E402
from bench.reference import copy_rate  # noqa: E402

# BENCH_BILLING_SCALES="1000,2000" for a quick try; the figures are the default two.
SCALES = tuple(int(n) for n in os.environ.get("BENCH_BILLING_SCALES", "10000,100000").split(","))
AS_OF = date(2026, 12, 15)
PREFIX = "Bench billing"
# Rows each invoice writes: draft = invoice, line, billing record, tax total; issue = journal
# entry, 2 + 1 journal lines (receivable, deferred revenue, tax payable), instalment, history
# row, and the invoice row updated.
DRAFT_ROWS, ISSUE_ROWS = 4, 7




def clean() -> None:
    """Remove what an earlier run of this benchmark wrote (raw SQL: posted entries refuse the
    ORM's delete, and 100k cascades one by one would take minutes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM django_content_type WHERE app_label='billing' "
                       "AND model='invoice'")
        invoice_type = cursor.fetchone()[0]
        cursor.execute("""
            CREATE TEMPORARY TABLE bench_entries AS
            SELECT id FROM ledger_journalentry WHERE source_type_id = %s""", [invoice_type])
        cursor.execute("DELETE FROM ledger_journalline WHERE entry_id IN "
                       "(SELECT id FROM bench_entries)")
        cursor.execute("UPDATE billing_invoice SET journal_entry_id = NULL, void_entry_id = NULL,"
                       " write_off_entry_id = NULL")
        cursor.execute("DELETE FROM ledger_journalentry WHERE id IN (SELECT id FROM bench_entries)")
        cursor.execute("DROP TABLE bench_entries")
        cursor.execute("DELETE FROM core_transitionlog WHERE content_type_id IN (SELECT id FROM "
                       "django_content_type WHERE app_label='billing')")
        cursor.execute("TRUNCATE billing_billingrecord, billing_invoicetax, billing_dueinstalment,"
                       " billing_usagerecord, billing_invoiceline, billing_creditnoteline,"
                       " billing_creditnotetax, billing_creditnote, billing_invoice,"
                       " billing_invoicerunchunk, billing_invoicerunfailure,"
                       " billing_invoicerun_accounts, billing_invoicerun CASCADE")
        cursor.execute("DELETE FROM core_numbersequence WHERE key LIKE 'invoice-%%'")
        delete_schedules(cursor, f"{PREFIX}%")
        cursor.execute("DELETE FROM contracts_contractline WHERE contract_id IN (SELECT c.id "
                       "FROM contracts_contract c JOIN customers_account a ON a.id = c.account_id"
                       " WHERE a.name LIKE %s)", [f"{PREFIX}%"])
        cursor.execute("DELETE FROM contracts_contract WHERE account_id IN (SELECT id FROM "
                       "customers_account WHERE name LIKE %s)", [f"{PREFIX}%"])
        cursor.execute("DELETE FROM customers_account WHERE name LIKE %s", [f"{PREFIX}%"])


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

    with connection.cursor() as cursor:  # the statistics a database in use would have
        cursor.execute("ANALYZE customers_account, contracts_contract, contracts_contractline, "
                       "contracts_scheduledcharge, contracts_schedulechange")


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


def main() -> None:
    setup_django()
    from billing.models import Invoice, InvoiceState, RunState
    from billing.services.issuing import issue_invoices
    from billing.services.runs import create_invoice_run
    from core.actors import Actor

    reference = copy_rate()
    emit("copy_rate_reference", rows_per_second=round(reference))
    clean()
    user, terms, product = fixtures()
    for bill_day, count in zip((10, 11), SCALES, strict=True):
        seed(count, bill_day, user, terms, product)
        actor = Actor.task("bench_billing")
        started = time.perf_counter()
        run = create_invoice_run(by=actor, as_of=AS_OF, bill_day=bill_day)
        drafted = time.perf_counter() - started
        run.refresh_from_db()
        drafts = list(run.invoices.values_list("pk", flat=True))
        assert run.state == RunState.COMPLETED and len(drafts) == count, (run.state, len(drafts))
        report("invoice_run_drafts", count, drafted, DRAFT_ROWS, reference)

        started = time.perf_counter()
        issue_invoices(invoices=drafts, by=actor, on=AS_OF)
        issued = time.perf_counter() - started
        assert Invoice.objects.filter(run=run, state=InvoiceState.ISSUED).count() == count
        report("invoice_issue_all", count, issued, ISSUE_ROWS, reference)


def report(figure: str, count: int, seconds: float, rows_per_invoice: int,
           reference: float) -> None:
    rows_per_second = count * rows_per_invoice / seconds
    emit(figure, invoices=count, seconds=round(seconds, 2),
         invoices_per_second=round(count / seconds),
         ms_per_1000_invoices=round(seconds * 1_000_000 / count, 1),
         rows_per_second=round(rows_per_second),
         ratio_to_copy=round(rows_per_second / reference, 4), goal_seconds_at_100k=60,
         load_average=round(os.getloadavg()[0], 1))


if __name__ == "__main__":
    main()
