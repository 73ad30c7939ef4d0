"""The account page: one customer's facts and contacts, and every stage's documents for it
(quotes, contracts, orders, invoices, payments), each through its own visibility selector."""

from django.conf import settings
from django.shortcuts import render

from billing.selectors import invoices_visible_to
from contracts.selectors import contracts_visible_to, upcoming_charges
from core.dates import business_date
from customers.selectors import account_for_detail
from ledger.selectors import receivable_balance
from orders.selectors import orders_visible_to
from payments.selectors import credit_balance, payments_visible_to
from quotes.selectors import quotes_visible_to

LATEST = 10  # documents of each kind on the page; the lists have the rest


def stage_documents(account, user) -> dict:
    """The latest documents of each stage the user may see for the account."""
    mine = {"account": account}
    return {
        "quotes": quotes_visible_to(user).filter(**mine).order_by("-created_at", "-pk")[:LATEST],
        "contracts": contracts_visible_to(user).filter(**mine)
        .order_by("-start_on", "-pk")[:LATEST],
        "orders": orders_visible_to(user).filter(**mine).order_by("-created_at", "-pk")[:LATEST],
        "invoices": invoices_visible_to(user).filter(**mine).exclude(number=None)
        .order_by("-issue_on", "-pk")[:LATEST],
        "payments": payments_visible_to(user).filter(**mine)
        .order_by("-received_on", "-pk")[:LATEST],
    }


def account_detail(request, pk):
    account = account_for_detail(pk=pk, user=request.user)
    balance = receivable_balance(account.pk)
    return render(request, "q2c/account_detail.html", {
        "account": account,
        "contacts": account.contacts.all(),
        "receivable": balance.functional,
        "receivable_by_currency": {c: amount for c, amount in balance.by_currency.items()
                                   if c != settings.FUNCTIONAL_CURRENCY and amount},
        "credit_balance": credit_balance(account, account.currency),
        "functional_currency": settings.FUNCTIONAL_CURRENCY,
        "can_edit": request.user.has_perm("customers.change_account"),
        "upcoming": upcoming_charges(account, contracts=contracts_visible_to(request.user),
                                     on=business_date()),
        **stage_documents(account, request.user),
    })
