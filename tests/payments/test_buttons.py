"""A payment's and a late charge's buttons follow the state machine (state, conditions,
permission: core.transitions.allowed_transitions), never a copied list of states."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from payments.models import LateCharge
from payments.services import charge_invoice, open_dispute, record_payment, refund_payment
from tests.payments.factories import ASYNC, ON, SUCCESS, account, card_token, issued_invoice
from tests.payments.test_dunning import dun
from tests.payments.test_late_charges import charging_policy, eur_invoice  # noqa: F401
from tests.payments.test_refunds import CUSTOMER

pytestmark = pytest.mark.django_db

FLAGS = ("can_refund", "can_dispute", "can_settle", "can_allocate")


def _flags(client, user, payment):
    client.force_login(user)
    context = client.get(reverse("payments:detail", args=[payment.pk])).context
    return {flag for flag in FLAGS if context[flag]}, context["closable"]


def _card_payment(owner, number=SUCCESS):
    invoice = issued_invoice(account_=account(owner=owner))
    return charge_invoice(invoice=invoice, token=card_token(number), by=CUSTOMER)


def test_a_succeeded_card_payment_offers_finance_a_refund_and_a_chargeback_only(
        client, role_users, sales_rep):
    payment = _card_payment(sales_rep)

    seen = {role: _flags(client, user, payment)[0] for role, user in role_users.items()
            if role != "catalog_admin"}

    assert seen == {"finance": {"can_refund", "can_dispute"}, "accountant": set(),
                    "sales_rep": set(), "sales_manager": set()}


def test_a_fully_refunded_payment_offers_nothing_and_a_part_refunded_one_no_chargeback(
        client, finance, sales_rep):
    payment = _card_payment(sales_rep)
    refund_payment(payment=payment, amount=D("40.00"), reason="Part", by=finance)
    assert _flags(client, finance, payment) == ({"can_refund"}, set())

    refund_payment(payment=payment, amount=D("60.00"), reason="Rest", by=finance)
    assert _flags(client, finance, payment) == (set(), set())


def test_a_bank_transfer_can_be_refunded_and_applied_but_not_charged_back(client, finance):
    customer = account()
    payment = record_payment(account=customer, method="bank_transfer", amount=D("50.00"),
                             currency="USD", received_on=ON, by=finance, reference="wire")

    assert _flags(client, finance, payment) == ({"can_refund", "can_allocate"}, set())


def test_an_open_chargeback_offers_finance_won_or_lost_and_nobody_else(
        client, finance, accountant, sales_rep):
    payment = _card_payment(sales_rep)
    dispute = open_dispute(payment=payment, reason="Fraud claim", by=finance)

    assert _flags(client, finance, payment) == (set(), {dispute.pk})
    assert _flags(client, accountant, payment) == (set(), set())
    page = client.get(reverse("payments:detail", args=[payment.pk])).content.decode()
    assert reverse("payments:dispute_close", args=[dispute.pk]) not in page


def test_a_pending_card_charge_offers_finance_to_ask_the_gateway(client, finance, accountant,
                                                                  sales_rep):
    payment = _card_payment(sales_rep, number=ASYNC)

    assert _flags(client, finance, payment) == ({"can_settle"}, set())
    assert _flags(client, accountant, payment) == (set(), set())


def test_a_late_charge_is_waivable_by_finance_while_issued_and_unpaid(
        client, charging_policy, finance, accountant):  # noqa: F811
    eur_invoice()
    dun(date(2026, 11, 1))
    fee = LateCharge.objects.get()

    def can_waive(user):
        client.force_login(user)
        return client.get(reverse("payments:late_charge", args=[fee.pk])).context["can_waive"]

    assert (can_waive(finance), can_waive(accountant)) == (True, False)
    LateCharge.objects.filter(pk=fee.pk).update(amount_paid=D("1.00"),
                                                amount_due=fee.amount - D("1.00"))
    assert can_waive(finance) is False
