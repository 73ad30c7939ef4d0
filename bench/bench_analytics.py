"""The analytics page at scale: two years of history for 25,000 accounts (10 owners, USD and
EUR): 50,000 quotes in every outcome, 25,000 contracts with 100,000 monthly lines (new
business, expansions, contractions, churn), ~590,000 issued invoices with ~2.2 million lines,
and the receivables ledger they post to (a receivable debit at issue, a credit at payment; most
paid, some open and overdue), with monthly EUR rates.

Figures: the dataset build (only when missing), the nightly snapshot refresh (the beat task's
service), and the analytics page's server time as a finance user (median and max of several
requests: default period, one owner, one currency). Goal: the page under 300 ms.

Runs in its own database beside DATABASE_URL's (`q2c_bench` gives `q2c_bench_analytics`). The
dataset is written set-based by SQL (INSERT ... SELECT over generate_series) and kept between
runs: its accounts are named "Bench analytics ..."; BENCH_ANALYTICS_REBUILD=1 removes it and
builds it again. BENCH_ANALYTICS_ACCOUNTS sets the number of accounts (25,000 by default).
"""

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.django_setup import setup_django  # noqa: E402
from bench.figures import emit  # noqa: E402
from bench.ledger_rows import add_movements, delete_entries, last_entry_number  # noqa: E402
from bench.table_rows import column_defaults  # noqa: E402

PREFIX = "Bench analytics "
ACCOUNTS = int(os.environ.get("BENCH_ANALYTICS_ACCOUNTS", "25000"))  # e.g. 500 for a quick try
OWNERS, MONTHS = 10, 24
FIRST_MONTH = date(2024, 12, 1)  # month index 0; index 23 is November 2026
RUNS = 9
GOAL_MS = 300




def people():
    """Ten owners and a finance user (kept between runs)."""
    from django.contrib.auth import get_user_model

    from core.roles import Role, assign_role

    users = get_user_model().objects
    owners = []
    for index in range(OWNERS):
        owner, _ = users.get_or_create(username=f"bench_analytics_owner_{index}",
                                       defaults={"first_name": f"Owner {index}"})
        assign_role(owner, Role.SALES_REP)
        owners.append(owner)
    finance, _ = users.get_or_create(username="bench_analytics_finance")
    assign_role(finance, Role.FINANCE)
    return owners, finance


def month(expr: str) -> str:
    """SQL: the first day of month index `expr`."""
    return f"(DATE '{FIRST_MONTH}' + make_interval(months => ({expr})::int))::date"


def built(cursor) -> bool:
    cursor.execute("SELECT count(*) FROM customers_account WHERE name LIKE %s", [PREFIX + "%"])
    accounts = cursor.fetchone()[0]
    cursor.execute("SELECT count(*) FROM ledger_journalentry WHERE memo = 'Bench analytics "
                   "payment'")
    return accounts == ACCOUNTS and cursor.fetchone()[0] > 0


def clean(cursor) -> None:
    """Remove an earlier (possibly partial) dataset: raw SQL, as posted entries refuse the ORM's
    delete and cascades row by row would take minutes."""
    like = [PREFIX + "%"]
    delete_entries(cursor, "e.memo LIKE %s", like)
    accounts = "SELECT id FROM customers_account WHERE name LIKE %s"
    for statement in (
        f"DELETE FROM billing_invoiceline WHERE invoice_id IN (SELECT id FROM billing_invoice "
        f"WHERE account_id IN ({accounts}))",
        f"DELETE FROM billing_invoice WHERE account_id IN ({accounts})",
        f"DELETE FROM contracts_contractline WHERE contract_id IN (SELECT id FROM "
        f"contracts_contract WHERE account_id IN ({accounts}))",
        f"DELETE FROM contracts_contract WHERE account_id IN ({accounts})",
        f"DELETE FROM quotes_quote WHERE account_id IN ({accounts})",
        "DELETE FROM analytics_mrrsnapshot", "DELETE FROM analytics_mrrmonth",
        "DELETE FROM analytics_receivablemonth",
        "DELETE FROM customers_account WHERE name LIKE %s",
    ):
        cursor.execute(statement, like if "%s" in statement else None)


def fixtures(cursor, finance) -> dict:
    from django.contrib.contenttypes.models import ContentType

    from billing.models import Invoice
    from catalog.models import PriceBook, Product
    from core.dates import add_months
    from customers.models import PaymentTerms
    from ledger.models import GLAccount
    from ledger.services import ensure_period

    product, _ = Product.objects.get_or_create(sku="BENCH-AN-SUB", defaults={
        "name": "Bench analytics subscription", "kind": "subscription"})
    book, _ = PriceBook.objects.get_or_create(name="Bench analytics", defaults={
        "currency": "USD", "effective_from": date(2024, 1, 1)})
    gl = dict(GLAccount.objects.values_list("code", "pk"))
    for index in range(-1, MONTHS + 1):
        ensure_period(add_months(FIRST_MONTH, index))
        cursor.execute(f"INSERT INTO ledger_exchangerate (currency, valid_on, rate) "
                       f"VALUES ('EUR', {month(index)}, {1.05 + (index % 7) / 100:.4f}) "
                       f"ON CONFLICT (currency, valid_on) DO NOTHING")
    return {"product": product.pk, "book": book.pk, "finance": finance.pk,
            "terms": PaymentTerms.objects.get(code="net-30").pk,
            "receivable": gl["1100"], "revenue": gl["4000"], "cash": gl["1000"],
            "invoice_type": ContentType.objects.get_for_model(Invoice).pk}


def build(cursor, owners, ids: dict) -> dict:
    """Every table set-based; returns the rows written per table."""
    from django.utils import timezone

    from billing.models import Invoice, InvoiceLine
    from contracts.models import Contract, ContractLine
    from customers.models import Account
    from ledger.models import JournalEntry, JournalLine
    from quotes.models import Quote

    params = {**ids, "owners": [o.pk for o in owners], "prefix": PREFIX,
              "entry_number": last_entry_number(cursor)}
    today = date.today()
    steps = [
        ("accounts", f"""
        INSERT INTO customers_account (name, legal_name, tax_id, country, region,
            billing_street, billing_city, billing_postal_code, shipping_street, shipping_city,
            shipping_postal_code, currency, credit_limit_currency, credit_limit, tax_exempt,
            status, is_overdue, created_at, updated_at, owner_id, payment_terms_id, bill_day,
            tax_exemption_reason, vat_id, buyer_reference, purchase_order, payment_means,
            mandate_reference, debtor_iban, document_language, einvoice_format, peppol_id,
            vat_check)
        SELECT %(prefix)s || lpad(n::text, 6, '0'), '', '', 'US', 'TX', '', '', '', '', '', '',
            CASE WHEN n %% 10 < 3 THEN 'EUR' ELSE 'USD' END, 'USD', 0, false, 'active', false,
            now(), now(), (%(owners)s::int[])[1 + n %% {OWNERS}], %(terms)s, 1,
            '', '', '', '', 'credit_transfer', '', '', 'en', '', '', '{{}}'
        FROM generate_series(1, {ACCOUNTS}) n"""),
        (None, """
        CREATE TEMPORARY TABLE ba_account AS
        SELECT substring(name FROM length(%(prefix)s) + 1)::int AS n, id, currency, owner_id,
            CASE WHEN substring(name FROM length(%(prefix)s) + 1)::int %% 10 = 0
                 THEN 1 + substring(name FROM length(%(prefix)s) + 1)::int %% 12 ELSE 0 END
                AS first_month,
            CASE WHEN substring(name FROM length(%(prefix)s) + 1)::int %% 20 = 3
                 THEN 12 + substring(name FROM length(%(prefix)s) + 1)::int %% 11 ELSE 35 END
                AS last_month
        FROM customers_account WHERE name LIKE %(prefix)s || '%%'"""),
        ("quotes", f"""
        INSERT INTO quotes_quote (number, version, kind, currency, start_on, term_months,
            expires_on, customer_notes, internal_notes, state, list_total, discount_total,
            one_time_total, recurring_monthly, annual_contract_value, total_contract_value,
            tax_estimate, submitted_at, approved_at, sent_at, sent_pdf_sha256, decided_at,
            signer_name, signer_title, signer_user_agent, signed_pdf_sha256, decline_reason,
            created_at, updated_at, account_id, owner_id, payment_terms_id, price_book_id)
        SELECT 'BA-Q-' || lpad(a.n::text, 6, '0') || '-' || j, 1, 'new', a.currency,
            {month("q.m")}, 12, {month("q.m")} + 45, '', '',
            CASE WHEN q.o < 4 THEN 'accepted' WHEN q.o < 6 THEN 'declined'
                 WHEN q.o < 8 THEN 'expired' ELSE 'sent' END,
            q.list, q.list * (a.n %% 20) / 100, 0, (q.list - q.list * (a.n %% 20) / 100) / 12,
            q.list - q.list * (a.n %% 20) / 100, q.list - q.list * (a.n %% 20) / 100, 0,
            q.created + interval '1 hour', q.created + interval '2 hours',
            q.created + make_interval(hours => 2 + a.n %% 72), '',
            CASE WHEN q.o < 8 THEN q.created + make_interval(hours => 80 + (a.n * 3) %% 240)
            END, '', '', '', '', '', q.created, q.created, a.id, a.owner_id, %(terms)s,
            %(book)s
        FROM ba_account a CROSS JOIN generate_series(1, 2) j
        CROSS JOIN LATERAL (SELECT (a.n + j * 11) %% {MONTHS} AS m, (a.n + j) %% 10 AS o,
            (1200 + (a.n %% 40) * 60)::numeric AS list,
            ({month("(a.n + j * 11) %% 24")} + make_interval(days => a.n %% 20, hours => 9))
                ::timestamptz AS created) q"""),
        ("contracts", f"""
        INSERT INTO contracts_contract (number, currency, start_on, end_on, term_months,
            auto_renew, renewal_term_months, uplift_percent, renewal_notice_days, terms,
            total_contract_value, recurring_monthly, state, document_sha256, signer_name,
            signer_title, signer_user_agent, signed_document_sha256, activated_on, ended_on,
            created_at, updated_at, account_id, owner_id, payment_terms_id, external_reference)
        SELECT 'BA-C-' || lpad(n::text, 6, '0'), currency, {month("first_month")},
            {month("last_month + 1")} - 1, 24, true, 12, 0, 60, 'Bench', 0, 0,
            CASE WHEN last_month < {MONTHS} THEN 'terminated' ELSE 'active' END, '', '', '',
            '', '', {month("first_month")},
            CASE WHEN last_month < {MONTHS} THEN {month("last_month + 1")} - 1 END,
            now(), now(), id, owner_id, %(terms)s, 'bench-analytics-' || n
        FROM ba_account"""),
        # Four monthly lines per contract: a base, an add-on, an expansion starting later and
        # a line that some accounts drop (contraction); churned accounts end them all.
        (None, """
        CREATE TEMPORARY TABLE ba_line AS
        SELECT a.n, a.id AS account_id, a.currency, c.id AS contract_id, k,
            CASE WHEN k = 3 THEN least(a.first_month + 1 + a.n %% 4, a.last_month)
                 ELSE a.first_month END AS first_month,
            CASE WHEN k = 4 AND a.n %% 7 = 0 THEN least(a.first_month + 6 + a.n %% 6,
                                                        a.last_month)
                 ELSE a.last_month END AS last_month,
            (CASE k WHEN 1 THEN 100 + (a.n %% 37) * 5 WHEN 2 THEN 49.90
                    WHEN 3 THEN 25 * (1 + a.n %% 4) ELSE 15 END)::numeric AS amount
        FROM ba_account a JOIN contracts_contract c ON c.account_id = a.id
        CROSS JOIN generate_series(1, 4) k"""),
        ("contract_lines", f"""
        INSERT INTO contracts_contractline (position, description, quantity, billing_period,
            price_snapshot, discount_percent, included, list_unit_price, amount_per_period,
            list_amount, discount_amount, net_amount, start_on, end_on, status, contract_id,
            product_id, billing_alignment, bill_day, proration_convention)
        SELECT k, 'Bench analytics line ' || k, 1, 'monthly', '{{}}', 0, false, amount, amount,
            amount, 0, amount, {month("first_month")}, {month("last_month + 1")} - 1,
            CASE WHEN last_month < {MONTHS - 1} THEN 'ended' ELSE 'active' END, contract_id,
            %(product)s, 'bill_day', 1, 'actual'
        FROM ba_line"""),
        (None, "CREATE TEMPORARY TABLE ba_base AS SELECT coalesce(max(id), 0) AS invoice, "
               "(SELECT coalesce(max(id), 0) FROM ledger_journalentry) AS entry, "
               "%(entry_number)s::bigint AS number "
               "FROM billing_invoice"),
        # One invoice per account and month with lines in force; the latest months are
        # mostly open (not yet due), a few older ones never paid (overdue).
        (None, f"""
        CREATE TEMPORARY TABLE ba_invoice AS
        SELECT b.invoice + l.n * {MONTHS} + m AS id, l.n, m, l.account_id, l.currency,
            sum(l.amount) AS total,
            CASE WHEN l.currency = 'EUR' THEN 1.05 + (m %% 7) / 100.0 ELSE 1 END AS rate,
            (l.n * 7 + m * 13) %% 100 < CASE m WHEN 23 THEN 60 WHEN 22 THEN 15 WHEN 21 THEN 5
                                                WHEN 20 THEN 3 ELSE 1 END AS open,
            least({month("m")} + 20 + l.n %% 25, DATE '{today}') AS paid_on
        FROM ba_line l CROSS JOIN ba_base b
        JOIN generate_series(0, {MONTHS - 1}) m ON m BETWEEN l.first_month AND l.last_month
        GROUP BY b.invoice, l.n, m, l.account_id, l.currency"""),
        ("invoices", f"""
        INSERT INTO billing_invoice (id, number, kind, currency, state, issue_on, due_on, memo,
            subtotal, tax_total, total, amount_due, amount_paid, amount_credited,
            amount_written_off, tax_exempt, tax_rounding, functional_currency, fx_rate,
            functional_total, pdf, pdf_sha256, void_reason, created_at, updated_at, account_id,
            issued_by_id, seller, buyer, buyer_reference, purchase_order, payment_means,
            einvoice_findings)
        SELECT id, 'BA-' || id, 'run', currency, CASE WHEN open THEN 'issued' ELSE 'paid' END,
            {month("m")}, {month("m")} + 30, '', total, 0, total,
            CASE WHEN open THEN total ELSE 0 END, CASE WHEN open THEN 0 ELSE total END, 0, 0,
            false, '', 'USD', rate, round(total * rate, 2), '', '', '', now(), now(),
            account_id, %(finance)s, '{{}}', '{{}}', '', '', '{{}}', '[]'
        FROM ba_invoice"""),
        ("invoice_lines", f"""
        INSERT INTO billing_invoiceline (position, source, description, quantity, unit_price,
            amount, tax_amount, tax_detail, tax_category, period_start, period_end, invoice_id,
            product_id, vat_category, vat_exemption_code, vat_exemption_reason)
        SELECT l.k, 'recurring', 'Bench analytics line ' || l.k, 1, l.amount, l.amount, 0,
            '[]', '', {month("m")}, {month("m + 1")} - 1, b.invoice + l.n * {MONTHS} + m,
            %(product)s, '', '', ''
        FROM ba_line l CROSS JOIN ba_base b
        JOIN generate_series(0, {MONTHS - 1}) m ON m BETWEEN l.first_month AND l.last_month"""),
        # Entries: 2 × (invoice id − base) at issue, + 1 at payment.
        ("journal_entries", """
        INSERT INTO ledger_journalentry (id, number, document_date, posted_on, memo, source_id,
            source_label, created_at, period_id, posted_by_id, source_type_id)
        SELECT b.entry + 2 * (i.id - b.invoice) + e.payment::int,
            b.number + 2 * (i.id - b.invoice) + e.payment::int, e.day, e.day,
            CASE WHEN e.payment THEN 'Bench analytics payment'
                 ELSE 'Bench analytics invoice' END, i.id, 'BA-' || i.id, now(), p.id,
            %(finance)s, %(invoice_type)s
        FROM ba_invoice i CROSS JOIN ba_base b
        CROSS JOIN LATERAL (VALUES (false, (DATE '""" + str(FIRST_MONTH) + """'
                                            + make_interval(months => i.m))::date),
                                   (true, i.paid_on)) e(payment, day)
        JOIN ledger_accountingperiod p ON p.start_on = date_trunc('month', e.day)::date
        WHERE NOT (e.payment AND i.open)"""),
        ("journal_lines", """
        INSERT INTO ledger_journalline (debit, credit, document_currency, document_amount,
            rate, description, customer_account_id, entry_id, gl_account_id)
        SELECT l.debit, l.credit, l.currency, l.document, i.rate, '', l.customer,
            b.entry + 2 * (i.id - b.invoice) + l.payment::int, l.gl
        FROM ba_invoice i CROSS JOIN ba_base b
        CROSS JOIN LATERAL (VALUES
            (false, round(i.total * i.rate, 2), 0, i.currency, i.total, i.account_id,
             %(receivable)s),
            (false, 0, round(i.total * i.rate, 2), '', NULL, NULL, %(revenue)s),
            (true, round(i.total * i.rate, 2), 0, '', NULL, NULL, %(cash)s),
            (true, 0, round(i.total * i.rate, 2), i.currency, -i.total, i.account_id,
             %(receivable)s)) l(payment, debit, credit, currency, document, customer, gl)
        WHERE NOT (l.payment AND i.open)"""),
    ]
    counts = {}
    # the statements name the columns they set; the others take their fields' defaults
    with column_defaults(cursor, [Account, Quote, Contract, ContractLine, Invoice, InvoiceLine,
                                  JournalEntry, JournalLine], now=timezone.now()):
        for name, sql in steps:
            cursor.execute(sql, params)
            if name:
                counts[name] = cursor.rowcount
    counts["account_movements"] = add_movements(cursor, "e.memo LIKE %s", [PREFIX + "%"])
    for table in ("billing_invoice", "ledger_journalentry"):
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT max(id) FROM {table}))")
    cursor.execute("DROP TABLE ba_account, ba_line, ba_base, ba_invoice")
    for table in ("customers_account", "quotes_quote", "contracts_contract",
                  "contracts_contractline", "billing_invoice", "billing_invoiceline",
                  "ledger_journalentry", "ledger_journalline"):
        cursor.execute(f"ANALYZE {table}")
    return counts


def page_times(client, url: str, query: dict) -> list[float]:
    client.get(url, query)  # warm: templates, the rate book's first read
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get(url, query)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def report_page(figure: str, times: list[float], queries: int) -> None:
    emit(figure, runs=len(times), median_ms=round(statistics.median(times), 1),
         max_ms=round(max(times), 1), min_ms=round(min(times), 1), queries=queries,
         goal_ms=GOAL_MS, load_average=round(os.getloadavg()[0], 1))


def main() -> None:
    setup_django()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from analytics.services import refresh_snapshots
    from core.dates import add_months, month_start

    owners, finance = people()
    with connection.cursor() as cursor:
        if os.environ.get("BENCH_ANALYTICS_REBUILD") or not built(cursor):
            started = time.perf_counter()
            with transaction.atomic():
                # The rows are consistent by construction: skip the per-row foreign key
                # checks at commit when the role may (a superuser, as on a bench machine).
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                clean(cursor)
                counts = build(cursor, owners, fixtures(cursor, finance))
            emit("analytics_dataset_build", seconds=round(time.perf_counter() - started, 1),
                 **counts)
        else:
            emit("analytics_dataset_reused", accounts=ACCOUNTS)

    started = time.perf_counter()
    rows = refresh_snapshots()
    emit("analytics_snapshot_refresh", seconds=round(time.perf_counter() - started, 1),
         rows=rows, load_average=round(os.getloadavg()[0], 1))

    client = Client()
    client.force_login(finance)
    url = reverse("analytics:dashboard")
    end = month_start(date.today())
    period = {"start": f"{add_months(end, -11):%Y-%m}", "end": f"{end:%Y-%m}"}
    for figure, query in (
        ("analytics_page", {}),
        ("analytics_page_one_owner", {**period, "currency": "", "owner": owners[3].pk}),
        ("analytics_page_eur", {**period, "currency": "EUR", "owner": ""}),
        ("analytics_page_two_years", {"start": f"{add_months(end, -23):%Y-%m}",
                                      "end": f"{end:%Y-%m}", "currency": "", "owner": ""}),
    ):
        times = page_times(client, url, query)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, query)
        report_page(figure, times, len(queries))


if __name__ == "__main__":
    main()
