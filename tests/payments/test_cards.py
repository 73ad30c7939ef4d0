"""Card payments through the sandbox gateway: each test card's outcome, idempotency keys,
saved cards, autopay, and settling what the gateway has not answered yet."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from billing.models import InvoiceState
from core.actors import Actor
from payments.gateways import GatewayDeclined, sandbox
from payments.models import Payment, PaymentMethod, PaymentState, SandboxCard, SandboxCharge
from payments.services import (
    charge_invoice,
    pay_invoice_by_card,
    run_autopay,
    save_card,
    settle_pending_payment,
)
from tests.payments.factories import (
    ASYNC,
    DECLINED,
    EXPIRED,
    SUCCESS,
    TIMEOUT,
    account,
    card_token,
    issued_invoice,
)

pytestmark = pytest.mark.django_db
CUSTOMER = Actor.customer(name="Pat Payer", ip="203.0.113.9")


def test_a_successful_card_pays_the_invoice():
    invoice = issued_invoice(net=D("120.00"))

    payment = charge_invoice(invoice=invoice, token=card_token(SUCCESS), by=CUSTOMER)

    invoice.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED and payment.gateway_reference.startswith("ch_")
    assert (invoice.state, invoice.amount_due) == (InvoiceState.PAID, D("0"))
    assert payment.idempotency_key == f"invoice-{invoice.pk}-charge-1"


@pytest.mark.parametrize(("number", "save", "state", "saved"), [
    (SUCCESS, False, PaymentState.SUCCEEDED, 0),
    (SUCCESS, True, PaymentState.SUCCEEDED, 1),
    (DECLINED, True, PaymentState.FAILED, 1),  # saved before the charge; kept when refused
])
def test_the_pay_page_service_saves_the_card_when_asked_and_charges(number, save, state, saved):
    invoice = issued_invoice(net=D("120.00"))

    payment = pay_invoice_by_card(invoice=invoice, token=card_token(number), save_card=save,
                                  by=CUSTOMER)

    assert payment.state == state
    methods = PaymentMethod.objects.filter(account=invoice.account, autopay=True, active=True)
    assert methods.count() == saved


@pytest.mark.parametrize(("number", "code", "message"), [
    (DECLINED, "insufficient_funds", "insufficient funds"),
    (EXPIRED, "expired_card", "expired"),
])
def test_declined_cards_fail_the_payment_and_leave_the_invoice_open(number, code, message):
    invoice = issued_invoice()

    payment = charge_invoice(invoice=invoice, token=card_token(number), by=CUSTOMER)

    invoice.refresh_from_db()
    assert payment.state == PaymentState.FAILED and payment.failure_code == code
    assert message in payment.failure_message
    assert invoice.state == InvoiceState.ISSUED


def test_after_a_decline_the_next_attempt_has_a_new_key():
    invoice = issued_invoice()
    charge_invoice(invoice=invoice, token=card_token(DECLINED), by=CUSTOMER)

    payment = charge_invoice(invoice=invoice, token=card_token(SUCCESS), by=CUSTOMER)

    assert payment.idempotency_key == f"invoice-{invoice.pk}-charge-2"
    assert payment.state == PaymentState.SUCCEEDED


def test_a_network_error_leaves_the_payment_pending_until_we_ask_again(finance):
    # given: the gateway charged but its answer never arrived
    invoice = issued_invoice()
    payment = charge_invoice(invoice=invoice, token=card_token(TIMEOUT), by=CUSTOMER)
    assert payment.state == PaymentState.PENDING
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.ISSUED
    # when
    payment = settle_pending_payment(payment=payment, by=finance)
    # then
    invoice.refresh_from_db()
    assert payment.state == PaymentState.SUCCEEDED and invoice.state == InvoiceState.PAID
    assert SandboxCharge.objects.count() == 1


def test_a_retry_with_the_same_key_never_charges_twice():
    invoice = issued_invoice()
    token = card_token(TIMEOUT)
    first = charge_invoice(invoice=invoice, token=token, by=CUSTOMER)

    again = charge_invoice(invoice=invoice, token=token, by=CUSTOMER)

    assert first.pk == again.pk and Payment.objects.count() == 1
    assert SandboxCharge.objects.count() == 1


def test_the_gateway_answers_a_repeated_key_with_the_first_answer():
    gateway = sandbox.SandboxGateway()
    token = card_token(SUCCESS)
    first = gateway.charge(token=token, amount=D("5.00"), currency="USD", idempotency_key="k-1")
    second = gateway.charge(token=token, amount=D("5.00"), currency="USD", idempotency_key="k-1")
    assert first == second and SandboxCharge.objects.count() == 1
    with pytest.raises(GatewayDeclined, match="another charge"):
        gateway.charge(token=token, amount=D("6.00"), currency="USD", idempotency_key="k-1")


def test_an_asynchronous_card_is_pending_then_settled_when_the_gateway_confirms(
        finance, time_machine):
    invoice = issued_invoice()
    payment = charge_invoice(invoice=invoice, token=card_token(ASYNC), by=CUSTOMER)
    assert payment.state == PaymentState.PENDING

    assert settle_pending_payment(payment=payment, by=finance).state == PaymentState.PENDING
    time_machine.shift(sandbox.CONFIRM_AFTER + timedelta(seconds=1))
    assert settle_pending_payment(payment=payment, by=finance).state == PaymentState.SUCCEEDED


def test_a_paid_invoice_is_not_charged_again():
    invoice = issued_invoice()
    first = charge_invoice(invoice=invoice, token=card_token(SUCCESS), by=CUSTOMER)

    again = charge_invoice(invoice=invoice, token=card_token(SUCCESS), by=CUSTOMER)

    assert again.pk == first.pk and SandboxCharge.objects.count() == 1


def test_a_written_off_invoice_takes_no_card_payment(finance):
    from billing.services import mark_uncollectible

    invoice = mark_uncollectible(invoice=issued_invoice(), by=finance, note="gone")
    with pytest.raises(ValidationError, match="nothing left to pay"):
        charge_invoice(invoice=invoice, token=card_token(SUCCESS), by=CUSTOMER)


def test_the_tokenizer_refuses_bad_numbers_and_keeps_no_card_number():
    with pytest.raises(GatewayDeclined, match="not valid"):
        sandbox.tokenize(number="4242424242424241", exp_month=12, exp_year=2030, cvc="123")
    with pytest.raises(GatewayDeclined, match="in the past"):
        sandbox.tokenize(number=SUCCESS, exp_month=1, exp_year=2020, cvc="123")
    card = sandbox.tokenize(number="4242 4242 4242 4242", exp_month=12, exp_year=2030, cvc="123")
    stored = " ".join(str(v) for v in SandboxCard.objects.values_list().get(pk=card.pk))
    assert SUCCESS not in stored and card.last4 == "4242"


def test_saving_a_card_keeps_only_token_brand_last_four_and_expiry(finance):
    customer = account()
    method = save_card(account=customer, token=card_token(SUCCESS), by=finance)
    assert (method.brand, method.last4, method.exp_month, method.exp_year) == (
        "visa", "4242", 12, 2030)
    fields = {f.name for f in PaymentMethod._meta.get_fields()}
    assert not {"number", "card_number", "pan", "cvc"} & fields


def test_autopay_charges_each_issued_invoice_once_and_reruns_do_nothing():
    # given: two accounts with saved cards, one without; noise: a paid invoice
    system = Actor.task("run_autopay")
    payer, declined, manual = account(), account(), account()
    save_card(account=payer, token=card_token(SUCCESS), by=system)
    save_card(account=declined, token=card_token(DECLINED), by=system)
    due = [issued_invoice(account_=payer), issued_invoice(account_=payer, net=D("30.00"))]
    refused = issued_invoice(account_=declined)
    untouched = issued_invoice(account_=manual)
    # when
    first = run_autopay(by=system)
    second = run_autopay(by=system)
    # then
    assert (first.charged, first.succeeded, first.failed) == (3, 2, 1)
    assert second.charged == 0 and Payment.objects.count() == 3
    for invoice in due:
        invoice.refresh_from_db()
        assert invoice.state == InvoiceState.PAID
    refused.refresh_from_db(), untouched.refresh_from_db()
    assert refused.state == InvoiceState.ISSUED and untouched.state == InvoiceState.ISSUED
    assert SandboxCharge.objects.count() == 3


def test_autopay_selection_takes_the_same_queries_for_one_or_many_invoices(
        django_assert_num_queries):
    from payments.services.autopay import invoices_to_autopay
    from tests.payments.factories import ON

    system = Actor.task("tests")
    customer = account()
    save_card(account=customer, token=card_token(SUCCESS), by=system)
    issued_invoice(account_=customer)
    with django_assert_num_queries(1):
        assert len(list(invoices_to_autopay(ON))) == 1
    for _ in range(5):
        issued_invoice(account_=customer)
    with django_assert_num_queries(1):
        assert len(list(invoices_to_autopay(ON))) == 6
