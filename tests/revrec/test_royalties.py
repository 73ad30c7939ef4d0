"""Royalties with a guaranteed minimum (IFRS 15.B63-B63B): pure properties, then the database
path (usage obligation → minimum → schedule → invoices → runs → journal → RPO).

Properties: revenue to date is the minimum earned to date plus the usage beyond the floor, so
over the whole term it is the larger of the two, and the months add up to it whatever the
order of the usage. The worked example (in `revrec.royalties`' doctest and below through the
database): a year's access to metered API calls with 1,200.00 guaranteed; usage billed of
50.00 in December, 300.00 in January and 1,000.00 in February: the minimum is recognized
ratably and the 150.00 beyond the floor in February.
"""

import doctest
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from catalog import revenue_schedule as schedules
from catalog.demo import seed_catalog
from catalog.models import Product
from core.money import allocate
from quotes.services import LineItem
from revrec import reports, royalties
from revrec.models import PerformanceObligation, ScheduleLine
from revrec.services.royalties import set_guaranteed_minimum
from tests.conftest import PASSWORD
from tests.revrec.factories import active_contract_of, invoice_lines, revenue_contract_of
from tests.revrec.test_material_rights import DEC, FEB, JAN, posted_revenue, run


def test_the_module_examples_hold():
    assert doctest.testmod(royalties).failed == 0


@given(st.integers(0, 10**7), st.lists(st.integers(-10**5, 10**6), min_size=1, max_size=12))
def test_revenue_to_date_is_the_larger_of_the_minimum_and_the_usage(minimum_cents, months):
    minimum = D(minimum_cents) / 100
    shares = allocate(minimum, [1] * len(months), "USD")  # the minimum over the months
    cumulative = excess_before = recognized = D(0)
    for share, usage in zip(shares, months, strict=True):
        cumulative = max(cumulative + D(usage) / 100, D(0))  # credits never below nothing
        revenue = royalties.month_revenue(share, cumulative, minimum,
                                          excess_before=excess_before)
        excess_before += revenue - share
        recognized += revenue
        assert excess_before == royalties.excess(cumulative, minimum) >= 0
    assert recognized == max(minimum, cumulative)


@pytest.fixture
def usage(sales_rep, finance):
    seed_catalog()
    contract = active_contract_of(sales_rep, by=finance, items=[
        LineItem(product=Product.objects.get(sku="SEAT-USER"), quantity=D(2),
                 billing_period="monthly"),
        LineItem(product=Product.objects.get(sku="API-CALLS"))])
    rc = revenue_contract_of(contract)
    api = PerformanceObligation.objects.get(revenue_contract=rc, product__sku="API-CALLS")
    return rc, api


@pytest.mark.django_db
def test_the_minimum_is_recognized_ratably_and_usage_only_beyond_it(
        usage, accountant, django_capture_on_commit_callbacks):
    rc, api = usage
    fixed = rc.transaction_price
    set_guaranteed_minimum(obligation=api, amount=D("1200.00"),
                           reason="Clause 4: at least 1,200.00 of calls a year", by=accountant,
                           on=date(2026, 11, 30))
    rc.refresh_from_db()
    api.refresh_from_db()
    assert rc.transaction_price == fixed + D("1200.00") and api.allocated == D("1200.00")
    shares = {s.month: s.amount for s in schedules.ratable_schedule(
        D("1200.00"), "USD", api.service_start, api.service_end)}

    for month, billed, issue_on in ((DEC, "50.00", date(2026, 12, 31)),
                                    (JAN, "300.00", date(2027, 1, 31)),
                                    (FEB, "1000.00", date(2027, 2, 28))):
        invoice_lines(rc.account, [(api.contract_line, D(billed))], issue_on=issue_on)
        run(month, accountant, django_capture_on_commit_callbacks)

    lines = dict(ScheduleLine.objects.filter(obligation=api).values_list("month", "amount"))
    assert (lines[DEC], lines[JAN]) == (shares[DEC], shares[JAN])
    assert lines[FEB] == shares[FEB] + D("150.00")
    assert sum(lines.values()) == D("1350.00")  # the minimum plus the 150.00 beyond it
    table = reports.revenue_disaggregation(first=DEC, last=FEB)
    usage_row = next(row for row in table.rows if row[0] == "Usage")
    assert usage_row[3] == shares[DEC] + shares[JAN] + shares[FEB] + D("150.00")
    assert posted_revenue(date(2027, 2, 28)) == reports.ledger_revenue(DEC, date(2027, 2, 28))
    # what is left of the minimum is a remaining performance obligation (fixed, B63)
    (rpo,) = reports.remaining_obligations(as_of=date(2027, 3, 1)).rows
    seats_left = sum(ScheduleLine.objects.filter(
        obligation__revenue_contract=rc, run__isnull=True).exclude(obligation=api)
        .values_list("amount", flat=True))
    assert rpo[7] == seats_left + D("1200.00") - sum(shares[m] for m in (DEC, JAN, FEB))


@pytest.mark.django_db
def test_a_minimum_is_refused_to_finance_and_sales_and_checked(client, usage, accountant,
                                                               finance, sales_rep):
    rc, api = usage
    for user in (finance, sales_rep):
        with pytest.raises(PermissionDenied):
            set_guaranteed_minimum(obligation=api, amount=D(100), reason="Clause", by=user)
    seats = PerformanceObligation.objects.get(revenue_contract=rc, product__sku="SEAT-USER")
    with pytest.raises(ValidationError, match="open usage obligation"):
        set_guaranteed_minimum(obligation=seats, amount=D(100), reason="Clause", by=accountant)
    with pytest.raises(ValidationError, match="more than 0"):
        set_guaranteed_minimum(obligation=api, amount=D(0), reason="Clause", by=accountant)
    assert not api.schedule.exists()

    url = reverse("revrec:contract_minimum", args=[rc.pk])
    post = {"obligation": str(api.pk), "amount": "1200.00", "reason": "Clause 4"}
    for user in (finance, sales_rep):
        client.login(username=user.username, password=PASSWORD)
        assert client.post(url, post).status_code == 403
    client.login(username=accountant.username, password=PASSWORD)
    assert client.post(url, post).status_code == 302
    page = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()
    assert "Guaranteed minimum $1,200.00, recognized ratably; usage beyond it as billed " \
           "(IFRS 15.B63): Clause 4" in page
