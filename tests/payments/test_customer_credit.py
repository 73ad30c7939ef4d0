"""Customer credit through the database: a credit note bigger than what is owed leaves credit
that finance applies to a later invoice or refunds, or that the periodic task applies for
accounts with auto-apply; the customer-credits sub-ledger comes back to zero, the statement and
the account's credit balance show it, and only finance may use it."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.urls import reverse

from billing.services.credit_notes import issue_credit_note
from ledger import chart
from ledger.models import JournalLine
from payments.models import CreditUse, CustomerCredit, PaymentsProfile
from payments.pdf import statement_context
from payments.selectors import credit_balance
from payments.services import Application, record_payment
from payments.services.credits import (
    apply_customer_credit,
    auto_apply_credits,
    collect_credit_note_credits,
    refund_customer_credit,
)
from payments.tasks import apply_customer_credits_task
from tests.payments.factories import account, issued_invoice

pytestmark = pytest.mark.django_db
ON = date(2026, 11, 2)


def credits_ledger(account_id) -> D:
    """What the ledger owes the customer in customer credits (document currency)."""
    total = JournalLine.objects.filter(gl_account__code=chart.CUSTOMER_CREDITS,
                                       customer_account_id=account_id).aggregate(
        owed=Sum("document_amount"))["owed"]
    return -(total or D(0))


def assert_every_entry_balances():
    per_entry = JournalLine.objects.values("entry_id").annotate(d=Sum("debit"), c=Sum("credit"))
    assert all(row["d"] == row["c"] for row in per_entry)


@pytest.fixture
def owed_back(finance):
    """USD 100 invoiced, 70 paid, then credited whole: 30 clears what was due, 70 is owed back."""
    customer = account()
    invoice = issued_invoice(account_=customer, net=D("100.00"), on=date(2026, 10, 1))
    record_payment(account=customer, method="bank_transfer", amount="70.00", currency="USD",
                   received_on=date(2026, 10, 15), by=finance,
                   applications=[Application(invoice.pk, D("70.00"))])
    issue_credit_note(invoice=invoice, by=finance, reason="billing_error", whole=True, on=ON)
    return customer


def test_a_credit_note_bigger_than_what_is_owed_leaves_customer_credit(owed_back):
    # when
    made = collect_credit_note_credits()
    # then
    credit = CustomerCredit.objects.get()
    assert made == 1 and (credit.amount, credit.currency) == (D("70.00"), "USD")
    assert credit_balance(owed_back, "USD") == D("70.00") == credits_ledger(owed_back.pk)
    assert collect_credit_note_credits() == 0  # once per credit note
    assert statement_context(owed_back, start=date(2026, 10, 1), end=ON)["credits"] == [
        ("USD", D("70.00"))]


def test_finance_applies_credit_to_a_later_invoice_then_refunds_the_rest(owed_back, finance):
    # given
    later = issued_invoice(account_=owed_back, net=D("50.00"), on=ON)
    collect_credit_note_credits()
    # when
    uses = apply_customer_credit(account=owed_back, currency="USD", by=finance, on=ON,
                                 applications=[Application(later.pk, D("50.00"))])
    refund = refund_customer_credit(credit=CustomerCredit.objects.get(), amount="20.00",
                                    reason="Customer asked for the rest back", by=finance, on=ON)
    # then
    later.refresh_from_db()
    assert later.amount_due == 0 and later.state == "paid"
    credit = CustomerCredit.objects.get()
    assert (credit.amount_applied, credit.amount_refunded, credit.unapplied) == (
        D("50.00"), D("20.00"), D("0.00"))
    assert [u.invoice_id for u in uses] == [later.pk] and refund.invoice is None
    assert credits_ledger(owed_back.pk) == 0 == credit_balance(owed_back, "USD")
    assert_every_entry_balances()


def test_more_than_the_credit_or_the_invoice_is_refused_in_words(owed_back, finance):
    later = issued_invoice(account_=owed_back, net=D("500.00"), on=ON)
    collect_credit_note_credits()
    with pytest.raises(ValidationError, match=r"100.00 is more than the 70.00 USD of credit"):
        apply_customer_credit(account=owed_back, currency="USD", by=finance,
                              applications=[Application(later.pk, D("100.00"))])
    small = issued_invoice(account_=owed_back, net=D("10.00"), on=ON)
    with pytest.raises(ValidationError, match=r"20.00 is more than the 10.00 due"):
        apply_customer_credit(account=owed_back, currency="USD", by=finance,
                              applications=[Application(small.pk, D("20.00"))])
    with pytest.raises(ValidationError, match="more than the 70.00 left"):
        refund_customer_credit(credit=CustomerCredit.objects.get(), amount="80.00",
                               reason="too much", by=finance)
    assert not CreditUse.objects.exists()


def test_reps_and_accountants_cannot_apply_or_refund_credit(owed_back, sales_rep, accountant):
    later = issued_invoice(account_=owed_back, net=D("50.00"), on=ON)
    collect_credit_note_credits()
    for user in (sales_rep, accountant):
        with pytest.raises(PermissionDenied):
            apply_customer_credit(account=owed_back, currency="USD", by=user,
                                  applications=[Application(later.pk, D("50.00"))])
        with pytest.raises(PermissionDenied):
            refund_customer_credit(credit=CustomerCredit.objects.get(), amount="1.00",
                                   reason="no", by=user)


def test_the_periodic_task_applies_credit_for_accounts_that_ask_and_only_once(owed_back, finance):
    # given: an account with auto-apply and a later invoice; another without
    PaymentsProfile.objects.create(account=owed_back, auto_apply_credit=True)
    later = issued_invoice(account_=owed_back, net=D("50.00"), on=ON)
    other = account()
    other_invoice = issued_invoice(account_=other, net=D("80.00"), on=date(2026, 10, 1))
    record_payment(account=other, method="wire", amount="30.00", currency="USD",
                   received_on=ON, by=finance)
    # when
    made = apply_customer_credits_task()
    again = auto_apply_credits(by=finance)
    # then
    later.refresh_from_db()
    other_invoice.refresh_from_db()
    assert (made, again) == (1, 0)
    assert later.amount_due == 0
    assert other_invoice.amount_due == D("80.00")  # no auto-apply: left to finance
    assert credit_balance(owed_back, "USD") == D("20.00")


def test_auto_apply_also_applies_unapplied_cash(finance):
    customer = account()
    PaymentsProfile.objects.create(account=customer, auto_apply_credit=True)
    record_payment(account=customer, method="wire", amount="30.00", currency="USD",
                   received_on=date(2026, 10, 1), by=finance)
    invoice = issued_invoice(account_=customer, net=D("50.00"), on=ON)
    auto_apply_credits(by=finance)
    invoice.refresh_from_db()
    assert invoice.amount_due == D("20.00") and credit_balance(customer, "USD") == 0


# --- pages ------------------------------------------------------------------------------------

def test_credit_pages_for_finance_and_refusals_for_the_others(client, owed_back, finance,
                                                            sales_rep, accountant):
    collect_credit_note_credits()
    credit = CustomerCredit.objects.get()
    later = issued_invoice(account_=owed_back, net=D("50.00"), on=ON)
    client.force_login(finance)
    assert client.get(reverse("payments:credits")).status_code == 200
    page = client.get(reverse("payments:credit", args=[credit.pk]))
    assert page.status_code == 200 and later.number in page.content.decode()
    # bad input gets the form back, never a 500
    bad = client.post(reverse("payments:credit_apply", args=[credit.pk]),
                      {"invoice": later.pk, "amount": "abc"})
    assert bad.status_code == 400
    too_much = client.post(reverse("payments:credit_refund", args=[credit.pk]),
                           {"amount": "500", "reason": "x"})
    assert too_much.status_code == 400 and "more than the 70.00 left" in too_much.content.decode()
    done = client.post(reverse("payments:credit_apply", args=[credit.pk]),
                       {"invoice": later.pk, "amount": "50.00"})
    assert done.status_code == 302
    for user in (sales_rep, accountant):
        client.force_login(user)
        post = client.post(reverse("payments:credit_refund", args=[credit.pk]),
                           {"amount": "1.00", "reason": "x"})
        assert post.status_code == 403
    client.force_login(sales_rep)  # finance's pages
    assert client.get(reverse("payments:credit", args=[credit.pk])).status_code == 403


def test_credit_list_queries_do_not_grow_with_rows(client, finance,
                                                   django_assert_max_num_queries):
    def add_credit():
        customer = account()
        invoice = issued_invoice(account_=customer, net=D("10.00"), on=date(2026, 10, 1))
        record_payment(account=customer, method="wire", amount="10.00", currency="USD",
                       received_on=ON, by=finance,
                       applications=[Application(invoice.pk, D("10.00"))])
        issue_credit_note(invoice=invoice, by=finance, reason="goodwill", whole=True, on=ON)

    add_credit()
    collect_credit_note_credits()
    client.force_login(finance)
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("payments:credits"))
    for _ in range(4):
        add_credit()
    collect_credit_note_credits()
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("payments:credits"))
    assert response.content.decode().count("Credit from CN-") == 5
