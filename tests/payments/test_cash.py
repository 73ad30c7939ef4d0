"""Cash application: recording payments, applying them and credit balances, the limits the
services and the database keep, FX differences and early-payment discounts."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from billing.models import InvoiceState
from ledger import chart
from ledger.models import JournalEntry
from payments.models import Payment, PaymentState
from payments.selectors import credit_balance, suggest_invoices
from payments.services import Application, allocate_payment, record_payment, split_across
from tests.catalog.factories import TaxRateFactory
from tests.customers.factories import terms
from tests.payments.factories import ON, account, issued_invoice, rate

pytestmark = pytest.mark.django_db


def lines_of(entry_id) -> dict[str, tuple[D, D]]:
    totals: dict[str, tuple[D, D]] = {}
    for line in JournalEntry.objects.get(pk=entry_id).lines.select_related("gl_account"):
        debit, credit = totals.get(line.gl_account.code, (D(0), D(0)))
        totals[line.gl_account.code] = (debit + line.debit, credit + line.credit)
    return totals


def balanced(entry_id) -> bool:
    entry = JournalEntry.objects.get(pk=entry_id)
    return entry.total_debit == entry.total_credit


def test_a_bank_transfer_across_two_invoices_settles_both_and_leaves_a_credit(finance):
    # given
    customer = account()
    first, second = issued_invoice(account_=customer), issued_invoice(account_=customer,
                                                                      net=D("50.00"))
    # when
    payment = record_payment(
        account=customer, method="bank_transfer", amount=D("170.00"), currency="USD",
        received_on=ON, by=finance, reference="Two invoices",
        applications=[Application(first.pk, D("100.00")), Application(second.pk, D("50.00"))])
    # then
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.state, second.state) == (InvoiceState.PAID, InvoiceState.PAID)
    assert payment.state == PaymentState.SUCCEEDED and payment.unapplied == D("20.00")
    assert credit_balance(customer, "USD") == D("20.00")
    lines = lines_of(payment.receipt_entry_id)
    assert lines[chart.CASH] == (D("170.00"), D(0))
    assert lines[chart.ACCOUNTS_RECEIVABLE] == (D(0), D("150.00"))
    assert lines[chart.CUSTOMER_CREDITS] == (D(0), D("20.00"))
    assert balanced(payment.receipt_entry_id)


def test_the_credit_balance_is_applied_to_a_later_invoice(finance):
    customer = account()
    payment = record_payment(account=customer, method="check", amount=D("80.00"),
                             currency="USD", received_on=ON, by=finance)
    later = issued_invoice(account_=customer, net=D("100.00"))

    allocate_payment(payment=payment, applications=[Application(later.pk, D("80.00"))],
                     by=finance)

    later.refresh_from_db()
    assert (later.state, later.amount_due) == (InvoiceState.PARTIALLY_PAID, D("20.00"))
    assert credit_balance(customer, "USD") == D("0.00")
    entry = payment.allocations.get().journal_entry_id
    assert lines_of(entry)[chart.CUSTOMER_CREDITS] == (D("80.00"), D(0))
    assert lines_of(entry)[chart.ACCOUNTS_RECEIVABLE] == (D(0), D("80.00"))


def test_an_application_never_exceeds_the_amount_due(finance):
    customer = account()
    invoice = issued_invoice(account_=customer, net=D("100.00"))
    with pytest.raises(ValidationError, match="more than the 100.00 due"):
        record_payment(account=customer, method="wire", amount=D("150.00"), currency="USD",
                       received_on=ON, by=finance,
                       applications=[Application(invoice.pk, D("100.01"))])
    invoice.refresh_from_db()
    assert invoice.amount_due == D("100.00") and not Payment.objects.exists()


def test_an_application_never_exceeds_what_is_left_of_the_payment(finance):
    customer = account()
    payment = record_payment(account=customer, method="check", amount=D("30.00"),
                             currency="USD", received_on=ON, by=finance)
    invoice = issued_invoice(account_=customer)
    with pytest.raises(ValidationError, match="more than the 30.00 of"):
        allocate_payment(payment=payment, applications=[Application(invoice.pk, D("30.01"))],
                         by=finance)


def test_the_database_refuses_a_payment_applied_beyond_its_amount(finance):
    payment = record_payment(account=account(), method="check", amount=D("30.00"),
                             currency="USD", received_on=ON, by=finance)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(amount_applied=D("30.01"))


def test_another_accounts_invoice_cannot_take_the_payment(finance):
    payment = record_payment(account=account(), method="check", amount=D("30.00"),
                             currency="USD", received_on=ON, by=finance)
    stranger = issued_invoice()
    with pytest.raises(ValidationError, match="is not an invoice of"):
        allocate_payment(payment=payment, applications=[Application(stranger.pk, D("10.00"))],
                         by=finance)


def test_sales_and_accountants_cannot_record_payments(sales_rep, accountant):
    for user in (sales_rep, accountant):
        with pytest.raises(PermissionDenied):
            record_payment(account=account(), method="check", amount=D("1.00"),
                           currency="USD", received_on=ON, by=user)


def test_a_euro_payment_clears_the_receivable_at_the_booked_rate_and_posts_the_difference(
        finance):
    # given: booked at 1.10, paid when the euro is worth 1.05
    rate("EUR", "1.10", date(2026, 11, 1))
    customer = account(currency="EUR")
    invoice = issued_invoice(account_=customer, net=D("1000.00"), on=date(2026, 11, 2))
    rate("EUR", "1.05", date(2026, 11, 20))
    # when
    payment = record_payment(account=customer, method="wire", amount=D("1000.00"),
                             currency="EUR", received_on=ON, by=finance,
                             applications=[Application(invoice.pk, D("1000.00"))])
    # then
    lines = lines_of(payment.receipt_entry_id)
    assert lines[chart.CASH] == (D("1050.00"), D(0))
    assert lines[chart.ACCOUNTS_RECEIVABLE] == (D(0), D("1100.00"))
    assert lines[chart.REALIZED_FX] == (D("50.00"), D(0))  # a loss
    allocation = payment.allocations.get()
    assert (allocation.functional_amount, allocation.fx_difference) == (D("1100.00"),
                                                                         D("50.00"))


def test_a_stronger_currency_on_payment_is_a_gain(finance):
    rate("EUR", "1.10", date(2026, 11, 1))
    customer = account(currency="EUR")
    invoice = issued_invoice(account_=customer, net=D("100.00"), on=date(2026, 11, 2))
    rate("EUR", "1.20", date(2026, 11, 20))
    payment = record_payment(account=customer, method="wire", amount=D("100.00"),
                             currency="EUR", received_on=ON, by=finance,
                             applications=[Application(invoice.pk, D("100.00"))])
    assert lines_of(payment.receipt_entry_id)[chart.REALIZED_FX] == (D(0), D("10.00"))


def test_payment_inside_the_discount_window_settles_with_the_discount(finance):
    # given: 2% 10, net 30; 100 net + 20 VAT issued on 2026-11-20
    customer = account(terms_code="2-10-net-30")
    invoice = issued_invoice(account_=customer, net=D("100.00"), tax=D("20.00"),
                             on=date(2026, 11, 20))
    # when: 120 less 2% = 117.60 paid on day 3
    payment = record_payment(account=customer, method="bank_transfer", amount=D("117.60"),
                             currency="USD", received_on=ON, by=finance,
                             applications=[Application(invoice.pk, D("117.60"))])
    # then
    invoice.refresh_from_db()
    assert (invoice.state, invoice.amount_due, invoice.amount_credited) == (
        InvoiceState.PAID, D("0"), D("2.40"))
    lines = lines_of(payment.receipt_entry_id)
    assert lines[chart.ACCOUNTS_RECEIVABLE] == (D(0), D("120.00"))
    assert lines[chart.SALES_DISCOUNTS] == (D("2.00"), D(0))
    assert lines[chart.TAX_PAYABLE] == (D("0.40"), D(0))
    allocation = payment.allocations.get()
    assert (allocation.discount, allocation.discount_tax, allocation.discount_tax_mode) == (
        D("2.40"), D("0.40"), "on_early_payment")
    assert balanced(payment.receipt_entry_id)


@pytest.mark.parametrize("mode, tax, paid", [
    # Odoo, "Cash discounts and tax reduction": never reduced, 2% of the net only (98 + 20 due);
    # always (upon invoice): the tax was on the discounted net at issue, 20% of 98 = 19.60
    ("never", D("20.00"), D("118.00")),
    ("always", D("19.60"), D("117.60")),
])
def test_without_a_tax_correction_the_discount_is_on_the_net_and_is_recorded(
        client, finance, settings, mode, tax, paid):
    settings.EARLY_DISCOUNT_TAX_MODE = mode
    customer = account(terms_code="2-10-net-30", country="GB")
    TaxRateFactory(country="GB", percent=D(20))  # "always" retaxes at issue with it
    invoice = issued_invoice(account_=customer, net=D("100.00"), tax=tax,
                             on=date(2026, 11, 20))
    payment = record_payment(account=customer, method="check", amount=paid,
                             currency="USD", received_on=ON, by=finance,
                             applications=[Application(invoice.pk, paid)])
    lines = lines_of(payment.receipt_entry_id)
    assert lines[chart.SALES_DISCOUNTS] == (D("2.00"), D(0)) and chart.TAX_PAYABLE not in lines
    assert lines[chart.ACCOUNTS_RECEIVABLE] == (D(0), D("100.00") + tax)
    assert balanced(payment.receipt_entry_id)
    allocation = payment.allocations.get()
    assert (allocation.discount, allocation.discount_tax, allocation.discount_tax_mode) == (
        D("2.00"), D("0"), mode)
    invoice.refresh_from_db()
    assert (invoice.state, invoice.amount_due) == (InvoiceState.PAID, D("0"))
    client.force_login(finance)
    page = client.get(reverse("payments:detail", args=[payment.pk])).content.decode()
    assert allocation.get_discount_tax_mode_display() in page


def test_the_discount_follows_the_terms_and_mode_recorded_on_the_invoice_at_issue(
        finance, settings):
    """Issue 17: the policy in force is stored on the invoice; a setting or terms changed
    later never move money already invoiced."""
    # given: issued under 2% 10 net 30, tax corrected on early payment
    customer = account(terms_code="2-10-net-30")
    invoice = issued_invoice(account_=customer, net=D("100.00"), tax=D("20.00"),
                             on=date(2026, 11, 20))
    assert (invoice.early_discount_tax_mode, invoice.early_discount_percent,
            invoice.early_discount_days) == ("on_early_payment", D("2"), 10)
    # when the company's mode and the account's terms change afterwards
    settings.EARLY_DISCOUNT_TAX_MODE = "never"
    customer.payment_terms = terms("net-30")
    customer.save()
    payment = record_payment(account=customer, method="bank_transfer", amount=D("117.60"),
                             currency="USD", received_on=ON, by=finance,
                             applications=[Application(invoice.pk, D("117.60"))])
    # then the invoice's own terms and mode settle it
    allocation = payment.allocations.get()
    assert (allocation.discount, allocation.discount_tax, allocation.discount_tax_mode) == (
        D("2.40"), D("0.40"), "on_early_payment")


def test_after_the_window_the_discount_is_gone(finance):
    customer = account(terms_code="2-10-net-30")
    invoice = issued_invoice(account_=customer, net=D("100.00"), on=date(2026, 11, 1))
    record_payment(account=customer, method="check", amount=D("98.00"), currency="USD",
                   received_on=ON, by=finance, applications=[Application(invoice.pk, D("98.00"))])
    invoice.refresh_from_db()
    assert (invoice.state, invoice.amount_due) == (InvoiceState.PARTIALLY_PAID, D("2.00"))


def test_split_across_invoices_due_the_same_day_uses_largest_remainder():
    class Due:
        def __init__(self, pk, amount):
            self.pk, self.amount_due, self.currency, self.due_on = pk, D(amount), "USD", ON

    parts = split_across(D("100.00"), [Due(1, "30.00"), Due(2, "30.00"), Due(3, "30.00"),
                                       Due(4, "30.00")])
    assert [p.amount for p in parts] == [D("25.00")] * 4
    parts = split_across(D("10.00"), [Due(1, "1.00"), Due(2, "1.00"), Due(3, "1.00")])
    assert [p.amount for p in parts] == [D("1.00")] * 3
    parts = split_across(D("1.00"), [Due(1, "3.00"), Due(2, "3.00"), Due(3, "3.00")])
    assert [p.amount for p in parts] == [D("0.34"), D("0.33"), D("0.33")]


def test_suggestions_find_the_number_in_the_reference_or_the_one_exact_amount(finance):
    customer = account()
    named, exact = issued_invoice(account_=customer), issued_invoice(account_=customer,
                                                                     net=D("77.70"))
    found = suggest_invoices(amount=D("5.00"), currency="USD",
                             reference=f"Payment for {named.number.lower()} thanks")
    assert [s.invoice for s in found] == [named]
    found = suggest_invoices(amount=D("77.70"), currency="USD", reference="no number")
    assert [s.invoice for s in found] == [exact]
    issued_invoice(net=D("77.70"))  # another account's invoice due the same: no longer unique
    assert suggest_invoices(amount=D("77.70"), currency="USD", reference="") == []
