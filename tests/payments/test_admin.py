"""Admin: every payments page opens for finance; saved cards' card data cannot be edited."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from core.actors import Actor
from payments.services import record_payment, save_card
from tests.conftest import PASSWORD
from tests.payments.factories import ON, account, card_token

pytestmark = pytest.mark.django_db
MODELS = ["dunningpolicy", "dunningtemplate", "accountdunning", "payment", "dunningevent",
          "paymentmethod", "webhookevent"]


@pytest.mark.parametrize("model", MODELS)
def test_finance_opens_each_admin_list(client, finance, model):
    record_payment(account=account(), method="check", amount=D("5.00"), currency="USD",
                   received_on=ON, by=finance)
    assert client.login(username=finance.username, password=PASSWORD)
    assert client.get(reverse(f"admin:payments_{model}_changelist")).status_code == 200


def test_a_saved_cards_number_fields_are_read_only_but_autopay_can_be_stopped(client, finance):
    method = save_card(account=account(), token=card_token(), by=Actor.task("tests"))
    assert client.login(username=finance.username, password=PASSWORD)
    url = reverse("admin:payments_paymentmethod_change", args=[method.pk])
    client.post(url, {"autopay": "", "active": "on", "last4": "0000"})
    method.refresh_from_db()
    assert method.autopay is False and method.last4 == "4242"
