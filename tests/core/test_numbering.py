import threading

import pytest
from django.db import connection, transaction

from core.models import NumberSequence
from core.numbering import next_number, next_numbers


@pytest.mark.django_db
def test_numbers_are_consecutive_per_series():
    assert [next_number("invoice-2026") for _ in range(3)] == [1, 2, 3]
    assert next_number("quote-2026") == 1
    assert list(next_numbers("invoice-2026", 3)) == [4, 5, 6]


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_number_back():
    next_number("invoice-2026")
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number("invoice-2026")
        raise RuntimeError("document refused")
    assert next_number("invoice-2026") == 2


@pytest.mark.postgres("row locks; SQLite serialises writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_get_no_duplicate_and_no_gap():
    taken, errors = [], []

    def worker():
        try:
            for _ in range(20):
                with transaction.atomic():
                    taken.append(next_number("invoice-2026"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    assert sorted(taken) == list(range(1, 121))
    assert NumberSequence.objects.get(key="invoice-2026").last_value == 120
