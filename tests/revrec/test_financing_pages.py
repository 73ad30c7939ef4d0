"""The financing page (IFRS 15.60-65) and the admin of returns and financing: who may see them,
what they show (rate, plan, interest recognized to date and remaining, the schedule by month),
filters and pagination, and query counts that do not grow with the rows.

The components are IE Example 26's (IE135-IE140: CU121 two years after the transfer at 10%,
the cash price CU100) scaled to the onboarding of tests.contracts.factories' contract:
5,000.00 payable on 1 December 2028 for goods delivered on 1 December 2026, revenue 4,132.23
and 867.77 of interest income; and the practical expedient (15.63) for another customer."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from revrec.models import FinancingComponent, InterestLine, PerformanceObligation
from revrec.services.financing import assess_financing
from tests.revrec.factories import active_contract, revenue_contract_of
from tests.revrec.test_material_rights import DEC, JAN, run

pytestmark = pytest.mark.django_db
LIST = reverse("revrec:financing")


def onboarding(rc):
    return PerformanceObligation.objects.get(revenue_contract=rc, product__sku="ONBOARDING")


def in_arrears(rc, accountant):
    return assess_financing(obligation=onboarding(rc), paid_on=date(2028, 12, 1),
                            rate=D("0.10"), reason="Two years' credit at the customer's 10%",
                            by=accountant, on=date(2026, 11, 30))


@pytest.fixture
def arrears(sales_rep, finance, accountant):
    rc = revenue_contract_of(active_contract(sales_rep, by=finance))
    return in_arrears(rc, accountant)


def test_the_page_is_the_accountants_and_finances_not_the_sales_reps(
        client, arrears, accountant, finance, sales_rep):
    detail = reverse("revrec:financing_component", args=[arrears.pk])
    assert client.get(LIST).status_code == 302  # signed out: to the login page
    client.force_login(sales_rep)
    assert client.get(LIST).status_code == 403
    assert client.get(detail).status_code == 403
    for user in (accountant, finance):
        client.force_login(user)
        assert client.get(LIST).status_code == 200
        assert client.get(detail).status_code == 200


def test_the_list_shows_rate_plan_and_interest_recognized_and_remaining(
        client, arrears, accountant, django_capture_on_commit_callbacks):
    # given: December and January recognized: two months of interest income posted
    run(DEC, accountant, django_capture_on_commit_callbacks)
    run(JAN, accountant, django_capture_on_commit_callbacks)
    posted = sum(InterestLine.objects.filter(component=arrears, run__isnull=False)
                 .values_list("amount", flat=True))
    assert posted > 0

    client.force_login(accountant)
    page = client.get(LIST).content.decode()

    rc = arrears.obligation.revenue_contract
    assert rc.number in page and "Onboarding package" in page
    assert "Paid in arrears: interest income (IE Example 26)" in page
    assert "10% a year" in page and "Paid 2028-12-01" in page
    assert "$867.77" in page and f"${posted:,.2f}" in page
    assert f"${D('867.77') - posted:,.2f}" in page

    detail = client.get(reverse("revrec:financing_component", args=[arrears.pk])).content
    detail = detail.decode()
    december = InterestLine.objects.get(component=arrears, month=DEC).amount
    assert "2026-12" in detail and f"${december:,.2f}" in detail
    assert "by the run of 2026-12" in detail and "at the run of its month" in detail
    assert "2028-11" in detail  # the last month of the two years


def test_filters_search_and_pagination(client, arrears, sales_rep, finance, accountant):
    other = revenue_contract_of(active_contract(sales_rep, by=finance))
    expedient = assess_financing(obligation=onboarding(other), paid_on=date(2027, 6, 1),
                                 reason="Within a year (15.63)", by=accountant,
                                 on=date(2026, 11, 30))
    client.force_login(accountant)

    def shown(**query):
        page = client.get(LIST, query).content.decode()
        return {c.pk for c in (arrears, expedient)
                if reverse("revrec:financing_component", args=[c.pk]) in page}

    assert shown() == {arrears.pk, expedient.pk}
    assert shown(kind="expedient") == {expedient.pk}
    assert shown(kind="arrears") == {arrears.pk}
    assert shown(q=arrears.obligation.revenue_contract.number) == {arrears.pk}
    assert shown(currency="usd") == {arrears.pk, expedient.pk}
    assert shown(currency="EUR") == set()
    assert shown(open="true") == {arrears.pk}  # interest left to recognize
    assert shown(open="false") == {expedient.pk}
    assert "Page 1 of 1" not in client.get(LIST).content.decode()  # one page: no pager
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("revrec.financing_views.PAGE_SIZE", 1)
        page = client.get(LIST, {"page": 2}).content.decode()
    assert "Page 2 of 2" in page and len(shown()) == 2


def test_query_counts_do_not_grow_with_components_or_months(
        client, arrears, sales_rep, finance, accountant):
    client.force_login(accountant)
    detail = reverse("revrec:financing_component", args=[arrears.pk])
    client.get(LIST)  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    with CaptureQueriesContext(connection) as one_detail:
        client.get(detail)
    for _ in range(2):
        in_arrears(revenue_contract_of(active_contract(sales_rep, by=finance)), accountant)
    assert FinancingComponent.objects.count() == 3
    with CaptureQueriesContext(connection) as three:
        page = client.get(LIST).content.decode()
    assert all(reverse("revrec:financing_component", args=[c.pk]) in page
               for c in FinancingComponent.objects.all())
    assert len(three) == len(one)
    # 24 months or 60: the detail reads its schedule in one query
    assert len(one_detail) <= len(one) + 1


def test_admin_shows_returns_and_financing_read_only_once_posted(
        client, arrears, accountant, django_capture_on_commit_callbacks):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    change = reverse("admin:revrec_financingcomponent_change", args=[arrears.pk])
    for name in ("financingcomponent", "returnestimate", "goodsreturn"):
        assert client.get(reverse(f"admin:revrec_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:revrec_{name}_add")).status_code == 403
    # not posted yet: only the reason may be corrected
    form = client.get(change).content.decode()
    assert 'name="reason"' in form and 'name="rate"' not in form
    run(DEC, accountant, django_capture_on_commit_callbacks)
    form = client.get(change).content.decode()
    assert 'name="reason"' not in form  # posted: shown, never changed
    assert client.post(change, {"reason": "Rewritten"}).status_code == 403
    arrears.refresh_from_db()
    assert arrears.reason == "Two years' credit at the customer's 10%"
