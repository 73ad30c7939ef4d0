"""Material rights (IFRS 15.B39-B47) through the database path: revenue contract → right →
schedules → run → journal → report.

The contract (tests.contracts.factories): 5 seats for a year from 1 December 2026 (allocated
1,530.00 of SSP 1,800.00, ratable) and onboarding (5,000.00 at its SSP, at a point in time in
December): 6,530.00 of goods. Each example is the standard's, scaled to this contract:

- IFRS 15 IE Example 52 (IE267-IE270), a customer loyalty programme: one point per 10 spent,
  each worth 1.00 off later purchases, 95% expected to be redeemed (B42): 600 points (of the
  653 the spend earned) with an SSP of 570.00; the price is shared by relative SSP (15.74); the
  points earn as they are redeemed over those expected, and a change of the expected
  redemptions re-measures the revenue to date (IE270).
- IFRS 15 IE Example 49 (IE250-IE253), an option for a discount: a 40% voucher where every
  customer gets 10%, on an expected 1,000.00 of purchases, 80% likely to be used: SSP
  1,000 × 30% × 80% = 240.00; never used, it is earned when it lapses (breakage, B46-B47).
- IFRS 15.B44-B47, prepaid credits: earned as used over a re-estimated total.
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.dates import add_months
from core.transitions import history_for
from ledger import chart
from ledger.selectors import trial_balance
from revrec import reports
from revrec.models import (
    MaterialRight,
    PerformanceObligation,
    RecognitionItem,
    RightEvent,
    ScheduleLine,
)
from revrec.services import start_recognition_run
from revrec.services.rights import (
    grant_material_right,
    recognize_on_redemption,
    record_redemption,
    reestimate_redemptions,
)
from tests.conftest import PASSWORD
from tests.revrec.factories import active_contract, revenue_contract_of

pytestmark = pytest.mark.django_db

DEC, JAN, FEB, MAR = date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1), date(2027, 3, 1)
ON_REDEMPTION = "As rights are exercised (material rights)"


@pytest.fixture
def rc(sales_rep, finance):
    return revenue_contract_of(active_contract(sales_rep, by=finance))


def run(month, accountant, capture):
    with capture(execute=True):
        start_recognition_run(month=month, by=accountant, on=add_months(month, 1))


def obligation(rc, sku):
    return PerformanceObligation.objects.get(revenue_contract=rc, product__sku=sku,
                                             contract_line__isnull=False)


def right_lines(right):
    return dict(ScheduleLine.objects.filter(obligation=right.obligation_id).order_by("month")
                .values_list("month", "amount"))


def posted_revenue(last_day):
    row = next(r for r in trial_balance(last_day).rows if r.code == chart.REVENUE)
    return -row.balance


def points(rc, accountant, **changes):
    kwargs = {"revenue_contract": rc, "kind": "loyalty_points",
              "description": "600 points, 1.00 off each", "units": D(600), "value": D(600),
              "discount_rate": D(1), "likelihood": D("0.95"), "expires_on": date(2027, 3, 31),
              "evidence": "Points are not offered without a purchase (B40); 95% of points "
                          "were redeemed over the last three years", "by": accountant,
              "on": date(2026, 12, 1)}
    return grant_material_right(**{**kwargs, **changes})


def test_ie52_loyalty_points_are_carved_out_and_earned_as_redeemed_and_re_estimated(
        rc, accountant, django_capture_on_commit_callbacks):
    # given: 600 points, SSP 600 × 1.00 × 95% = 570.00; 6,530.00 × 570 / (6,800 + 570)
    right = points(rc, accountant)

    seats, onboarding = obligation(rc, "SEAT-USER"), obligation(rc, "ONBOARDING")
    assert (right.obligation.ssp, right.obligation.allocated) == (D("570.00"), D("505.03"))
    assert right.units_expected == D(570) and right.breakage == D(30)
    # the goods give up 505.03 in proportion to their allocation, adding up exactly
    assert (seats.allocated, onboarding.allocated) == (D("1411.67"), D("4613.30"))
    assert seats.allocated + onboarding.allocated + right.obligation.allocated == D("6530.00")
    assert sum(ScheduleLine.objects.filter(obligation=seats).values_list("amount", flat=True)
               ) == D("1411.67")
    run(DEC, accountant, django_capture_on_commit_callbacks)

    # when: 270 redeemed in January (IE269: revenue = allocation × redeemed / expected)
    record_redemption(right=right, units=D(270), by=accountant, on=date(2027, 1, 15))
    run(JAN, accountant, django_capture_on_commit_callbacks)
    # February: 180 more, then 582 expected in all (IE270: cumulative re-measured)
    record_redemption(right=right, units=D(180), by=accountant, on=date(2027, 2, 10))
    event = reestimate_redemptions(right=right, units_expected=D(582), by=accountant,
                                   reason="Redemptions run ahead of history",
                                   on=date(2027, 2, 27))
    run(FEB, accountant, django_capture_on_commit_callbacks)

    # then: January 505.03 × 270/570 = 239.22; to February 505.03 × 450/582 = 390.49
    assert right_lines(right) == {JAN: D("239.22"), FEB: D("151.27")}
    assert (event.earned_to_date, event.change) == (D("390.49"), D("-8.22"))
    jan = RecognitionItem.objects.get(revenue_contract=rc, month=JAN)
    seats_jan = ScheduleLine.objects.get(obligation=seats, month=JAN).amount
    assert jan.recognized == seats_jan + D("239.22")
    table = reports.revenue_disaggregation(first=JAN, last=FEB)
    assert ["Services", ON_REDEMPTION, "USD", D("390.49")] in table.rows

    # what the points have not earned yet remains to be performed (RPO, IFRS 15.120)
    (rpo,) = reports.remaining_obligations(as_of=MAR).rows
    seats_left = sum(ScheduleLine.objects.filter(obligation=seats, run__isnull=True)
                     .values_list("amount", flat=True))
    assert rpo[7] == seats_left + D("505.03") - D("390.49")

    # the March run expires the points after their last day: the rest is earned (B46)
    run(MAR, accountant, django_capture_on_commit_callbacks)
    right.refresh_from_db()
    assert right.state == "expired" and right.expired_on == date(2027, 3, 31)
    assert right_lines(right)[MAR] == D("114.54")
    assert sum(right_lines(right).values()) == right.obligation.allocated
    assert [log.transition for log in history_for(right)] == ["expire"]
    assert list(RightEvent.objects.filter(right=right).values_list("kind", flat=True)) == [
        "granted", "redeemed", "redeemed", "re_estimated", "expired"]
    recognized = sum(RecognitionItem.objects.filter(revenue_contract=rc)
                     .values_list("recognized", flat=True))
    assert posted_revenue(date(2027, 3, 31)) == recognized == reports.ledger_revenue(
        DEC, date(2027, 3, 31))
    assert recognized == D("6530.00") - sum(ScheduleLine.objects.filter(
        obligation=seats, month__gt=MAR).values_list("amount", flat=True))


def test_a_redemption_in_a_month_already_recognized_is_caught_up_in_the_next(
        rc, accountant, django_capture_on_commit_callbacks):
    right = points(rc, accountant)
    run(DEC, accountant, django_capture_on_commit_callbacks)
    run(JAN, accountant, django_capture_on_commit_callbacks)

    event = record_redemption(right=right, units=D(57), by=accountant, on=date(2027, 1, 30))

    assert (event.month, event.change) == (FEB, D("50.50"))  # 505.03 × 57/570
    assert right_lines(right) == {FEB: D("50.50")}


def test_ie49_a_voucher_never_used_is_earned_when_it_lapses(
        rc, accountant, django_capture_on_commit_callbacks):
    # SSP 1,000 × (40% - 10%) × 80% = 240.00; 6,530.00 × 240 / 7,040 = 222.61
    voucher = grant_material_right(
        revenue_contract=rc, kind="option", description="40% off purchases up to 31 December",
        units=D(1), value=D(1000), discount_rate=D("0.3"), likelihood=D("0.8"),
        expires_on=date(2026, 12, 31), evidence="10% is offered to every customer; 30% is "
                                                "incremental (IE Example 49)",
        by=accountant, on=date(2026, 12, 1))
    assert voucher.obligation.allocated == D("222.61")

    run(DEC, accountant, django_capture_on_commit_callbacks)

    assert right_lines(voucher) == {DEC: D("222.61")}
    table = reports.revenue_disaggregation(first=DEC, last=DEC)
    assert ["Services", ON_REDEMPTION, "USD", D("222.61")] in table.rows
    assert posted_revenue(date(2026, 12, 31)) == RecognitionItem.objects.get(
        revenue_contract=rc, month=DEC).recognized_functional
    with pytest.raises(ValidationError, match="lapsed after 2026-12-31"):
        record_redemption(right=voucher, units=D(1), by=accountant, on=date(2027, 1, 2))


def test_material_rights_are_refused_to_finance_and_sales_and_checked(
        rc, accountant, finance, sales_rep):
    for user in (finance, sales_rep):
        with pytest.raises(PermissionDenied):
            points(rc, user)
    with pytest.raises(ValidationError, match="likelihood of exercise is more than 0"):
        points(rc, accountant, likelihood=D(0))
    with pytest.raises(ValidationError, match="B40"):
        points(rc, accountant, evidence=" ")
    assert not MaterialRight.objects.exists()
    assert obligation(rc, "SEAT-USER").allocated == D("1530.00")

    right = points(rc, accountant)
    for user in (finance, sales_rep):
        with pytest.raises(PermissionDenied):
            record_redemption(right=right, units=D(1), by=user, on=date(2027, 1, 2))
        with pytest.raises(PermissionDenied):
            reestimate_redemptions(right=right, units_expected=D(500), reason="Guess", by=user,
                                   on=date(2027, 1, 2))
    with pytest.raises(ValidationError, match="Only 600 of the 600 rights granted are left"):
        record_redemption(right=right, units=D(601), by=accountant, on=date(2027, 1, 2))
    record_redemption(right=right, units=D(100), by=accountant, on=date(2027, 1, 2))
    with pytest.raises(ValidationError, match="between the 100 exercised and the 600"):
        reestimate_redemptions(right=right, units_expected=D(90), reason="Fewer",
                               by=accountant, on=date(2027, 1, 3))


def test_the_page_shows_the_right_and_only_accountants_record_one(
        client, rc, accountant, finance, sales_rep):
    url = reverse("revrec:contract_right", args=[rc.pk])
    page_url = reverse("revrec:contract", args=[rc.pk])
    post = {"kind": "loyalty_points", "description": "600 points, 1.00 off each",
            "units": "600", "value": "600", "discount_rate": "1", "likelihood": "0.95",
            "units_expected": "", "expires_on": "2027-03-31",
            "evidence": "95% of points were redeemed over the last three years"}
    for user in (finance, sales_rep):
        client.login(username=user.username, password=PASSWORD)
        assert client.post(url, post).status_code == 403
    assert not MaterialRight.objects.exists()

    client.login(username=accountant.username, password=PASSWORD)
    wrong = client.post(url, {**post, "likelihood": "1.5"}).content.decode()
    assert "The likelihood of exercise is more than 0 and at most 1." in wrong
    client.get(page_url)  # warm the session
    with CaptureQueriesContext(connection) as none:
        client.get(page_url)
    assert client.post(url, post).status_code == 302
    right = MaterialRight.objects.get()
    event_url = reverse("revrec:right_event", args=[right.pk])
    for user in (finance, sales_rep):
        client.login(username=user.username, password=PASSWORD)
        assert client.post(event_url, {"action": "redeem", "units": "10"}).status_code == 403
    client.login(username=accountant.username, password=PASSWORD)
    assert client.post(event_url, {"action": "redeem", "units": "57"}).status_code == 302

    client.get(page_url)  # shows (and drops) the success message
    with CaptureQueriesContext(connection) as one:
        page = client.get(page_url).content.decode()
    assert "Loyalty points: 600 points, 1.00 off each" in page
    assert "× 100% incremental discount × 95% likelihood = <strong>$570.00</strong>" in page
    assert "57 of 600 rights exercised, 570 expected (breakage 30)" in page
    assert "IFRS 15.74, B40" in page and ON_REDEMPTION in page
    # the rights' section costs two queries (rights, their events), whatever their number
    assert len(one) == len(none) + 2


def test_prepaid_credits_are_earned_as_used_over_a_re_estimated_total(
        rc, accountant, finance, django_capture_on_commit_callbacks):
    # IFRS 15.B44-B47 (unexercised rights): a prepayment for credits is a contract liability,
    # earned as the credits are used; the breakage expected is earned in proportion to the use
    # (B46), re-measured when the expected use changes, the rest at expiry. Here the onboarding
    # (5,000.00) is sold as 5,000 credits, 4,500 expected to be used (10% breakage).
    onboarding = obligation(rc, "ONBOARDING")
    with pytest.raises(PermissionDenied):
        recognize_on_redemption(obligation=onboarding, units=D(5000), units_expected=D(4500),
                                expires_on=date(2027, 11, 30), evidence="Credits", by=finance)
    credits = recognize_on_redemption(
        obligation=onboarding, units=D(5000), units_expected=D(4500),
        expires_on=date(2027, 11, 30), evidence="Credits used on demand; 10% lapse unused",
        by=accountant, on=date(2026, 12, 1))
    record_redemption(right=credits, units=D(900), by=accountant, on=date(2026, 12, 20))
    run(DEC, accountant, django_capture_on_commit_callbacks)
    # January: 700 more used, and the total expected falls to 4,000
    record_redemption(right=credits, units=D(700), by=accountant, on=date(2027, 1, 10))
    reestimate_redemptions(right=credits, units_expected=D(4000), reason="Use slows down",
                           by=accountant, on=date(2027, 1, 31))
    run(JAN, accountant, django_capture_on_commit_callbacks)

    # 5,000.00 × 900 / 4,500 = 1,000.00; to January 5,000.00 × 1,600 / 4,000 = 2,000.00
    assert right_lines(credits) == {DEC: D("1000.00"), JAN: D("1000.00")}
    table = reports.revenue_disaggregation(first=DEC, last=JAN)
    assert ["Services", ON_REDEMPTION, "USD", D("2000.00")] in table.rows
    assert "At a point in time" not in [row[1] for row in table.rows if row[0] == "Services"]



def test_only_accountants_sell_goods_as_prepaid_credits_from_the_page(
        client, rc, accountant, finance, sales_rep):
    url = reverse("revrec:contract_prepaid", args=[rc.pk])
    post = {"obligation": str(obligation(rc, "ONBOARDING").pk), "units": "5000",
            "units_expected": "4500", "expires_on": "2027-11-30",
            "evidence": "10% of credits lapse unused"}
    for user in (finance, sales_rep):
        client.login(username=user.username, password=PASSWORD)
        assert client.post(url, post).status_code == 403
    client.login(username=accountant.username, password=PASSWORD)
    wrong = client.post(url, {**post, "units_expected": "6000"}).content.decode()
    assert "Expect between 0 and the credits sold to be used." in wrong
    assert client.post(url, post).status_code == 302
    page = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()
    assert "Prepaid credits or gift card: Onboarding package" in page
    assert "0 of 5,000 rights exercised, 4,500 expected (breakage 500)" in page
