"""AR aging by instalment due date, by account and currency, from aggregate queries, agreeing
with the ledger's receivable; DSO over a period."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from ledger.selectors import receivable_balances
from payments.aging import ar_aging, dso
from payments.models import LateCharge, LateChargeKind
from payments.services import Application, record_payment
from payments.services.late_charges import waive_late_charge
from tests.conftest import PASSWORD
from tests.payments.factories import account, issued_invoice, rate
from tests.payments.test_dunning import dun
from tests.payments.test_late_charges import charging_policy, eur_invoice  # noqa: F401

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 23)


def test_buckets_follow_each_instalments_due_date_and_settled_money_pays_the_earliest(finance):
    # given: 50% now, 50% in 30 days, issued 2026-09-01 → due 09-01 (83 days) and 10-01 (53)
    customer = account(terms_code="50-50-30")
    invoice = issued_invoice(account_=customer, net=D("200.00"), on=date(2026, 9, 1))
    record_payment(account=customer, method="check", amount=D("30.00"), currency="USD",
                   received_on=date(2026, 9, 5), by=finance,
                   applications=[Application(invoice.pk, D("30.00"))])
    current = issued_invoice(account_=account(), net=D("10.00"), on=date(2026, 11, 20))
    # when
    report = ar_aging(as_of=AS_OF)
    # then
    rows = {row.account_id: row for row in report.rows}
    assert rows[customer.pk].buckets == {"current": 0, "days_1_30": 0, "days_31_60": D("100.00"),
                                         "days_61_90": D("70.00"), "over_90": 0}
    assert rows[current.account_id].buckets["current"] == D("10.00")
    (total,) = report.totals()
    assert total.total == D("180.00")


def test_currencies_are_kept_apart_and_the_aging_agrees_with_the_ledger(finance):
    rate("EUR", "1.10", date(2026, 1, 1))
    usd, eur = account(), account(currency="EUR")
    issued_invoice(account_=usd, net=D("40.00"), on=date(2026, 7, 1))
    issued_invoice(account_=eur, net=D("60.00"), on=date(2026, 10, 1))
    report = ar_aging(as_of=AS_OF)
    assert [(t.currency, t.total) for t in report.totals()] == [("EUR", D("60.00")),
                                                                ("USD", D("40.00"))]
    ledger = receivable_balances([usd.pk, eur.pk])
    assert ledger[usd.pk].by_currency["USD"] == D("40.00")
    assert ledger[eur.pk].by_currency["EUR"] == D("60.00")
    assert report.rows[0].buckets["over_90"] == 0 and report.rows[1].buckets["over_90"] == 40


def test_sales_reps_see_the_aging_of_their_own_accounts_only(client, sales_rep, other_rep):
    mine = issued_invoice(account_=account(owner=sales_rep, name="Mine Ltd"))
    issued_invoice(account_=account(owner=other_rep, name="Theirs Ltd"))
    assert client.login(username=sales_rep.username, password=PASSWORD)
    body = client.get(reverse("payments:aging")).content.decode()
    assert "Mine Ltd" in body and "Theirs Ltd" not in body
    csv = client.get(reverse("payments:aging_csv")).content.decode()
    assert csv.splitlines()[0].startswith("account,currency,Current,1–30")
    assert "Mine Ltd,USD" in csv and "Theirs Ltd" not in csv and mine


def test_dso_is_the_receivable_over_what_was_billed_times_the_days():
    issued_invoice(net=D("300.00"), on=date(2026, 11, 1))
    figure = dso(start=date(2026, 9, 1), end=date(2026, 11, 29))  # 90 days
    assert (figure.receivable, figure.billed, figure.days) == (D("300.00"), D("300.00"),
                                                              D("90.0"))


@pytest.mark.real_pdf
def test_the_customer_statement_is_a_pdf_for_visible_accounts_only(client, sales_rep,
                                                                    other_rep):
    mine = account(owner=sales_rep)
    issued_invoice(account_=mine)
    theirs = account(owner=other_rep)
    assert client.login(username=sales_rep.username, password=PASSWORD)
    response = client.get(reverse("payments:customer_statement", args=[mine.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get(reverse("payments:customer_statement",
                              args=[theirs.pk])).status_code == 404


def test_the_statement_lists_open_invoices_payments_and_the_credit_balance(finance):
    from payments.pdf import statement_context

    customer = account()
    invoice = issued_invoice(account_=customer)
    payment = record_payment(account=customer, method="check", amount=D("120.00"),
                             currency="USD", received_on=AS_OF, by=finance)
    context = statement_context(customer, start=date(2026, 9, 1), end=AS_OF)
    assert context["open_invoices"] == [invoice] and context["payments"] == [payment]
    assert context["credits"] == [("USD", D("120.00"))]


@pytest.mark.usefixtures("charging_policy")
def test_unpaid_late_charges_age_from_their_issue_date_and_the_aging_equals_the_receivable(
        finance):
    # given: EUR 10,000 due 31 October; the first reminder charges a EUR 40 fee on 1 November,
    # the second reminder 38.93 of interest on 14 November (test_late_charges)
    invoice = eur_invoice()
    dun(date(2026, 11, 1))
    dun(date(2026, 11, 14))
    fee = LateCharge.objects.get(kind=LateChargeKind.FEE)
    # when
    report = ar_aging(as_of=date(2026, 11, 14))
    # then: the interest is current, the fee and the invoice 13 and 14 days late
    (row,) = [r for r in report.rows if r.account_id == invoice.account_id]
    assert row.buckets == {"current": D("38.93"), "days_1_30": D("10040.00"), "days_31_60": 0,
                           "days_61_90": 0, "over_90": 0}
    ledger = receivable_balances([invoice.account_id])[invoice.account_id]
    assert row.total == ledger.by_currency["EUR"] == D("10078.93")
    # a waived charge leaves both
    waive_late_charge(charge=fee, reason="First time late.", by=finance, on=date(2026, 11, 14))
    (row,) = ar_aging(as_of=date(2026, 11, 14), currency="EUR").rows
    ledger = receivable_balances([invoice.account_id])[invoice.account_id]
    assert row.total == ledger.by_currency["EUR"] == D("10038.93")
