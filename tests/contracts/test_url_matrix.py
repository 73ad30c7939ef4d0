"""Every contract URL by role: 302 to login for strangers, 403 without the permission, else the
page (200) or the action's redirect (302). The contract is the sales rep's, so the rep and their
manager see it."""

from datetime import date

import pytest
from django.urls import reverse

from contracts import services
from tests.conftest import PASSWORD
from tests.contracts.factories import ON, active_contract

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "catalog_admin", "sales_rep", "sales_manager", "finance", "accountant"]
VIEWERS = {"sales_rep": 200, "sales_manager": 200, "finance": 200, "accountant": 200}


def expect(allowed: dict) -> dict:
    return {"anonymous": 302, "catalog_admin": 403, "sales_rep": 403, "sales_manager": 403,
            "finance": 403, "accountant": 403} | allowed


SELLERS_ACT = {"sales_rep": 302, "sales_manager": 302}
MATRIX = [
    ("get", "contracts:list", None, expect(VIEWERS)),
    ("get", "contracts:import", None, expect({"finance": 200})),
    ("get", "contracts:detail", "contract", expect(VIEWERS)),
    ("get", "contracts:pdf", "contract", expect(VIEWERS)),
    ("get", "contracts:pdf_download", "contract", expect(VIEWERS)),
    ("get", "contracts:amendment", "amendment", expect(VIEWERS)),
    ("post", "contracts:send", "contract", expect(SELLERS_ACT)),
    ("post", "contracts:amend", "contract", expect(SELLERS_ACT)),
    ("post", "contract_flows:activate", "contract", expect({"finance": 302})),
    ("post", "contracts:terminate", "contract", expect({"finance": 302})),
    ("post", "contract_flows:countersign", "contract", expect({"finance": 302})),
]


@pytest.fixture
def objects(sales_rep, finance):
    contract = active_contract(sales_rep, by=finance)
    amendment = services.start_amendment(contract=contract, by=sales_rep,
                                         effective_on=date(2027, 3, 15), on=ON)
    return {"contract": contract.pk, "amendment": amendment.pk}


@pytest.mark.parametrize(("method", "name", "arg", "statuses"), MATRIX,
                         ids=[f"{m} {n}" for m, n, _, _ in MATRIX])
def test_contract_urls_by_role(client, role_users, objects, method, name, arg, statuses):
    url = reverse(name, args=[objects[arg]] if arg else [])
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            assert client.login(username=role_users[role].username, password=PASSWORD)
        response = getattr(client, method)(url)
        assert (role, response.status_code) == (role, statuses[role])
