"""Closing balances kept per closed period: receivable balances read the latest kept period and
the lines posted after it, and always equal the sum of every line (issue 23: the close
checklist read 2.4 million unbilled-receivable lines for two years of 100,000 customers)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from ledger import chart, services
from ledger.drafts import EntryDraft, LineDraft
from ledger.models import AccountingPeriod, ClosingBalance, JournalLine
from ledger.selectors import receivable_balance, receivable_balances
from tests.ledger.factories import close_month, run_sql

pytestmark = pytest.mark.django_db
JAN, FEB, MAR = dt.date(2026, 1, 10), dt.date(2026, 2, 10), dt.date(2026, 3, 10)


def _from_every_line(as_of=None) -> dict[int, dict[str, D]]:
    """The balances summed line by line in Python: what the kept balances must never change."""
    lines = JournalLine.objects.filter(gl_account__code=chart.ACCOUNTS_RECEIVABLE,
                                       customer_account__isnull=False)
    if as_of:
        lines = lines.filter(entry__posted_on__lte=as_of)
    totals: dict[int, dict[str, D]] = {}
    for account, currency, amount in lines.values_list("customer_account_id",
                                                       "document_currency", "document_amount"):
        per = totals.setdefault(account, {})
        per[currency] = per.get(currency, D(0)) + amount
    return {account: {c: a.quantize(D("0.01")) for c, a in per.items()}
            for account, per in totals.items()}


def _read(as_of=None) -> dict[int, dict[str, D]]:
    return {account: balance.by_currency
            for account, balance in receivable_balances(as_of=as_of).items()}


def _post(customer, amount, on, finance, *, code=chart.ACCOUNTS_RECEIVABLE):
    """A customer line of `amount` (signed, in the customer's currency, at 1.10) on `code`."""
    document = D(amount)
    functional = (abs(document) * D("1.10")).quantize(D("0.01"))
    side = "debit" if document > 0 else "credit"
    other = "credit" if side == "debit" else "debit"
    services.post_entry(EntryDraft(document_date=on, memo="Invoice", lines=[
        LineDraft(code, customer_account_id=customer.pk, document_currency=customer.currency,
                  document_amount=document, rate=D("1.10"), **{side: functional}),
        LineDraft(chart.REVENUE, **{other: functional})]), by=finance)


def test_closing_a_month_keeps_each_customers_balance_and_reads_go_on_from_it(
        customer, other_customer, finance, accountant):
    _post(customer, "100.00", JAN, finance)
    _post(other_customer, "40.00", JAN, finance)
    close_month(JAN, by=accountant)
    _post(customer, "-30.00", FEB, finance)
    close_month(FEB, by=accountant)
    _post(customer, "5.00", MAR, finance)

    feb = AccountingPeriod.objects.get(start_on=dt.date(2026, 2, 1))
    assert feb.balances_kept
    kept = {(row.customer_account_id, row.document_currency): row.document
            for row in ClosingBalance.objects.filter(period=feb)}
    assert kept == {(customer.pk, "EUR"): D("70.00"), (other_customer.pk, "GBP"): D("40.00")}
    assert _read() == _from_every_line() == {customer.pk: {"EUR": D("75.00")},
                                             other_customer.pk: {"GBP": D("40.00")}}

    # The kept figure is what the read starts from: a hand-made change to it shows.
    run_sql(f"UPDATE ledger_closingbalance SET document = 1000 "
            f"WHERE period_id = {feb.pk} AND customer_account_id = {customer.pk}")
    assert _read()[customer.pk] == {"EUR": D("1005.00")}


def test_a_balance_as_of_a_day_starts_from_the_last_period_kept_by_then(customer, finance,
                                                                         accountant):
    _post(customer, "100.00", JAN, finance)
    close_month(JAN, by=accountant)
    _post(customer, "20.00", FEB, finance)
    close_month(FEB, by=accountant)
    _post(customer, "3.00", MAR, finance)

    for as_of in (dt.date(2026, 1, 5), dt.date(2026, 1, 31), dt.date(2026, 2, 15),
                  dt.date(2026, 2, 28), dt.date(2026, 3, 31), None):
        assert _read(as_of) == _from_every_line(as_of), as_of


def test_reopening_a_month_drops_its_balances_and_every_later_ones(customer, finance,
                                                                    accountant):
    _post(customer, "100.00", JAN, finance)
    close_month(JAN, by=accountant)
    close_month(FEB, by=accountant)
    jan = AccountingPeriod.objects.get(start_on=dt.date(2026, 1, 1))

    services.reopen_period(jan, by=accountant, reason="Late accrual")
    assert not ClosingBalance.objects.exists()
    assert not AccountingPeriod.objects.filter(balances_kept=True).exists()
    _post(customer, "7.00", JAN, finance)  # lands in January again
    assert _read() == _from_every_line() == {customer.pk: {"EUR": D("107.00")}}

    close_month(JAN, by=accountant)  # February stays closed and is not kept again
    assert list(AccountingPeriod.objects.filter(balances_kept=True)
                .values_list("start_on", flat=True)) == [dt.date(2026, 1, 1)]
    _post(customer, "1.00", MAR, finance)
    assert _read() == _from_every_line() == {customer.pk: {"EUR": D("108.00")}}


def test_a_month_closed_before_an_earlier_one_keeps_nothing(customer, finance, accountant):
    _post(customer, "100.00", JAN, finance)
    services.ensure_period(JAN)  # January stays open: a document dated in it can still post
    close_month(FEB, by=accountant)
    assert not ClosingBalance.objects.exists()
    _post(customer, "9.00", JAN, finance)
    assert _read() == {customer.pk: {"EUR": D("109.00")}}


def test_a_customers_balance_nets_to_zero_keeps_no_row_and_other_accounts_are_kept_apart(
        customer, finance, accountant):
    _post(customer, "100.00", JAN, finance)
    _post(customer, "-100.00", JAN, finance)
    _post(customer, "50.00", JAN, finance, code=chart.UNBILLED_RECEIVABLE)
    close_month(JAN, by=accountant)

    assert list(ClosingBalance.objects.values_list("gl_account__code", "document")) == [
        (chart.UNBILLED_RECEIVABLE, D("50.00"))]
    assert receivable_balance(customer.pk).by_currency == {}
    assert receivable_balance(customer.pk, gl_codes=(chart.UNBILLED_RECEIVABLE,)) \
        .by_currency == {"EUR": D("50.00")}
