from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.actors import Actor, ActorKind, system_user
from core.models import TransitionLog
from core.transitions import (
    allowed_transitions,
    history_for,
    run_bulk_transition,
    run_transition,
)
from ledger.models import AccountingPeriod, PeriodState

pytestmark = pytest.mark.django_db


def make_period(month: int) -> AccountingPeriod:
    return AccountingPeriod.objects.create(start_on=date(2026, month, 1),
                                           end_on=date(2026, month, 28))


def test_transition_saves_the_state_and_records_who_when_and_why(accountant):
    period = make_period(1)

    run_transition(period, "start_close", by=accountant, note="month end", on=date(2026, 2, 2))

    period.refresh_from_db()
    assert period.state == PeriodState.CLOSING
    [entry] = history_for(period)
    assert (entry.transition, entry.source, entry.target) == ("start_close", "open", "closing")
    assert (entry.actor, entry.actor_kind, entry.note) == (accountant, ActorKind.USER, "month end")
    assert entry.business_date == date(2026, 2, 2)


def test_transition_without_the_permission_is_refused_and_changes_nothing(sales_rep):
    period = make_period(1)

    with pytest.raises(PermissionDenied, match="not allowed to start close"):
        run_transition(period, "start_close", by=sales_rep)

    period.refresh_from_db()
    assert period.state == PeriodState.OPEN
    assert not TransitionLog.objects.exists()


def test_transition_from_the_wrong_state_is_a_validation_error(accountant):
    period = make_period(1)

    with pytest.raises(ValidationError, match="cannot close while open"):
        run_transition(period, "close", by=accountant)


def test_customer_actor_is_recorded_with_name_and_ip():
    period = make_period(1)

    run_transition(period, "start_close", by=Actor.customer(name="Ada Buyer", ip="203.0.113.9"))

    [entry] = history_for(period)
    assert (entry.actor_kind, entry.actor_name, entry.actor_ip, entry.actor) == (
        ActorKind.CUSTOMER, "Ada Buyer", "203.0.113.9", None)


def test_system_user_cannot_log_in_and_is_recorded_as_a_task(client):
    user = system_user()
    assert not user.has_usable_password()
    assert not client.login(username="system", password="")
    assert system_user() == user  # one system user, made once


def test_bulk_transition_moves_many_with_constant_queries(accountant,
                                                         django_assert_max_num_queries):
    run_bulk_transition([make_period(1)], "start_close", by=accountant)  # warms the caches
    few = [make_period(m) for m in (2, 3)]
    many = [make_period(m) for m in range(4, 13)]

    with django_assert_max_num_queries(8) as few_queries:
        run_bulk_transition(few, "start_close", by=accountant)
    with django_assert_max_num_queries(8) as many_queries:
        run_bulk_transition(many, "start_close", by=accountant, note="year end")

    assert len(few_queries.captured_queries) == len(many_queries.captured_queries)
    assert set(AccountingPeriod.objects.values_list("state", flat=True)) == {PeriodState.CLOSING}
    ct = ContentType.objects.get_for_model(AccountingPeriod)
    assert TransitionLog.objects.filter(content_type=ct, transition="start_close").count() == 12


def test_bulk_transition_refuses_all_when_one_cannot_move(accountant):
    closing, still_open = make_period(1), make_period(2)
    run_transition(closing, "start_close", by=accountant)

    with pytest.raises(ValidationError, match="Cannot close"):
        run_bulk_transition([closing, still_open], "close", by=accountant)

    assert AccountingPeriod.objects.get(pk=closing.pk).state == PeriodState.CLOSING


def test_bulk_transition_refuses_all_when_another_process_moved_one_meanwhile(accountant):
    """The documents were read open; one was moved by someone else before the update: the
    guarded update sees it and nothing moves (code review, change 1: no `state = source`)."""
    first, second = make_period(1), make_period(2)
    AccountingPeriod.objects.filter(pk=second.pk).update(state=PeriodState.CLOSING)

    with (pytest.raises(ValidationError, match="1 of them changed meanwhile"),
          transaction.atomic()):
        run_bulk_transition([first, second], "start_close", by=accountant)

    assert AccountingPeriod.objects.get(pk=first.pk).state == PeriodState.OPEN
    assert not TransitionLog.objects.filter(transition="start_close").exists()


def test_bulk_transition_writes_its_fields_with_the_state_under_the_same_guard(accountant):
    """`update_fields` go in the guarded update of the state (one statement on PostgreSQL):
    written where the state moved, and nowhere when one document was moved meanwhile."""
    first, second = make_period(1), make_period(2)
    for period in (first, second):
        period.end_on = date(2026, period.start_on.month, 27)

    run_bulk_transition([first, second], "start_close", by=accountant, update_fields=["end_on"])

    name = accountant.get_full_name() or accountant.get_username()

    assert sorted(AccountingPeriod.objects.values_list("state", "end_on")) == [
        (PeriodState.CLOSING, date(2026, 1, 27)), (PeriodState.CLOSING, date(2026, 2, 27))]
    assert list(TransitionLog.objects.filter(transition="start_close").order_by("object_id")
                .values_list("object_id", "source", "target", "actor_name")) == [
        (first.pk, "open", "closing", name), (second.pk, "open", "closing", name)]
    third, fourth = make_period(3), make_period(4)
    AccountingPeriod.objects.filter(pk=fourth.pk).update(state=PeriodState.CLOSING)
    third.end_on = date(2026, 3, 27)
    with (pytest.raises(ValidationError, match="1 of them changed meanwhile"),
          transaction.atomic()):
        run_bulk_transition([third, fourth], "start_close", by=accountant,
                            update_fields=["end_on"])
    assert AccountingPeriod.objects.get(pk=third.pk).end_on == date(2026, 3, 28)


def test_bulk_transition_checks_the_permission(sales_rep):
    with pytest.raises(PermissionDenied):
        run_bulk_transition([make_period(1)], "start_close", by=sales_rep)


def test_the_transitions_a_user_may_take_follow_the_state_and_the_permissions(
        accountant, finance, sales_rep):
    period = make_period(1)
    assert allowed_transitions(period, accountant) == {"start_close"}
    assert allowed_transitions(period, sales_rep) == frozenset()
    run_transition(period, "start_close", by=accountant)
    assert allowed_transitions(period, accountant) == {"cancel_close", "close"}
    run_transition(period, "close", by=accountant)
    assert allowed_transitions(period, accountant) == {"reopen"}
    assert allowed_transitions(period, finance) == frozenset()  # finance cannot reopen a month
