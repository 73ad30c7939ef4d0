"""A payment plan on the revenue contract page's financing form (IFRS 15.60-65): one payment
(`paid_on`) or a plan of instalments, one `day amount` a line, exactly one of them; each bad
line refused at the field by its number, nothing saved; the page shows a plan as it shows one
payment.

The plan is the one of tests/revrec/test_financing_component.py's plan across the transfer:
IFRS 15 IE Example 29 (IE148-IE151: an advance accretes at the entity's incremental borrowing
rate, 6%, interest expense up to the transfer) and IE Example 26 (IE135-IE140: an amount due
later is discounted at the customer's rate, 10%, interest income from the transfer) in one
plan, split at the transfer (15.64). The onboarding (5,000.00, delivered on 1 December 2026) is
paid 2,000.00 on 1 December 2024 and 3,000.00 on 1 December 2028: revenue
2,000 × 1.06² + 3,000 / 1.1² = 2,247.20 + 2,479.34 = 4,726.54."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from billing.models import DueInstalment
from revrec import financing
from revrec.forms import FinancingForm
from revrec.models import FinancingComponent
from revrec.services.financing import assess_instalment_financing
from tests.revrec.factories import invoice_lines
from tests.revrec.test_financing_component import onboarding
from tests.revrec.test_material_rights import rc  # noqa: F401

pytestmark = pytest.mark.django_db

PLAN = "2024-12-01 2000.00\n2028-12-01 3000.00"
REASON = "A deposit two years ahead (our borrowing rate, 6%) and the rest two years after " \
         "delivery (the customer's rate, 10%)"


def post(client, rc, user, **fields):  # noqa: F811
    client.force_login(user)
    data = {"obligation": str(onboarding(rc).pk), "rate": "0.06", "reason": REASON} | fields
    return client.post(reverse("revrec:contract_financing", args=[rc.pk]), data)


def test_a_two_instalment_plan_is_stored_with_the_services_figures(client, rc, accountant):  # noqa: F811
    expected = financing.split_plan([(date(2024, 12, 1), D("2000.00")),
                                     (date(2028, 12, 1), D("3000.00"))], D("0.06"),
                                    date(2026, 12, 1), "USD", rate_after=D("0.10"))
    assert expected.revenue == D("4726.54")

    response = post(client, rc, accountant, payments=PLAN, rate_after="0.10")

    assert response.status_code == 302, response.context["financing_form"].errors
    component = FinancingComponent.objects.get(obligation=onboarding(rc))
    assert (component.kind, component.revenue, component.interest, component.paid_on) == (
        "mixed", D("4726.54"), D("247.20") + D("520.66"), date(2028, 12, 1))
    assert (component.rate, component.rate_after) == (D("0.06"), D("0.10"))
    assert component.instalments == [{"due_on": "2024-12-01", "amount": "2000.00"},
                                     {"due_on": "2028-12-01", "amount": "3000.00"}]
    assert onboarding(rc).allocated == expected.revenue
    page = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()
    assert "2 instalments to 2028-12-01" in page and "$4,726.54" in page


def test_a_plan_that_does_not_add_up_to_the_price_is_refused_at_the_field(
        client, rc, accountant):  # noqa: F811
    response = post(client, rc, accountant, payments="2024-12-01 2000.00\n2028-12-01 2900.00",
                    rate_after="0.10")

    assert response.status_code == 200
    assert response.context["financing_form"].errors.get("payments") == [
        "The payments add up to 4900.00; the goods' price is 5000.00."]
    assert not FinancingComponent.objects.exists()


def test_the_page_shows_a_plan_as_it_shows_one_payment(client, rc, accountant):  # noqa: F811
    # given: the plan read from billing's due schedule (the service's other source)
    invoice = invoice_lines(rc.account, [(onboarding(rc).contract_line, D("5000.00"))],
                            issue_on=date(2024, 12, 1))
    DueInstalment.objects.bulk_create([
        DueInstalment(invoice=invoice, sequence=1, due_on=date(2024, 12, 1),
                      amount=D("2000.00")),
        DueInstalment(invoice=invoice, sequence=2, due_on=date(2028, 12, 1),
                      amount=D("3000.00"))])
    assess_instalment_financing(obligation=onboarding(rc), rate=D("0.06"), rate_after=D("0.10"),
                                reason=REASON, by=accountant, on=date(2026, 11, 30))
    # when
    client.force_login(accountant)
    page = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()
    # then: the terms, the rates and the figures, in the row a single payment has
    assert "2 instalments to 2028-12-01" in page
    assert "6% then 10% a year" in page and "$4,726.54" in page and "$767.86" in page


@pytest.mark.parametrize(("payments", "messages"), [
    ("2027-02-30 1200.00", ["Line 1: 2027-02-30 is not a day (YYYY-MM-DD)."]),
    ("2027-03-31 1200.00\n2028-03-31 12x", ["Line 2: 12x is not an amount."]),
    ("2027-03-31 1200.00\n2028-03-31 NaN", ["Line 2: NaN is not an amount."]),
    ("2027-03-31 1e30", ["Line 1: 1e30 is not an amount."]),
    ("2027-03-31 1200.00\n\n2028-03-31 -5.00", ["Line 3: -5.00 is not more than 0."]),
    ("2027-03-31 0", ["Line 1: 0 is not more than 0."]),
    ("2027-03-31 1200.005", ["Line 1: 1200.005 has more decimals than USD allows (2)."]),
    ("2027-03-31", ["Line 1: give a day and an amount (2027-03-31 1200.00)."]),
    ("2027-02-30 100\nmonthly\n\n2027-03-31 -1",
     ["Line 1: 2027-02-30 is not a day (YYYY-MM-DD).",
      "Line 2: give a day and an amount (2027-03-31 1200.00).",
      "Line 4: -1 is not more than 0."]),
])
def test_each_bad_line_is_refused_by_its_number_and_nothing_is_saved(
        client, rc, accountant, payments, messages):  # noqa: F811
    response = post(client, rc, accountant, payments=payments)

    assert response.status_code == 200
    assert response.context["financing_form"].errors["payments"] == messages
    assert messages[0] in response.content.decode()
    assert not FinancingComponent.objects.exists()


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({}, "payments", "Give the day paid, or the payments one a line."),
    ({"paid_on": "2028-12-01", "payments": PLAN}, "payments",
     "Give the day paid or the payments, not both."),
    ({"paid_on": "2028-12-01", "rate_after": "0.10"}, "rate_after",
     "A second rate is for a plan across the transfer: give the payments."),
])
def test_exactly_one_of_the_day_paid_and_the_plan(client, rc, accountant, fields, field,  # noqa: F811
                                                  message):
    response = post(client, rc, accountant, **fields)

    assert response.status_code == 200
    assert response.context["financing_form"].errors[field] == [message]
    assert not FinancingComponent.objects.exists()


def test_amounts_are_checked_against_the_currencys_minor_unit():
    # ISO 4217: the yen has no minor unit, the Kuwaiti dinar three places
    yen = FinancingForm({"payments": "2027-03-31 1200.5", "reason": "x"}, currency="JPY")
    dinar = FinancingForm({"payments": "2027-03-31 1200.125", "reason": "x"}, currency="KWD")
    assert not yen.is_valid() and not dinar.is_valid()
    assert yen.errors["payments"] == ["Line 1: 1200.5 has more decimals than JPY allows (0)."]
    assert "payments" not in dinar.errors


def test_a_plan_is_refused_to_a_sales_rep_and_finance(client, rc, sales_rep, finance):  # noqa: F811
    for user in (sales_rep, finance):
        assert post(client, rc, user, payments=PLAN, rate_after="0.10").status_code == 403
    assert not FinancingComponent.objects.exists()
