"""The recognition policy on the revenue contract, through the database path: the settings'
default copied onto the revenue contract, its schedules built under it, the run, the journal and
the recognized revenue report; the accountant changes it on the page before anything is
recognized, and nobody after.

Worked example: IFRS 15 IE Example 18 (IE92-IE94), a stand-ready service for a year whose
progress is measured on a straight-line basis: equal revenue each month. The example contract
(tests.contracts.factories) sells 5 seats for a year from 1 December 2026 for 1,530.00 allocated
to the seats, and the onboarding (5,000.00, delivered at the start). By month, the seats earn
1,530.00 / 12 = 127.50 in every month; by day, December earns 1,530.00 × 31 / 365 = 129.95.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from catalog.revenue_schedule import BY_MONTH, LARGEST_REMAINDER, LAST_PERIOD, Basis
from core.dates import add_months
from ledger import chart
from ledger.selectors import trial_balance
from revrec.models import PerformanceObligation, RecognitionItem
from revrec.reports import Filters, recognized_revenue
from revrec.services import start_recognition_run
from revrec.services.contracts import set_recognition_policy
from tests.conftest import PASSWORD
from tests.revrec.factories import active_contract, revenue_contract_of

pytestmark = pytest.mark.django_db

DEC, JAN = date(2026, 12, 1), date(2027, 1, 1)


def seats_schedule(rc):
    seats = PerformanceObligation.objects.get(revenue_contract=rc, product__sku="SEAT-USER")
    return list(seats.schedule.order_by("month").values_list("amount", flat=True))


def run_month(month, *, by, captured):
    with captured(execute=True):
        start_recognition_run(month=month, by=by, on=add_months(month, 1))


def revenue(as_of):
    row = next((r for r in trial_balance(as_of).rows if r.code == chart.REVENUE), None)
    return row.balance if row else D(0)


def test_the_default_policy_is_copied_on_the_revenue_contract_and_followed_to_the_ledger(
        sales_rep, finance, accountant, settings, django_capture_on_commit_callbacks):
    # given: the company recognizes by month, remainder to the last period
    settings.REVREC_RECOGNITION_BASIS = "by_month"
    settings.REVREC_REMAINDER_TO = "last_period"
    rc = revenue_contract_of(active_contract(sales_rep, by=finance))
    settings.REVREC_RECOGNITION_BASIS = "by_day"  # a later change of the setting moves nothing

    # when: December and January are recognized
    run_month(DEC, by=accountant, captured=django_capture_on_commit_callbacks)
    run_month(JAN, by=accountant, captured=django_capture_on_commit_callbacks)

    # then: the seats earn 127.50 each month (IE92-IE94), the journal and report say so
    rc.refresh_from_db()
    assert (rc.recognition_basis, rc.remainder_to) == ("by_month", "last_period")
    assert seats_schedule(rc) == [D("127.50")] * 12
    items = dict(RecognitionItem.objects.filter(revenue_contract=rc)
                 .values_list("month", "recognized"))
    assert items == {DEC: D("5127.50"), JAN: D("127.50")}
    assert revenue(date(2027, 1, 31)) == D("-5255.00")
    report = recognized_revenue(first=DEC, last=JAN, filters=Filters(family="Seats"))
    assert [row[4] for row in report.rows] == [D("127.50"), D("127.50")]


def test_the_accountant_changes_the_policy_before_recognition_and_the_schedule_follows(
        sales_rep, finance, accountant):
    rc = revenue_contract_of(active_contract(sales_rep, by=finance))
    assert seats_schedule(rc)[0] == D("129.95")  # by day, the default

    rc = set_recognition_policy(revenue_contract=rc, basis=Basis(BY_MONTH, LARGEST_REMAINDER),
                                by=accountant)

    assert rc.recognition_basis == "by_month"
    assert seats_schedule(rc) == [D("127.50")] * 12


def test_the_policy_stays_once_revenue_is_recognized(sales_rep, finance, accountant,
                                                     django_capture_on_commit_callbacks):
    rc = revenue_contract_of(active_contract(sales_rep, by=finance))
    run_month(DEC, by=accountant, captured=django_capture_on_commit_callbacks)

    with pytest.raises(ValidationError, match="recognized already"):
        set_recognition_policy(revenue_contract=rc, basis=Basis(BY_MONTH, LAST_PERIOD),
                               by=accountant)
    rc.refresh_from_db()
    assert rc.recognition_basis == "by_day" and seats_schedule(rc)[0] == D("129.95")


def test_finance_may_not_change_the_policy(sales_rep, finance):
    rc = revenue_contract_of(active_contract(sales_rep, by=finance))
    with pytest.raises(PermissionDenied):
        set_recognition_policy(revenue_contract=rc, basis=Basis(BY_MONTH), by=finance)


def test_the_page_shows_the_policy_and_the_accountant_changes_it(client, sales_rep, finance,
                                                                 accountant):
    rc = revenue_contract_of(active_contract(sales_rep, by=finance))
    url = reverse("revrec:contract_policy", args=[rc.pk])
    policy = {"recognition_basis": "by_month", "remainder_to": "last_period",
              "mid_month_end": "month_end"}

    client.login(username=finance.username, password=PASSWORD)
    page = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()
    assert "by day (each day of service earns the same)" in page
    assert client.post(url, policy).status_code == 403

    client.login(username=accountant.username, password=PASSWORD)
    response = client.post(url, policy)
    assert response.status_code == 302
    rc.refresh_from_db()
    assert (rc.recognition_basis, rc.remainder_to, rc.mid_month_end) == (
        "by_month", "last_period", "month_end")
    bad = client.post(url, {**policy, "recognition_basis": "by_week"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
