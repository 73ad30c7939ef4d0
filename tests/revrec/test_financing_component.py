"""Significant financing components (IFRS 15.60-65) through the database path: revenue contract
→ assessment → schedules and interest → run → journal → roll-forward and close checklist.

The contract (tests.contracts.factories): onboarding delivered on 1 December 2026 (5,000.00, at
a point in time) and seats over a year. Each example is the standard's, scaled to it:

- IFRS 15 IE Example 26: CU121 payable 24 months after the transfer of a product whose cash
  selling price is CU100 (10%): revenue is the present value, the rest interest income over
  the two years. Here the onboarding's 5,000.00 is payable on 1 December 2028: revenue
  5,000 / 1.1² = 4,132.23 and 867.77 of interest income, accrued monthly.
- IFRS 15 IE Example 29: CU4,000 paid two years before the transfer, at 6%: revenue is the
  payment accreted, 4,494, with interest expense against the contract liability. Here the
  5,000.00 was paid on 1 December 2024: revenue 5,618.00; the interest of the two years
  before the transfer is posted by the first run.
- IFRS 15.63, the practical expedient: paid within a year, nothing is adjusted (on record).
"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from billing.models import DueInstalment
from core.dates import add_months
from ledger import chart
from ledger.selectors import trial_balance
from revrec import financing
from revrec.checklist import close_checklist
from revrec.models import InterestLine, PerformanceObligation, RecognitionItem
from revrec.reports import deferred_revenue_rollforward
from revrec.services.financing import assess_financing, assess_instalment_financing
from tests.conftest import PASSWORD
from tests.revrec.factories import invoice_lines
from tests.revrec.test_material_rights import DEC, JAN, rc, run  # noqa: F401

pytestmark = pytest.mark.django_db


def onboarding(rc):  # noqa: F811
    return PerformanceObligation.objects.get(revenue_contract=rc, product__sku="ONBOARDING")


def books(as_of):
    return {row.code: row.balance for row in trial_balance(as_of).rows}


def test_ie26_paid_in_arrears_revenue_is_the_present_value_and_interest_income_accrues(
        rc, accountant, django_capture_on_commit_callbacks):  # noqa: F811
    component = assess_financing(
        obligation=onboarding(rc), paid_on=date(2028, 12, 1), rate=D("0.10"),
        reason="Two years' credit; 10% is the customer's borrowing rate", by=accountant,
        on=date(2026, 11, 30))

    expected = financing.arrears(D("5000.00"), D("0.10"), date(2026, 12, 1), date(2028, 12, 1),
                                 "USD")
    assert (component.kind, component.revenue, component.interest) == (
        "arrears", D("4132.23"), D("867.77"))
    assert onboarding(rc).allocated == D("4132.23")
    rc.refresh_from_db()
    assert rc.financing == D("-867.77") and rc.total_price == D("5662.23")
    assert list(InterestLine.objects.filter(component=component).values_list(
        "month", "amount")) == [m for m in expected.months if m[1]]

    run(DEC, accountant, django_capture_on_commit_callbacks)
    run(JAN, accountant, django_capture_on_commit_callbacks)

    december, january = expected.months[0][1], expected.months[1][1]
    assert RecognitionItem.objects.get(revenue_contract=rc, month=DEC).recognized > D("4132.23")
    ledger = books(date(2027, 1, 31))
    assert ledger[chart.INTEREST_INCOME] == -(december + january)
    assert InterestLine.objects.filter(run__isnull=False).count() == 2
    (dec_row, jan_row) = deferred_revenue_rollforward(first=DEC, last=JAN).rows
    assert (dec_row[6], jan_row[6]) == (-december, -january)
    assert dec_row[9] == jan_row[9] == 0
    checks = {check.key: check for check in close_checklist(JAN)}
    assert checks["disclosures"].done, checks["disclosures"].detail
    # the interest in arrears sits on the unbilled receivable, and the sub-ledger knows it
    assert ledger[chart.UNBILLED_RECEIVABLE] > december + january
    assert checks["unbilled"].done, checks["unbilled"].detail


def test_ie29_paid_in_advance_revenue_is_the_payment_accreted_with_interest_expense(
        rc, accountant, django_capture_on_commit_callbacks):  # noqa: F811
    component = assess_financing(
        obligation=onboarding(rc), paid_on=date(2024, 12, 1), rate=D("0.06"),
        reason="Paid two years ahead; 6% is our incremental borrowing rate", by=accountant,
        on=date(2026, 11, 30))
    assert (component.kind, component.revenue, component.interest) == (
        "advance", D("5618.00"), D("618.00"))

    run(DEC, accountant, django_capture_on_commit_callbacks)

    item = RecognitionItem.objects.get(revenue_contract=rc, month=DEC)
    seats_dec = item.recognized - D("5618.00")
    assert seats_dec > 0  # the onboarding's revenue is 5,618.00 with the seats' December
    ledger = books(date(2026, 12, 31))
    assert ledger[chart.INTEREST_EXPENSE] == D("618.00")  # the 24 months up to the transfer
    (row,) = deferred_revenue_rollforward(first=DEC, last=DEC).rows
    assert row[6] == D("618.00") and row[9] == 0


def test_within_a_year_the_expedient_is_on_record_and_nothing_changes(rc, accountant):  # noqa: F811
    component = assess_financing(obligation=onboarding(rc), paid_on=date(2027, 11, 30),
                                 reason="Paid within a year (15.63)", by=accountant,
                                 on=date(2026, 11, 30))
    assert (component.kind, component.interest, component.rate) == ("expedient", 0, None)
    assert onboarding(rc).allocated == D("5000.00")
    assert not InterestLine.objects.exists()


def test_financing_is_refused_to_finance_and_sales_and_checked(
        client, rc, accountant, finance, sales_rep):  # noqa: F811
    for user in (finance, sales_rep):
        with pytest.raises(PermissionDenied):
            assess_financing(obligation=onboarding(rc), paid_on=date(2028, 12, 1),
                             rate=D("0.1"), reason="Credit", by=user)
    with pytest.raises(ValidationError, match="give the rate of a separate financing"):
        assess_financing(obligation=onboarding(rc), paid_on=date(2028, 12, 1), reason="Credit",
                         by=accountant)
    url = reverse("revrec:contract_financing", args=[rc.pk])
    post = {"obligation": str(onboarding(rc).pk), "paid_on": "2028-12-01", "rate": "0.1",
            "reason": "Two years' credit"}
    for user in (finance, sales_rep):
        client.login(username=user.username, password=PASSWORD)
        assert client.post(url, post).status_code == 403
    client.login(username=accountant.username, password=PASSWORD)
    assert client.post(url, post).status_code == 302
    page = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()
    assert "Paid in arrears: interest income (IE Example 26)" in page
    assert "10% a year" in page and "$4,132.23" in page and "$867.77" in page


def billed_in_instalments(rc, amounts_on):  # noqa: F811
    """The onboarding invoiced on 1 December 2026, due by instalments (billing's due
    schedule): (day, amount) pairs."""
    line = onboarding(rc).contract_line
    invoice = invoice_lines(rc.account, [(line, sum(a for _, a in amounts_on))],
                            issue_on=date(2026, 12, 1))
    DueInstalment.objects.bulk_create([
        DueInstalment(invoice=invoice, sequence=n, due_on=day, amount=amount)
        for n, (day, amount) in enumerate(amounts_on, 1)])
    return invoice


def test_ie28_instalments_over_two_years_are_discounted_at_the_financing_rate(
        rc, accountant, django_capture_on_commit_callbacks):  # noqa: F811
    # IFRS 15 IE Example 28 (IE143-IE147), case B: goods transferred on signing, paid by
    # monthly instalments, the rate of a separate financing 12% a year compounded monthly
    # (12.6825% effective); revenue is the instalments discounted to the transfer, the rest
    # interest income as the receivable unwinds. Here the onboarding (5,000.00, delivered on
    # 1 December 2026) is invoiced due in 25 monthly instalments of 200.00 from January 2027.
    plan = [(add_months(date(2027, 1, 1), n), D("200.00")) for n in range(25)]
    billed_in_instalments(rc, plan)
    component = assess_instalment_financing(
        obligation=onboarding(rc), rate=D("0.126825"),
        reason="25 monthly instalments; 12% compounded monthly is the customer's rate",
        by=accountant, on=date(2026, 11, 30))

    expected = financing.instalments(plan, D("0.126825"), date(2026, 12, 1), "USD")
    assert expected.revenue < D("5000.00") == expected.revenue + expected.interest
    assert (component.kind, component.revenue, component.interest, component.paid_on) == (
        "arrears", expected.revenue, expected.interest, date(2029, 1, 1))
    assert component.instalments[0] == {"due_on": "2027-01-01", "amount": "200.00"}
    assert onboarding(rc).allocated == expected.revenue
    assert list(InterestLine.objects.filter(component=component).values_list(
        "month", "amount")) == [m for m in expected.months if m[1]]

    run(DEC, accountant, django_capture_on_commit_callbacks)
    run(JAN, accountant, django_capture_on_commit_callbacks)

    december, january = expected.months[0][1], expected.months[1][1]
    # a month's interest on the discounted price (1% a month), to the cent
    assert abs(december - expected.revenue * (D("1.126825") ** (D(1) / 12) - 1)) <= D("0.01")
    ledger = books(date(2027, 1, 31))
    assert ledger[chart.INTEREST_INCOME] == -(december + january)
    (dec_row, jan_row) = deferred_revenue_rollforward(first=DEC, last=JAN).rows
    assert (dec_row[6], jan_row[6], dec_row[9], jan_row[9]) == (-december, -january, 0, 0)
    checks = {check.key: check for check in close_checklist(JAN)}
    assert checks["disclosures"].done, checks["disclosures"].detail
    assert checks["unbilled"].done, checks["unbilled"].detail


def test_instalments_within_a_year_are_the_expedient_and_none_billed_is_refused(
        rc, accountant):  # noqa: F811
    with pytest.raises(ValidationError, match="No issued invoice bills these goods yet"):
        assess_instalment_financing(obligation=onboarding(rc), rate=D("0.1"),
                                    reason="Instalments", by=accountant)
    billed_in_instalments(rc, [(add_months(date(2027, 1, 1), n), D("500.00"))
                               for n in range(10)])
    component = assess_instalment_financing(obligation=onboarding(rc), reason="Ten months "
                                            "(15.63)", by=accountant, on=date(2026, 11, 30))
    assert (component.kind, component.interest, component.paid_on) == (
        "expedient", 0, date(2027, 10, 1))
    assert onboarding(rc).allocated == D("5000.00") and not InterestLine.objects.exists()


def test_a_plan_across_the_transfer_accrues_expense_to_it_then_income(
        rc, accountant, django_capture_on_commit_callbacks):  # noqa: F811
    # IFRS 15 IE Example 29 (IE148-IE151: an advance accretes at the entity's incremental
    # borrowing rate, 6%, interest expense against the contract liability up to the transfer)
    # and IE Example 26 (IE135-IE140: an amount due later is discounted at the customer's
    # rate, 10%, interest income from the transfer) in one plan, split at the transfer (15.64:
    # the credit characteristics of the party financed). Here the onboarding (5,000.00,
    # delivered on 1 December 2026) was invoiced on 1 December 2024, due 2,000.00 at once and
    # 3,000.00 on 1 December 2028: revenue 2,000 × 1.06² + 3,000 / 1.1² = 2,247.20 + 2,479.34.
    line = onboarding(rc).contract_line
    invoice = invoice_lines(rc.account, [(line, D("5000.00"))], issue_on=date(2024, 12, 1))
    DueInstalment.objects.bulk_create([
        DueInstalment(invoice=invoice, sequence=1, due_on=date(2024, 12, 1),
                      amount=D("2000.00")),
        DueInstalment(invoice=invoice, sequence=2, due_on=date(2028, 12, 1),
                      amount=D("3000.00"))])
    with pytest.raises(ValidationError, match="give the rate of a separate financing"):
        assess_instalment_financing(obligation=onboarding(rc), reason="Deposit and credit",
                                    by=accountant, on=date(2026, 11, 30))

    component = assess_instalment_financing(
        obligation=onboarding(rc), rate=D("0.06"), rate_after=D("0.10"),
        reason="A deposit two years ahead (our borrowing rate, 6%) and the rest two years "
               "after delivery (the customer's rate, 10%)", by=accountant,
        on=date(2026, 11, 30))

    assert (component.kind, component.revenue, component.rate, component.rate_after) == (
        "mixed", D("4726.54"), D("0.06"), D("0.10"))
    assert component.interest == D("247.20") + D("520.66")
    assert onboarding(rc).allocated == D("4726.54")
    rc.refresh_from_db()
    assert rc.financing == D("247.20") - D("520.66")
    lines = InterestLine.objects.filter(component=component)
    assert sum(x.amount for x in lines if x.kind == "advance") == D("247.20")
    assert sum(x.amount for x in lines if x.kind == "arrears") == D("520.66")
    assert max(x.month for x in lines if x.kind == "advance") == date(2026, 11, 1)
    assert min(x.month for x in lines if x.kind == "arrears") == DEC

    run(DEC, accountant, django_capture_on_commit_callbacks)
    run(JAN, accountant, django_capture_on_commit_callbacks)

    income = dict(lines.filter(kind="arrears").values_list("month", "amount"))
    ledger = books(date(2027, 1, 31))
    assert ledger[chart.INTEREST_EXPENSE] == D("247.20")  # the two years up to the transfer
    assert ledger[chart.INTEREST_INCOME] == -(income[DEC] + income[JAN])
    (dec_row, jan_row) = deferred_revenue_rollforward(first=DEC, last=JAN).rows
    assert (dec_row[6], jan_row[6]) == (D("247.20") - income[DEC], -income[JAN])
    assert dec_row[9] == jan_row[9] == 0
    checks = {check.key: check for check in close_checklist(JAN)}
    assert checks["disclosures"].done, checks["disclosures"].detail
    assert checks["unbilled"].done, checks["unbilled"].detail
