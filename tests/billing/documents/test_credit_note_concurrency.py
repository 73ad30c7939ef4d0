"""Credit notes issued at once: their numbers are unique and gapless, and credits on one invoice
never take more than is left (PostgreSQL row locks)."""

import threading
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from billing.models import CreditNote
from billing.services.credit_notes import issue_credit_note
from tests.billing.documents.conftest import ON, gb_account, issue
from tests.conftest import reseed_migration_data

THREADS = 20


def _in_threads(calls):
    errors, done = [], []

    def run(call):
        try:
            done.append(call())
        except ValidationError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done, errors


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="row locks need PostgreSQL; SQLite serialises writers")
@pytest.mark.django_db(transaction=True)
def test_twenty_credit_notes_at_once_take_unique_gapless_numbers(finance, vat):
    reseed_migration_data()
    account = gb_account()
    invoices = [issue(finance, account) for _ in range(THREADS)]
    shared = issue(finance, account)  # 172.50: room for three credits of 50.00, not four
    calls = [lambda invoice=invoice: issue_credit_note(
        invoice=invoice, by=finance, reason="goodwill", whole=True, on=ON) for invoice in invoices]
    calls += [lambda: issue_credit_note(invoice=shared, by=finance, reason="goodwill",
                                        amount=D("50.00"), on=ON) for _ in range(5)]

    done, errors = _in_threads(calls)

    assert len(done) == THREADS + 3 and len(errors) == 2
    assert all("left to credit" in " ".join(e.messages) for e in errors)
    numbers = sorted(CreditNote.objects.values_list("number", flat=True))
    assert numbers == [f"CN-{ON.year}-{n:06d}" for n in range(1, THREADS + 4)]
    shared.refresh_from_db()
    assert (shared.amount_credited, shared.amount_due) == (D("150.00"), D("22.50"))
