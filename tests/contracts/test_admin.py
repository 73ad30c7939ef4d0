"""Admin keeps contract templates; contracts are shown read-only."""

import pytest
from django.urls import reverse

from contracts.models import ContractTemplate
from tests.contracts.factories import draft_contract

pytestmark = pytest.mark.django_db


def test_a_contract_template_is_added_in_admin(admin_client):
    response = admin_client.post(reverse("admin:contracts_contracttemplate_add"), {
        "name": "Standard", "body": "{{ account }} from {{ start_on }}", "is_default": "on",
        "auto_renew": "on", "renewal_term_months": 12, "uplift_percent": "3",
        "renewal_notice_days": 60})

    assert response.status_code == 302
    assert ContractTemplate.objects.get().is_default


def test_contracts_are_read_only_in_admin(admin_client, sales_rep):
    contract = draft_contract(sales_rep)

    page = admin_client.get(reverse("admin:contracts_contract_change", args=[contract.pk]))

    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.get(reverse("admin:contracts_contract_add")).status_code == 403


@pytest.mark.parametrize("model", ["amendment", "termination", "renewal", "renewalreminder"])
def test_amendment_termination_and_renewal_records_are_listed_read_only(admin_client, model):
    assert admin_client.get(reverse(f"admin:contracts_{model}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:contracts_{model}_add")).status_code == 403
