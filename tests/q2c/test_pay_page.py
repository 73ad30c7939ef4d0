"""The pay page shows the customer the credit they hold with us (issue 17, "the customer
statement and the portal show it")."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from payments.services import pay_link_token, record_payment
from tests.payments.factories import issued_invoice

pytestmark = pytest.mark.django_db


def test_the_pay_page_shows_unapplied_cash_as_the_customers_credit(client, finance):
    invoice = issued_invoice(net=Decimal("100.00"))
    page = client.get(reverse("pay:invoice", args=[pay_link_token(invoice)])).content.decode()
    assert 'data-testid="credit"' not in page

    record_payment(account=invoice.account, method="wire", amount="30.00", currency="USD",
                   received_on=date(2026, 11, 20), by=finance)
    page = client.get(reverse("pay:invoice", args=[pay_link_token(invoice)])).content.decode()

    assert 'data-testid="credit"' in page and "$30.00" in page
