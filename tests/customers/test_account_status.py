"""An account's status moves only through its state machine: each move has a permission and a
history row (issue 13: the account's status as a state machine, like every document)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.transitions import history_for
from customers import services
from customers.models import Account, AccountStatus
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_finance_puts_an_account_on_hold_closes_and_reopens_it_with_history(finance):
    account = AccountFactory()

    for status in (AccountStatus.ON_HOLD, AccountStatus.ACTIVE, AccountStatus.CLOSED,
                   AccountStatus.ACTIVE):
        account = services.update_account(account=account, by=finance, status=status)
        assert Account.objects.get(pk=account.pk).status == status

    assert [(h.transition, h.source, h.target) for h in history_for(account)
            if h.transition in ("hold", "activate", "close", "reopen")] == [
        ("hold", "active", "on_hold"), ("activate", "on_hold", "active"),
        ("close", "active", "closed"), ("reopen", "closed", "active")]


def test_a_rep_cannot_put_their_account_on_hold(sales_rep):
    account = AccountFactory(owner=sales_rep)

    with pytest.raises(PermissionDenied):
        services.update_account(account=account, by=sales_rep, status=AccountStatus.ON_HOLD)

    assert Account.objects.get(pk=account.pk).status == AccountStatus.ACTIVE


def test_a_move_no_transition_makes_is_refused_at_the_field(finance):
    account = AccountFactory()

    with pytest.raises(ValidationError) as refused:
        services.update_account(account=account, by=finance, status=AccountStatus.PROSPECT)

    assert "cannot become prospect" in refused.value.message_dict["status"][0]
    assert Account.objects.get(pk=account.pk).status == AccountStatus.ACTIVE
