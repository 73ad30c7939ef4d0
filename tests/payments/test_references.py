"""On PostgreSQL the references of dunning steps are checked once per statement by triggers
(`core.references`, migration 0023), not by per-row foreign keys, so a daily run's chunk does
not queue one check per step and reference for its commit. The rules hold: a step naming a
missing invoice, account, policy, run or user is refused at once; deleting a run still named is
refused at the commit, with its steps it passes."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from payments.models import DunningEvent
from tests.ledger.factories import insert_copy, run_sql
from tests.payments.factories import issued_invoice
from tests.payments.test_dunning import ISSUED, dun

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the per-statement reference checks are PostgreSQL triggers; "
                              "SQLite keeps the ORM's checks"),
]

MISSING = 2_000_000_000


@pytest.fixture
def step():
    """The reminder three days before an invoice is due, taken by the daily run."""
    issued_invoice(on=ISSUED)
    dun(date(2026, 10, 28))
    return DunningEvent.objects.get()


@pytest.mark.parametrize("column", ["invoice_id", "account_id", "policy_id", "run_id",
                                    "created_by_id"])
def test_a_step_naming_a_missing_row_is_refused_at_once(step, column):
    with pytest.raises(IntegrityError,
                       match=f'foreign key "fk_payments_dunningevent_{column}"'), \
            transaction.atomic():
        insert_copy(DunningEvent, step.pk, step_key="copy", **{column: MISSING})
    # and a copy naming rows that exist goes in
    insert_copy(DunningEvent, step.pk, step_key="copy")
    assert DunningEvent.objects.count() == 2


def test_deleting_a_run_is_refused_at_the_commit_unless_its_steps_go_too(step):
    gone = (f"DELETE FROM payments_dunningrunchunk WHERE run_id = {step.run_id}",
            f"DELETE FROM payments_dunningrun WHERE id = {step.run_id}")
    with pytest.raises(IntegrityError,
                       match='foreign key "fk_payments_dunningevent_run_id"'), \
            transaction.atomic():
        run_sql(*gone, "SET CONSTRAINTS ALL IMMEDIATE")
    run_sql(*gone, f"DELETE FROM payments_dunningevent WHERE id = {step.pk}",
         "SET CONSTRAINTS ALL IMMEDIATE")
    assert not DunningEvent.objects.exists()
