"""Disclosures tied to the ledger (IFRS 15.114-120, ASC 606-10-50): disaggregation of revenue
by product family, pattern of transfer and currency (IFRS 15.B89 names type of good or service,
timing of transfer and market among the categories); the contract balances roll-forward
(opening, billed, recognized, closing: IFRS 15.116-118); remaining performance obligations in
time bands (IFRS 15.120(b)); and the close checklist's item that ties them to the ledger.

The worked example is tests/revrec/test_reports.py's: seats billed monthly in advance, the
onboarding billed in January, December to February recognized.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from ledger import chart
from ledger.drafts import EntryDraft, LineDraft
from ledger.selectors import trial_balance
from ledger.services import post_entry
from revrec import reports
from revrec.checklist import close_checklist
from revrec.models import ScheduleLine
from tests.conftest import PASSWORD
from tests.revrec.factories import system
from tests.revrec.test_reports import DEC, FEB, recognized  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def disclosures(month):
    return next(check for check in close_checklist(month) if check.key == "disclosures")


def test_revenue_by_geography_is_the_customers_country_and_adds_up(recognized, client,  # noqa: F811
                                                                  finance):
    # IFRS 15.B89(b): geographical region; the test customer is in the US
    assert recognized.country == "US"
    table = reports.revenue_by_geography(first=DEC, last=FEB)
    total = sum(row[3] for row in reports.revenue_disaggregation(first=DEC, last=FEB).rows)
    assert table.rows == [["US", "USD", total]]
    client.login(username=finance.username, password=PASSWORD)
    page = client.get(reverse("revrec:report", args=["geography"]),
                      {"first": "2026-12", "last": "2027-02"})
    assert page.status_code == 200 and "Revenue by geography" in page.content.decode()


def test_revenue_is_disaggregated_by_family_pattern_and_currency_and_ties(recognized):  # noqa: F811
    table = reports.revenue_disaggregation(first=DEC, last=FEB)

    seats = sum(ScheduleLine.objects.filter(obligation__product__sku="SEAT-USER",
                                            run__isnull=False).values_list("amount", flat=True))
    assert table.rows == [["Seats", "Ratably over the service period", "USD", seats],
                          ["Services", "At a point in time", "USD", D("5000.00")]]
    revenue = next(r for r in trial_balance(date(2027, 2, 28)).rows if r.code == chart.REVENUE)
    posted = reports.ledger_revenue(DEC, date(2027, 2, 28))
    assert posted == reports.recognized_functional(DEC, FEB) == -revenue.balance
    assert posted == seats + D("5000.00")
    assert f"{posted} posted to revenue" in table.note


def test_the_close_checklist_ties_the_disclosures_to_the_ledger(recognized):  # noqa: F811
    assert disclosures(DEC).done and disclosures(FEB).done

    # an entry outside revrec moves deferred revenue in February
    post_entry(EntryDraft(document_date=date(2027, 2, 10), memo="By hand", lines=[
        LineDraft(chart.DEFERRED_REVENUE, debit=D("10.00")),
        LineDraft(chart.REVENUE, credit=D("10.00"))]), by=system())

    check = disclosures(FEB)
    assert not check.done
    assert "contract balances closing" in check.detail and "revenue disaggregated" not in (
        check.detail)


def test_the_rpo_is_in_time_bands_and_the_disaggregation_page_opens(client, finance,
                                                                    recognized):  # noqa: F811
    rpo = reports.remaining_obligations(as_of=date(2027, 3, 1))
    (row,) = rpo.rows
    assert rpo.headers[5:7] == ["Within 12 months", "Beyond 12 months"]
    assert row[5] + row[6] == row[7] and row[4] + row[7] == row[3]

    client.login(username=finance.username, password=PASSWORD)
    page = client.get(reverse("revrec:report", args=["disaggregation"]),
                      {"first": "2026-12", "last": "2027-02"})
    assert page.status_code == 200 and "At a point in time" in page.content.decode()
