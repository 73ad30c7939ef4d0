"""Performance obligations move only through their `end` transition (permission, history row),
and revenue contracts read the lines' charge schedules set-based: one aggregate query per batch
of contracts, however many lines changed.

The contracts (tests.contracts.factories): 1 December 2026 for 12 months, 5 seats monthly at
15% off and the onboarding; amended to 8 seats from 15 March 2027 (tests.contracts.
test_amendments)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_fsm import TransitionNotAllowed

from contracts.services.termination import terminate_contract
from core.transitions import history_for, run_transition
from revrec.models import ObligationStatus, PerformanceObligation
from revrec.services import create_revenue_contracts
from tests.contracts.test_amendments import EFFECTIVE, amended_to
from tests.revrec.factories import START, active_contract, revenue_contract_of, system

pytestmark = pytest.mark.django_db


def seats(rc):
    return PerformanceObligation.objects.get(revenue_contract=rc, product__sku="SEAT-USER",
                                             predecessor__isnull=True)


def test_an_amendment_ends_the_old_obligation_through_its_transition(sales_rep, finance):
    # given
    contract = active_contract(sales_rep, by=finance)
    rc = revenue_contract_of(contract)

    # when
    amended_to(contract, sales_rep, D(8))
    create_revenue_contracts(by=system(), on=START)

    # then: ended from the effective date, with one history row saying so
    old = seats(rc)
    assert (old.status, old.ended_on) == (ObligationStatus.ENDED, EFFECTIVE)
    [row] = history_for(old)
    assert (row.transition, row.source, row.target) == ("end", "open", "ended")
    assert row.note == "Line changed or ended from 2027-03-15"


def test_the_status_cannot_be_set_or_ended_without_the_permission(sales_rep, finance):
    # given
    contract = active_contract(sales_rep, by=finance)
    obligation = seats(revenue_contract_of(contract))

    # then: the field is protected, and finance (who may view) may not end it
    with pytest.raises(AttributeError):
        obligation.status = ObligationStatus.ENDED
    with pytest.raises(PermissionDenied, match="You are not allowed to end"):
        run_transition(obligation, "end", by=finance, effective=EFFECTIVE)
    obligation.refresh_from_db()
    assert obligation.status == ObligationStatus.OPEN and not history_for(obligation).exists()


def test_an_ended_obligation_cannot_end_again(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    obligation = seats(revenue_contract_of(contract))
    run_transition(obligation, "end", by=system(), effective=EFFECTIVE)

    with pytest.raises(ValidationError, match="cannot end while ended"):
        run_transition(obligation, "end", by=system(), effective=EFFECTIVE)
    with pytest.raises(TransitionNotAllowed):
        obligation.end(effective=EFFECTIVE)


def test_schedules_are_read_in_one_query_whatever_the_lines_changed(
        sales_rep, other_rep, finance):
    # given: two contracts made, then one amended and the other terminated
    first = active_contract(sales_rep, by=finance)
    second = active_contract(other_rep, by=finance)
    create_revenue_contracts(by=system(), on=START)
    amended_to(first, sales_rep, D(8))
    terminate_contract(contract=second, by=finance, effective_on=date(2027, 5, 17),
                       reason="Customer left", on=date(2027, 5, 2))

    # when
    with CaptureQueriesContext(connection) as queries:
        create_revenue_contracts(by=system(), on=date(2027, 5, 2))

    # then: the charge schedules of every line, in one aggregate query
    reads = [q["sql"] for q in queries.captured_queries
             if "contracts_scheduledcharge" in q["sql"] and q["sql"].startswith("SELECT")]
    assert len(reads) == 1, reads
    assert "SUM" in reads[0].upper()
    assert PerformanceObligation.objects.filter(status=ObligationStatus.ENDED).count() == 2
