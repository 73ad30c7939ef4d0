"""The account page: one customer's facts, contacts and open receivable, with room for every
later stage's panel (quotes, contracts, orders, invoices, payments, revenue)."""

from decimal import Decimal

from django.conf import settings
from django.db.models import F, Sum
from django.shortcuts import render

from core.money import round_money
from customers.selectors import account_for_detail
from ledger.models import JournalLine

RECEIVABLE_CODE = "1100"  # accounts receivable in the default chart (ledger.chart)


def open_receivable(account) -> tuple[Decimal, dict[str, Decimal]]:
    """The account's open receivable from the ledger's sub-ledger: in the functional currency,
    and per document currency."""
    try:
        from ledger.selectors import receivable_balance
    except ImportError:  # until ledger.selectors is in: the same sum, functional currency only
        total = JournalLine.objects.filter(
            customer_account=account, gl_account__code=RECEIVABLE_CODE,
        ).aggregate(balance=Sum(F("debit") - F("credit")))["balance"]
        # SQLite sums decimals in floating point: round the aggregate before anyone uses it.
        return round_money(total or Decimal("0"), settings.FUNCTIONAL_CURRENCY), {}
    balance = receivable_balance(account.pk)
    return balance.functional, balance.by_currency


def account_detail(request, pk):
    account = account_for_detail(pk=pk, user=request.user)
    receivable, receivable_by_currency = open_receivable(account)
    return render(request, "q2c/account_detail.html", {
        "account": account,
        "contacts": account.contacts.all(),
        "receivable": receivable,
        "receivable_by_currency": {c: amount for c, amount in receivable_by_currency.items()
                                   if c != settings.FUNCTIONAL_CURRENCY and amount},
        "functional_currency": settings.FUNCTIONAL_CURRENCY,
        "can_edit": request.user.has_perm("customers.change_account"),
        # Later stages append {"title": ..., "template": ..., "context": {...}} panels here.
        "panels": [],
    })
