"""A contract's buttons follow its state machine for the user (issue 22, review 2026-12 "button
flags rebuilt from copied state lists"): django-fsm's available transitions (state, the
countersigned conditions, permission), per role and state."""

from dataclasses import asdict
from datetime import UTC, datetime

import pytest

from contracts.actions import next_actions
from contracts.models import Contract, ContractState

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 23, tzinfo=UTC)
LINK = {"share_link"}
EXPECTED = [  # state, countersigned; what a sales rep, a sales manager, finance, an accountant
    (ContractState.DRAFT, False, ({"send"}, {"send"}, set(), set())),
    (ContractState.OUT_FOR_SIGNATURE, False, (LINK, LINK, LINK, LINK)),
    (ContractState.SIGNED, False, (set(), set(), {"countersign"}, set())),
    (ContractState.SIGNED, True, (set(), set(), {"activate"}, set())),
    (ContractState.ACTIVE, True, ({"amend"}, {"amend"}, {"terminate"}, set())),
    (ContractState.EXPIRED, True, (set(), set(), set(), set())),
    (ContractState.RENEWED, True, (set(), set(), set(), set())),
    (ContractState.TERMINATED, True, (set(), set(), set(), set())),
]
ROLES = ("sales_rep", "sales_manager", "finance", "accountant")


@pytest.mark.parametrize(("state", "countersigned", "expected"), EXPECTED)
def test_each_role_is_offered_what_the_state_machine_allows(role_users, state, countersigned,
                                                            expected):
    contract = Contract(state=state, countersigned_at=AT if countersigned else None)

    offers = [{name for name, allowed in asdict(next_actions(contract, role_users[role])).items()
               if allowed} for role in ROLES]

    assert dict(zip(ROLES, offers, strict=True)) == dict(zip(ROLES, expected, strict=True))
