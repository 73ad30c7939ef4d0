"""Payments over the API: recorded, applied and refunded through the payments services."""

from decimal import Decimal as D

import pytest

from billing.models import InvoiceState
from payments.models import Payment, PaymentState
from tests.api.conftest import errors_of
from tests.payments.factories import account, issued_invoice

pytestmark = pytest.mark.django_db


def test_finance_records_a_transfer_and_applies_it_at_once(client_for, finance):
    invoice = issued_invoice(net=D("100.00"))
    response = client_for(finance).post_json("/api/v1/payments/", {
        "account": invoice.account_id, "method": "bank_transfer", "amount": "150.00",
        "currency": "USD", "reference": "Wire 42",
        "applications": [{"invoice": invoice.pk, "amount": "100.00"}]})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["state"], D(body["amount_applied"]), D(body["unapplied"])) == (
        "succeeded", D("100.00"), D("50.00"))
    assert [a["invoice"] for a in body["allocations"]] == [invoice.pk]
    invoice.refresh_from_db()
    assert (invoice.state, invoice.amount_due) == (InvoiceState.PAID, D("0"))


def test_the_credit_balance_is_applied_to_a_later_invoice(client_for, finance):
    customer = account()
    client = client_for(finance)
    payment = client.post_json("/api/v1/payments/", {
        "account": customer.pk, "method": "check", "amount": "80.00", "currency": "USD"}).json()
    invoice = issued_invoice(account_=customer, net=D("100.00"))
    response = client.post_json(f"/api/v1/payments/{payment['id']}/apply/", {
        "applications": [{"invoice": invoice.pk, "amount": "80.00"}]})
    assert response.status_code == 200, response.json()
    invoice.refresh_from_db()
    assert (invoice.state, invoice.amount_due) == (InvoiceState.PARTIALLY_PAID, D("20.00"))


def test_applying_more_than_is_due_is_refused_by_field(client_for, finance):
    invoice = issued_invoice(net=D("100.00"))
    response = client_for(finance).post_json("/api/v1/payments/", {
        "account": invoice.account_id, "method": "wire", "amount": "150.00", "currency": "USD",
        "applications": [{"invoice": invoice.pk, "amount": "150.00"}]})
    assert response.status_code == 400
    assert "more than the 100.00 due" in errors_of(response)["applications"][0]
    assert not Payment.objects.exists()


def test_an_amount_finer_than_the_currency_is_refused(client_for, finance):
    customer = account(currency="JPY")
    response = client_for(finance).post_json("/api/v1/payments/", {
        "account": customer.pk, "method": "wire", "amount": "10.5", "currency": "JPY"})
    assert response.status_code == 400
    assert errors_of(response) == {"amount": ["10.5000 is not rounded to JPY's minor unit."]}


def test_a_refund_is_recorded_and_moves_the_payment(client_for, finance):
    customer = account()
    client = client_for(finance)
    payment = client.post_json("/api/v1/payments/", {
        "account": customer.pk, "method": "wire", "amount": "80.00", "currency": "USD"}).json()
    refund = client.post_json(f"/api/v1/payments/{payment['id']}/refund/",
                              {"amount": "30.00", "reason": "Overpaid"})
    assert refund.status_code == 201, refund.json()
    assert D(refund.json()["amount"]) == D("30.00")
    assert Payment.objects.get().state == PaymentState.PARTIALLY_REFUNDED
    too_much = client.post_json(f"/api/v1/payments/{payment['id']}/refund/",
                                {"amount": "60.00", "reason": "Again"})
    assert too_much.status_code == 400 and list(errors_of(too_much)) == ["amount"]


@pytest.mark.parametrize("role", ["sales_rep", "sales_manager", "accountant", "catalog_admin"])
def test_only_finance_records_payments(client_for, role_users, role):
    customer = account(owner=role_users["sales_rep"])
    response = client_for(role_users[role]).post_json("/api/v1/payments/", {
        "account": customer.pk, "method": "wire", "amount": "10.00", "currency": "USD"})
    # The account field offers only accounts the user sees; who sees it is refused by the
    # service: either way, nothing is recorded and the answer is a 4xx.
    assert response.status_code in (400, 403)
    if role in ("sales_rep", "sales_manager", "accountant"):
        assert response.status_code == 403
    assert not Payment.objects.exists()


def test_a_rep_reads_only_their_accounts_payments(client_for, finance, sales_rep, other_rep):
    mine, theirs = account(owner=sales_rep), account(owner=other_rep)
    client = client_for(finance)
    for customer in (mine, theirs):
        client.post_json("/api/v1/payments/", {"account": customer.pk, "method": "wire",
                                               "amount": "10.00", "currency": "USD"})
    listed = client_for(sales_rep).get("/api/v1/payments/").json()["results"]
    assert [row["account"] for row in listed] == [mine.pk]
