import pytest
from django.urls import reverse

from ledger import services
from ledger.models import GLAccount
from tests.ledger.factories import balanced

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(finance):
    return services.post_entry(balanced(), by=finance)


def test_entries_are_read_only_in_admin(client, accountant, entry):
    client.force_login(accountant)
    assert client.get(reverse("admin:ledger_journalentry_changelist")).status_code == 200
    page = client.get(reverse("admin:ledger_journalentry_change", args=[entry.pk]))
    assert page.status_code == 200 and b"Cash sale" in page.content
    assert b'name="_save"' not in page.content
    assert client.get(reverse("admin:ledger_journalentry_add")).status_code == 403
    assert client.post(reverse("admin:ledger_journalentry_delete", args=[entry.pk]),
                       {"post": "yes"}).status_code == 403


def test_periods_are_read_only_in_admin(client, accountant, entry):
    client.force_login(accountant)
    assert client.get(reverse("admin:ledger_accountingperiod_changelist")).status_code == 200
    assert client.get(reverse("admin:ledger_accountingperiod_add")).status_code == 403


def test_accountant_edits_the_chart_of_accounts(client, accountant):
    client.force_login(accountant)
    response = client.post(reverse("admin:ledger_glaccount_add"),
                           {"code": "4100", "name": "Services revenue", "type": "revenue",
                            "active": "on"})
    assert response.status_code == 302
    assert GLAccount.objects.get(code="4100").name == "Services revenue"


def test_code_of_a_used_account_is_locked(client, accountant, entry):
    client.force_login(accountant)
    cash = GLAccount.objects.get(code="1000")
    page = client.get(reverse("admin:ledger_glaccount_change", args=[cash.pk]))
    assert b'name="code"' not in page.content


def test_finance_keeps_exchange_rates_in_admin(client, finance):
    client.force_login(finance)
    response = client.post(reverse("admin:ledger_exchangerate_add"),
                           {"currency": "EUR", "valid_on": "2026-01-01", "rate": "1.1"})
    assert response.status_code == 302


def test_accountant_maps_an_account_to_the_target_chart_and_finance_only_reads_the_map(
        client, accountant, finance):
    revenue = GLAccount.objects.get(code="4000")
    client.force_login(accountant)
    response = client.post(reverse("admin:ledger_glaccountmapping_add"),
                           {"gl_account": revenue.pk, "target_code": "8400",
                            "target_name": "Erlöse"})
    assert response.status_code == 302
    assert (revenue.export_mapping.target_code, revenue.export_mapping.target_name) == (
        "8400", "Erlöse")
    client.force_login(finance)
    assert client.get(reverse("admin:ledger_glaccountmapping_changelist")).status_code == 200
    assert client.get(reverse("admin:ledger_glaccountmapping_add")).status_code == 403
