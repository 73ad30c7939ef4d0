"""The daily renewal run with a frozen clock: renewal quotes and reminders inside the notice
window (each once), and at the end of the term: renewed, renewed by itself, or expired."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core import mail

from contracts import services
from contracts.models import Contract, ContractState, LineStatus, Renewal, RenewalReminder
from contracts.services.renewals import reminder_thresholds
from contracts.tasks import process_renewals_task
from core.actors import Actor
from core.transitions import history_for
from quotes.models import QuoteKind, QuoteState
from tests.contracts.factories import active_contract

pytestmark = pytest.mark.django_db

END = date(2027, 11, 30)  # the active contracts' last day (from 2026-12-01, 12 months)


def run_on(day: str, captured):
    """The beat task at 01:00 on `day`, emails sent after commit."""
    with time_machine.travel(f"{day} 01:00 +00:00", tick=False), captured(execute=True):
        return process_renewals_task.delay().get()


@pytest.fixture
def contract(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    Contract.objects.filter(pk=contract.pk).update(uplift_percent=Decimal("5"),
                                                  renewal_notice_days=60)
    contract.refresh_from_db()
    return contract


@pytest.fixture
def noise(other_rep, finance):
    """Another team's contract, far from its end: never touched."""
    from tests.contracts.factories import START

    contract = active_contract(other_rep, by=finance)
    Contract.objects.filter(pk=contract.pk).update(end_on=date(2028, 11, 30),
                                                  start_on=START)
    return contract


def test_reminders_at_the_notice_days_then_30_then_7():
    assert reminder_thresholds(60) == [60, 30, 7]
    assert reminder_thresholds(20) == [20, 7]
    assert reminder_thresholds(30) == [30, 7]


def test_nothing_happens_before_the_notice_window(contract, noise,
                                                  django_capture_on_commit_callbacks):
    counts = run_on("2027-09-30", django_capture_on_commit_callbacks)  # 61 days before

    assert counts == {"quotes": 0, "reminders": 0, "renewed": 0, "auto_renewed": 0,
                      "expired": 0}
    assert not Renewal.objects.exists() and not mail.outbox


def test_the_notice_day_makes_the_renewal_quote_once_and_reminds_once(
        contract, noise, sales_rep, django_capture_on_commit_callbacks):
    # when: the run on the 60th day before the end, twice
    first = run_on("2027-10-01", django_capture_on_commit_callbacks)
    second = run_on("2027-10-01", django_capture_on_commit_callbacks)

    # then
    assert (first["quotes"], first["reminders"]) == (1, 1)
    assert second == {"quotes": 0, "reminders": 0, "renewed": 0, "auto_renewed": 0,
                      "expired": 0}
    quote = Renewal.objects.get(contract=contract).quote
    assert (quote.kind, quote.state, quote.owner, quote.start_on, quote.term_months) == (
        QuoteKind.RENEWAL, QuoteState.DRAFT, sales_rep, date(2027, 12, 1), 12)
    assert quote.expires_on == END
    seat = contract.lines.get(product__sku="SEAT-USER")
    [renewed] = quote.lines.all()
    assert renewed.price_snapshot["unit_amount"] == "31.5"  # $30 + 5%
    assert renewed.quantity == seat.quantity
    assert renewed.discount_percent == seat.discount_percent
    assert renewed.amount_per_period == Decimal("133.87")  # 157.50 less 23.63 (15%, rounded)
    [email] = mail.outbox
    assert email.to == [sales_rep.email] and contract.number in email.subject
    assert str(quote) in email.body


def test_each_reminder_goes_once_even_when_days_are_missed(contract,
                                                           django_capture_on_commit_callbacks):
    run_on("2027-10-01", django_capture_on_commit_callbacks)  # 60 days
    run_on("2027-10-31", django_capture_on_commit_callbacks)  # 30 days
    run_on("2027-11-01", django_capture_on_commit_callbacks)  # 29 days: nothing new
    run_on("2027-11-25", django_capture_on_commit_callbacks)  # 5 days: the 7-day one

    assert list(RenewalReminder.objects.filter(contract=contract)
                .values_list("days_before", "sent_on")) == [
        (60, date(2027, 10, 1)), (30, date(2027, 10, 31)), (7, date(2027, 11, 25))]
    assert len(mail.outbox) == 3 and Renewal.objects.count() == 1


def test_an_auto_renew_contract_renews_itself_at_its_end_with_the_uplift(
        contract, noise, django_capture_on_commit_callbacks):
    seat = contract.lines.get(product__sku="SEAT-USER")

    counts = run_on("2027-12-01", django_capture_on_commit_callbacks)
    again = run_on("2027-12-01", django_capture_on_commit_callbacks)

    contract.refresh_from_db()
    new = Contract.objects.get(renews=contract)
    assert (counts["auto_renewed"], again["auto_renewed"]) == (1, 0)
    assert (contract.state, contract.ended_on) == (ContractState.RENEWED, END)
    assert (new.state, new.start_on, new.end_on, new.quote) == (
        ContractState.ACTIVE, date(2027, 12, 1), date(2028, 11, 30), None)
    [line] = new.lines.all()
    assert (line.replaces, line.status, line.quantity) == (seat, LineStatus.ACTIVE,
                                                           seat.quantity)
    assert line.amount_per_period == Decimal("133.87")
    assert new.total_contract_value == Decimal("1606.44")  # 12 × 133.87
    assert new.recurring_monthly == Decimal("133.87")
    seat.refresh_from_db()
    assert (seat.status, seat.end_on) == (LineStatus.ENDED, END)
    assert [h.transition for h in history_for(new)] == ["auto_renew"]
    assert noise.lines.filter(status=LineStatus.ENDED).count() == 0


def test_a_contract_that_does_not_auto_renew_expires_and_its_lines_end(
        contract, django_capture_on_commit_callbacks):
    Contract.objects.filter(pk=contract.pk).update(auto_renew=False)

    counts = run_on("2027-12-01", django_capture_on_commit_callbacks)

    contract.refresh_from_db()
    assert counts["expired"] == 1 and contract.state == ContractState.EXPIRED
    assert not Contract.objects.filter(renews=contract).exists()
    assert not contract.lines.exclude(status=LineStatus.ENDED).exists()
    [expired] = [h for h in history_for(contract) if h.transition == "expire"]
    assert (expired.actor_kind, expired.actor_name) == ("system", "process_renewals")


def test_the_last_day_is_still_inside_the_term(contract, django_capture_on_commit_callbacks):
    counts = run_on("2027-11-30", django_capture_on_commit_callbacks)

    contract.refresh_from_db()
    assert contract.state == ContractState.ACTIVE and counts["auto_renewed"] == 0


def test_a_sales_rep_cannot_run_renewals(sales_rep):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.process_renewals(by=sales_rep)


def test_the_renewal_quote_is_made_once_per_contract(contract):
    system = Actor.task("test")
    first = services.create_renewal_quote(contract=contract, by=system, on=date(2027, 10, 1))
    again = services.create_renewal_quote(contract=contract, by=system, on=date(2027, 10, 2))

    assert first == again and Renewal.objects.count() == 1


@pytest.mark.parametrize(("transition", "role"), [
    ("expire", "finance"), ("renew", "finance"), ("expire", "sales_rep"),
    ("renew", "sales_manager")])
def test_only_the_system_ends_a_term(contract, role_users, transition, role):
    from django.core.exceptions import PermissionDenied

    from core.transitions import run_transition

    with pytest.raises(PermissionDenied):
        run_transition(contract, transition, by=role_users[role], day=END)
    contract.refresh_from_db()
    assert contract.state == ContractState.ACTIVE
