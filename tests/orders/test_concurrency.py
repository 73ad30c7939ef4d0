"""Two users ordering the same countersigned contract at once: the contract row lock makes the
second one see the first order and refuse, so a line is never ordered twice (PostgreSQL)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from orders import services
from orders.models import Order
from tests.conftest import reseed_migration_data
from tests.orders.factories import ON, contract_for


@pytest.mark.postgres("row locks; SQLite serialises writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_orders_of_one_contract_make_one_order(sales_rep, finance):
    # given
    reseed_migration_data()
    contract = contract_for(sales_rep, finance=finance)
    made, refused, errors = [], [], []
    start = threading.Barrier(2)

    def worker():
        try:
            start.wait()
            made.append(services.create_order_from_contract(contract=contract, by=finance,
                                                            on=ON))
        except ValidationError as error:
            refused.append(error)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert not errors
    assert len(made) == 1 and len(refused) == 1
    assert "already on an order" in refused[0].messages[0]
    assert Order.objects.count() == 1 and Order.objects.get().number == "O-2026-00001"
