"""Admin shows orders and fulfilments read-only."""

import pytest
from django.urls import reverse

from orders import services
from tests.conftest import PASSWORD
from tests.orders.factories import order_for

pytestmark = pytest.mark.django_db


def test_orders_are_read_only_in_admin(client, sales_rep, finance):
    order = order_for(sales_rep, finance=finance)
    services.fulfil_lines(order=order, by=finance)
    assert client.login(username=finance.username, password=PASSWORD)

    listing = client.get(reverse("admin:orders_order_changelist"))
    page = client.get(reverse("admin:orders_order_change", args=[order.pk]))
    fulfilments = client.get(reverse("admin:orders_fulfilment_changelist"))

    assert listing.status_code == 200 and order.number in listing.content.decode()
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert fulfilments.status_code == 200
    assert client.get(reverse("admin:orders_order_add")).status_code == 403
    assert client.post(reverse("admin:orders_order_delete", args=[order.pk])).status_code == 403
