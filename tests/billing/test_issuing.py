"""Issuing, voiding and editing drafts: gapless numbers, due schedules, balanced journals in the
functional currency, immutability after issue."""

import threading
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from billing.models import BillingRecord, Invoice, InvoiceState
from billing.services import drafts
from billing.services.issuing import issue_invoice, issue_invoices, void_invoice
from billing.services.runs import create_invoice_run
from catalog.models import TaxRate
from ledger.models import ExchangeRate, JournalEntry
from tests.billing.factories import active_contract
from tests.customers.factories import AccountFactory, terms

pytestmark = pytest.mark.django_db
ON = date(2026, 12, 1)


def draft_for(account, finance, *charges):
    invoice = drafts.create_manual_invoice(account=account, by=finance)
    for description, quantity, price in charges:
        drafts.add_manual_charge(invoice=invoice, by=finance, description=description,
                                 quantity=D(quantity), unit_price=D(price), on=ON)
    invoice.refresh_from_db()
    return invoice


def balanced(entry: JournalEntry) -> bool:
    return entry.total_debit == entry.total_credit and entry.total_debit > 0


def test_issue_numbers_schedules_and_posts_receivable_against_deferred_revenue(finance):
    account = AccountFactory(payment_terms=terms("net-30"))
    invoice = draft_for(account, finance, ("Consulting", "2", "150.00"))

    invoice = issue_invoice(invoice=invoice, by=finance, on=ON)

    assert (invoice.state, invoice.number) == (InvoiceState.ISSUED, "INV-2026-000001")
    assert invoice.due_on == date(2026, 12, 31)
    assert [(i.due_on, i.amount) for i in invoice.instalments.all()] == [
        (date(2026, 12, 31), D("300.00"))]
    entry = invoice.journal_entry
    lines = {line.gl_account.code: line for line in entry.lines.all()}
    assert lines["1100"].debit == D("300.00") and lines["2300"].credit == D("300.00")
    assert lines["1100"].customer_account_id == account.pk and balanced(entry)


def test_tax_is_charged_per_rate_and_posted_to_tax_payable(finance):
    TaxRate.objects.create(name="VAT", country="GB", percent=D(20), effective_from=date(2020, 1, 1))
    ExchangeRate.objects.create(currency="GBP", valid_on=date(2026, 11, 1), rate=D("1.25"))
    account = AccountFactory(country="GB", currency="GBP")
    invoice = draft_for(account, finance, ("Widget", "1", "10.00"), ("Gadget", "1", "0.05"))
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (D("10.05"), D("2.01"),
                                                                    D("12.06"))
    invoice = issue_invoice(invoice=invoice, by=finance, on=ON)
    lines = list(invoice.journal_entry.lines.select_related("gl_account"))
    assert sum(line.credit for line in lines if line.gl_account.code == "2200") == D("2.51")
    assert invoice.fx_rate == D("1.25") and invoice.functional_total == D("15.08")
    assert balanced(invoice.journal_entry)


def test_exempt_accounts_pay_no_tax(finance):
    TaxRate.objects.create(name="VAT", country="GB", percent=D(20), effective_from=date(2020, 1, 1))
    account = AccountFactory(country="GB", currency="GBP", tax_exempt=True)
    invoice = draft_for(account, finance, ("Widget", "1", "10.00"))
    assert (invoice.tax_total, invoice.total) == (D("0"), D("10.00"))


def test_instalment_terms_add_up_exactly(finance):
    account = AccountFactory(payment_terms=terms("net-30"))
    invoice = draft_for(account, finance, ("Thing", "1", "100.00"))
    from customers.models import Instalment, PaymentTerms

    thirds = PaymentTerms.objects.create(code="thirds", name="Thirds", kind="instalments")
    for n, (percent, days) in enumerate((("33.333", 0), ("33.333", 30), ("33.334", 60)), 1):
        Instalment.objects.create(terms=thirds, sequence=n, percent=D(percent), due_days=days)
    account.payment_terms = thirds
    account.save()
    invoice = issue_invoice(invoice=invoice, by=finance, on=ON)
    assert [i.amount for i in invoice.instalments.all()] == [D("33.33"), D("33.33"), D("33.34")]


def test_issued_invoices_never_change(finance):
    invoice = issue_invoice(invoice=draft_for(AccountFactory(), finance, ("A", "1", "1.00")),
                            by=finance, on=ON)
    with pytest.raises(ValidationError, match="never changes"):
        drafts.add_manual_charge(invoice=invoice, by=finance, description="B",
                                 quantity=D(1), unit_price=D(1))
    with pytest.raises(ValidationError, match="already issued"):
        issue_invoice(invoice=invoice, by=finance, on=ON)


def test_bulk_issue_numbers_in_order_and_refuses_all_if_one_cannot(finance):
    account = AccountFactory()
    invoices = [draft_for(account, finance, ("A", "1", "10.00")) for _ in range(3)]
    empty = drafts.create_manual_invoice(account=account, by=finance)
    with pytest.raises(ValidationError, match="has no lines"):
        issue_invoices(invoices=[*invoices, empty], by=finance, on=ON)
    assert not Invoice.objects.exclude(state=InvoiceState.DRAFT).exists()
    issued = issue_invoices(invoices=invoices, by=finance, on=ON)
    assert [i.number for i in issued] == ["INV-2026-000001", "INV-2026-000002",
                                          "INV-2026-000003"]
    assert all(balanced(i.journal_entry) for i in issued)


def test_a_number_of_the_series_another_invoice_holds_is_passed_over(finance):
    """An opening balance imported with our own shape holds INV-2026-000002 (and one of the
    next length, INV-2026-1000000, sorts before it): issuing three drafts takes 1, 3 and 4."""
    from tests.billing.factories import issued_invoice_row

    account = AccountFactory()
    for number in ("INV-2026-000002", "INV-2026-1000000"):
        Invoice.objects.filter(pk=issued_invoice_row(account=account).pk).update(number=number)
    invoices = [draft_for(account, finance, ("A", "1", "10.00")) for _ in range(3)]

    issued = issue_invoices(invoices=invoices, by=finance, on=ON)

    assert [i.number for i in issued] == ["INV-2026-000001", "INV-2026-000003",
                                          "INV-2026-000004"]


def test_issuing_drafts_takes_the_same_queries_for_two_or_ten(finance):
    """Issuing loads each account's columns it reads and no other (issue 23): a column it
    reads but did not load would cost a query per invoice, which this counts."""
    from django.test.utils import CaptureQueriesContext

    def queries(count):
        invoices = [draft_for(AccountFactory(country="DE", vat_id="DE123456789"), finance,
                              ("Consulting", "1", "100.00")) for _ in range(count)]
        with CaptureQueriesContext(connection) as captured:
            issue_invoices(invoices=invoices, by=finance, on=ON)
        return len(captured)

    queries(1)  # the first issue of the year creates its number series
    assert queries(2) == queries(10)


def test_void_reverses_the_journal_keeps_the_number_and_releases_the_charges(
        finance, django_capture_on_commit_callbacks):
    account = AccountFactory(bill_day=1)
    active_contract(account=account, start_on=ON, end_on=date(2027, 11, 30),
                    lines=[{"amount": "100.00"}])
    with django_capture_on_commit_callbacks(execute=True):
        create_invoice_run(by=finance, as_of=ON)
    invoice = issue_invoice(invoice=Invoice.objects.get(), by=finance, on=ON)

    invoice = void_invoice(invoice=invoice, by=finance, reason="Wrong account", on=ON)

    assert (invoice.state, invoice.number) == (InvoiceState.VOID, "INV-2026-000001")
    assert invoice.void_entry.reverses_id == invoice.journal_entry_id
    assert not BillingRecord.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        create_invoice_run(by=finance, as_of=ON)
    assert Invoice.objects.filter(state=InvoiceState.DRAFT).count() == 1


def test_a_paid_invoice_cannot_be_voided(finance):
    from billing.services import apply_payment

    invoice = issue_invoice(invoice=draft_for(AccountFactory(), finance, ("A", "1", "10.00")),
                            by=finance, on=ON)
    apply_payment(invoice=invoice, amount=D("1.00"), by=finance, on=ON)
    with pytest.raises(ValidationError, match="cannot be voided"):
        void_invoice(invoice=invoice, by=finance, reason="x", on=ON)


def test_discarding_a_draft_releases_its_billing_records(finance,
                                                         django_capture_on_commit_callbacks):
    account = AccountFactory(bill_day=1)
    active_contract(account=account, start_on=ON, end_on=date(2027, 11, 30),
                    lines=[{"amount": "100.00"}])
    with django_capture_on_commit_callbacks(execute=True):
        create_invoice_run(by=finance, as_of=ON)
    drafts.discard_draft(invoice=Invoice.objects.get(), by=finance)
    assert not BillingRecord.objects.exists() and not Invoice.objects.exists()


def test_editing_a_line_retaxes_and_moves_its_billing_record(finance,
                                                           django_capture_on_commit_callbacks):
    account = AccountFactory(bill_day=1)
    active_contract(account=account, start_on=ON, end_on=date(2027, 11, 30),
                    lines=[{"amount": "100.00"}])
    with django_capture_on_commit_callbacks(execute=True):
        create_invoice_run(by=finance, as_of=ON)
    line = Invoice.objects.get().lines.get()
    drafts.update_line(line=line, by=finance, description="Seats (agreed discount)",
                       quantity=D(1), unit_price=D("90.00"))
    assert Invoice.objects.get().total == D("90.00")
    assert BillingRecord.objects.get().amount == D("90.00")


def test_roles_without_permission_cannot_issue_or_edit(sales_rep, accountant, finance):
    invoice = draft_for(AccountFactory(), finance, ("A", "1", "1.00"))
    for user in (sales_rep, accountant):
        with pytest.raises(PermissionDenied):
            issue_invoice(invoice=invoice, by=user, on=ON)
        with pytest.raises(PermissionDenied):
            drafts.discard_draft(invoice=invoice, by=user)


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_issuing_at_once_get_unique_gapless_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; SQLite serialises writers (reason printed by -ra)")
    from tests.conftest import make_user, reseed_migration_data

    reseed_migration_data()
    from core.roles import Role

    finance = make_user("finance_threads", Role.FINANCE)
    account = AccountFactory()
    invoices = [draft_for(account, finance, ("A", "1", "10.00")) for _ in range(20)]
    errors = []

    def issue(invoice):
        try:
            issue_invoice(invoice=invoice, by=finance, on=ON)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(invoice,)) for invoice in invoices]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-2026-{n:06d}" for n in range(1, 21)]


def test_an_invoice_of_a_contract_takes_the_terms_the_customer_signed(finance):
    # given a contract signed on net-30 whose account now says net-60
    from billing.models import InvoiceLine, LineSource

    account = AccountFactory(payment_terms=terms("net-30"))
    contract = active_contract(account=account, start_on=date(2026, 1, 1),
                               end_on=date(2026, 12, 31), lines=[{"amount": "100.00"}])
    account.payment_terms = terms("net-60")
    account.save(update_fields=["payment_terms"])
    invoice = draft_for(account, finance, ("Extra", "1", "10.00"))
    InvoiceLine.objects.create(invoice=invoice, position=9, source=LineSource.RECURRING,
                               contract_line=contract.lines.get(), description="Seats",
                               quantity=D(1), unit_price=D("100.00"), amount=D("100.00"))
    Invoice.objects.filter(pk=invoice.pk).update(subtotal=D("110.00"), total=D("110.00"),
                                                 amount_due=D("110.00"))

    # when it is issued
    invoice = issue_invoice(invoice=invoice, by=finance, on=ON)

    # then it falls due on the contract's terms, not the account's
    assert invoice.due_on == date(2026, 12, 31)


def test_a_manual_invoice_takes_the_accounts_terms(finance):
    account = AccountFactory(payment_terms=terms("net-60"))
    invoice = issue_invoice(invoice=draft_for(account, finance, ("Extra", "1", "10.00")),
                            by=finance, on=ON)
    assert invoice.due_on == date(2027, 1, 30)


def test_issuing_writes_due_instalments_as_rows_without_an_instance_each(finance):
    """Issue 23: a batch's due instalments go to the database as rows (core.bulk_rows
    insert_tuples); a model instance built per instalment only to be written cost as much as
    the write. Each invoice still gets its due date and amount."""
    from django.db.models.signals import post_init

    from billing.models import DueInstalment

    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the rows are written by bulk_create, which builds instances")
    invoices = [draft_for(AccountFactory(payment_terms=terms("net-30")), finance,
                          ("Thing", "1", f"{n}0.00")) for n in (1, 2)]
    built = []

    def count(sender, instance, **kwargs):
        built.append(instance)

    post_init.connect(count, sender=DueInstalment)
    try:
        issued = issue_invoices(invoices=invoices, by=finance, on=ON)
    finally:
        post_init.disconnect(count, sender=DueInstalment)

    assert built == []
    assert [[(i.sequence, i.due_on, i.amount) for i in invoice.instalments.all()]
            for invoice in issued] == [[(1, date(2026, 12, 31), invoice.total)]
                                       for invoice in issued]
