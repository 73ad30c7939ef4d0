import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.transitions import history_for
from ledger import chart, services
from ledger.models import ExchangeRate, JournalEntry, PeriodState
from tests.ledger.factories import balanced, close_month, invoice_draft

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 15)


@pytest.fixture
def posted(finance, customer):
    entries = services.post_entries([balanced("10.00"), invoice_draft(customer, document_amount="5",
                                                                      rate="1.1")], by=finance)
    return entries[0]


def _url(name, posted):
    args = {"ledger:entry": [posted.pk], "ledger:period": [posted.period_id]}.get(name, [])
    return reverse(name, args=args)


PAGES = ["ledger:trial_balance", "ledger:journal", "ledger:entry", "ledger:periods",
         "ledger:period", "ledger:rates"]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role, status", [("accountant", 200), ("finance", 200),
                                          ("sales_rep", 403), ("sales_manager", 403),
                                          ("catalog_admin", 403)])
def test_pages_by_role(client, role_users, posted, name, role, status):
    client.force_login(role_users[role])
    assert client.get(_url(name, posted)).status_code == status


@pytest.mark.parametrize("name", PAGES)
def test_pages_need_login(client, posted, name):
    response = client.get(_url(name, posted))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("name", ["ledger:start_close", "ledger:cancel_close",
                                  "ledger:close_period", "ledger:reopen_period"])
def test_finance_cannot_run_period_transitions(client, finance, posted, name):
    client.force_login(finance)
    response = client.post(reverse(name, args=[posted.period_id]), {"reason": "x"})
    assert response.status_code == 403


def test_trial_balance_shows_equal_totals(client, accountant, posted):
    client.force_login(accountant)
    response = client.get(reverse("ledger:trial_balance"))
    balance = response.context["balance"]
    assert balance.total_debit == balance.total_credit
    assert b"Balanced" in response.content
    assert b'data-total="debit">$15.50' in response.content
    assert b'data-total="credit">$15.50' in response.content


def test_trial_balance_as_of_filter(client, accountant, posted):
    client.force_login(accountant)
    response = client.get(reverse("ledger:trial_balance"), {"as_of": "2026-02-28"})
    assert response.context["balance"].rows == []


def _journal_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("ledger:journal"))
    assert response.status_code == 200
    return len(queries), response


def test_journal_query_count_does_not_grow_with_entries(client, accountant, finance,
                                                        django_assert_num_queries):
    client.force_login(accountant)
    services.post_entry(balanced(), by=finance)
    one, _ = _journal_queries(client)

    services.post_entries([balanced(memo=f"Sale {n}", on=dt.date(2026, 3, n % 28 + 1))
                           for n in range(79)], by=finance)
    with django_assert_num_queries(one):
        response = client.get(reverse("ledger:journal"))
    assert len(response.context["page_obj"]) == 50
    after = response.context["page_obj"].next_cursor
    rest = client.get(reverse("ledger:journal"), {"after": after})
    assert len(rest.context["page_obj"]) == 30 and not rest.context["page_obj"].has_next


def test_journal_filters_by_account_and_source(client, accountant, finance):
    services.post_entries([balanced(memo="Cash sale", source_label="POS-1"),
                           balanced(memo="Invoice", debit=chart.ACCOUNTS_RECEIVABLE,
                                    source_label="INV-9")], by=finance)
    client.force_login(accountant)
    page = client.get(reverse("ledger:journal"), {"gl_account": chart.ACCOUNTS_RECEIVABLE})
    assert [e.memo for e in page.context["page_obj"]] == ["Invoice"]
    page = client.get(reverse("ledger:journal"), {"source": "pos"})
    assert [e.memo for e in page.context["page_obj"]] == ["Cash sale"]
    page = client.get(reverse("ledger:journal"), {"date_from": "2026-04-01",
                                                  "date_to": "2026-03-01"})
    assert b"The end date is before the start date" in page.content


def test_entry_detail_links_the_reversal(client, accountant, posted):
    client.force_login(accountant)
    response = client.post(reverse("ledger:reverse_entry", args=[posted.pk]),
                           {"memo": "Duplicate", "on": "2026-03-20"})
    reversal = JournalEntry.objects.get(reverses=posted)
    assert response.status_code == 302
    assert response["Location"] == reverse("ledger:entry", args=[reversal.pk])

    page = client.get(reverse("ledger:entry", args=[posted.pk]))
    assert reversal.reference.encode() in page.content
    assert page.context["reverse_form"] is None  # already reversed
    again = client.post(reverse("ledger:reverse_entry", args=[posted.pk]), {"memo": "Again"})
    assert "already reversed" in str(list(get_messages(again.wsgi_request))[-1])


def test_unknown_entry_is_404(client, accountant):
    client.force_login(accountant)
    assert client.get(reverse("ledger:entry", args=[999])).status_code == 404


def _message(response):
    """The newest message (the test client does not follow redirects, so they pile up)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def test_close_and_reopen_through_the_periods_page(client, accountant):
    period = services.ensure_period(MARCH)
    client.force_login(accountant)
    periods_url = reverse("ledger:periods")

    response = client.post(reverse("ledger:start_close", args=[period.pk]), {"next": periods_url})
    assert response["Location"] == periods_url
    assert _message(response) == "March 2026 is closing: new documents dated in it post after it."

    response = client.post(reverse("ledger:close_period", args=[period.pk]))
    assert response["Location"] == reverse("ledger:period", args=[period.pk])
    assert _message(response) == "March 2026 is closed."

    response = client.post(reverse("ledger:reopen_period", args=[period.pk]), {"reason": ""})
    assert _message(response) == "Say why the period is reopened."
    period.refresh_from_db()
    assert period.state == PeriodState.CLOSED

    response = client.post(reverse("ledger:reopen_period", args=[period.pk]),
                           {"reason": "Missed accrual"})
    assert _message(response) == "March 2026 is reopened."
    period.refresh_from_db()
    assert period.state == PeriodState.OPEN
    assert [log.transition for log in history_for(period)] == ["start_close", "close", "reopen"]

    page = client.get(reverse("ledger:period", args=[period.pk]))
    assert b"Missed accrual" in page.content  # on the timeline


def test_wrong_state_action_is_an_error_message(client, accountant):
    period = services.ensure_period(MARCH)
    client.force_login(accountant)
    response = client.post(reverse("ledger:close_period", args=[period.pk]))
    assert response.status_code == 302
    assert _message(response) == "March 2026: This accounting period cannot close while open."


def test_actions_need_post(client, accountant):
    period = services.ensure_period(MARCH)
    client.force_login(accountant)
    assert client.get(reverse("ledger:start_close", args=[period.pk])).status_code == 405


def test_periods_page_shows_state_badges_and_buttons(client, accountant, finance):
    close_month(dt.date(2026, 2, 1), by=accountant)
    services.ensure_period(MARCH)
    client.force_login(accountant)
    content = client.get(reverse("ledger:periods")).content.decode()
    assert 'badge state-closed">Closed' in content and 'badge state-open">Open' in content
    assert "Start close" in content and "Reopen" in content
    client.force_login(finance)
    content = client.get(reverse("ledger:periods")).content.decode()
    assert "Start close" not in content and "Reopen" not in content


def test_rates_import_good_file(client, finance):
    client.force_login(finance)
    upload = SimpleUploadedFile("rates.csv", b"currency,date,rate\nEUR,2026-01-01,1.1\n")
    response = client.post(reverse("ledger:import_rates"), {"file": upload})
    assert response.status_code == 302
    assert _message(response) == "Imported 1 rates (1 new, 0 updated)."
    assert ExchangeRate.objects.count() == 1
    assert b"1.10000000" in client.get(reverse("ledger:rates")).content


def test_rates_import_bad_file_lists_rows_and_saves_nothing(client, finance):
    client.force_login(finance)
    upload = SimpleUploadedFile("rates.csv", b"currency,date,rate\nEUR,2026-01-01,1.1\n"
                                             b"EUR,yesterday,1.2\nEUR,2026-01-03,0\n")
    response = client.post(reverse("ledger:import_rates"), {"file": upload})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Nothing was imported" in content
    assert "Line 3: the date &#x27;yesterday&#x27; is not a date" in content
    assert "Line 4: the rate 0 must be positive" in content
    assert not ExchangeRate.objects.exists()


def test_rates_import_is_refused_without_permission(client, accountant, sales_rep):
    client.force_login(sales_rep)
    upload = SimpleUploadedFile("rates.csv", b"currency,date,rate\nEUR,2026-01-01,1.1\n")
    assert client.post(reverse("ledger:import_rates"), {"file": upload}).status_code == 403
