"""Customer credit left by credit notes: the list, a credit's page with its uses, and
finance's actions (apply the account's credit to an open invoice, refund part of a credit)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.formatting import format_money
from core.forms import add_service_errors
from core.pagination import keyset_page
from payments import selectors
from payments.forms import ApplyCreditForm, RefundCreditForm
from payments.services.cash import Application
from payments.services.credits import apply_customer_credit, refund_customer_credit

PAGE_SIZE = 25


@permission_required("payments.view_customercredit", raise_exception=True)
def credit_list(request):
    credits = selectors.credits_visible_to(request.user).order_by("-created_on", "-pk")
    page = keyset_page(credits, request.GET, default_size=PAGE_SIZE)
    return render(request, "payments/credits.html", {"page_obj": page,
                                                     "credits": page.object_list})


def _invoices(credit):
    return selectors.open_invoices_of(credit.account, credit.currency).filter(amount_due__gt=0)


def _detail(request, credit, apply_form=None, refund_form=None, status=200):
    can_use = credit.unapplied > 0 and request.user.has_perm("payments.apply_customer_credit")
    return render(request, "payments/credit.html", {
        "credit": credit, "uses": credit.uses.select_related("invoice"),
        "balance": selectors.credit_balance(credit.account, credit.currency),
        "apply_form": apply_form or ApplyCreditForm(invoices=_invoices(credit)),
        "refund_form": refund_form or RefundCreditForm(initial={"amount": credit.unapplied}),
        "can_use": can_use}, status=status)


@permission_required("payments.view_customercredit", raise_exception=True)
def credit_detail(request, pk):
    return _detail(request, selectors.credit_for_detail(pk=pk, user=request.user))


@require_POST
@permission_required("payments.apply_customer_credit", raise_exception=True)
def credit_apply(request, pk):
    credit = selectors.credit_for_detail(pk=pk, user=request.user)
    form = ApplyCreditForm(request.POST, invoices=_invoices(credit))
    if form.is_valid():
        try:
            apply_customer_credit(account=credit.account, currency=credit.currency, by=request.user,
                                  applications=[Application(form.cleaned_data["invoice"].pk,
                                                            form.cleaned_data["amount"])])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            amount = format_money(form.cleaned_data["amount"], credit.currency)
            messages.success(request, f"{amount} of credit applied to "
                                      f"{form.cleaned_data['invoice']}.")
            return redirect("payments:credit", pk=credit.pk)
    return _detail(request, credit, apply_form=form, status=400)


@require_POST
@permission_required("payments.apply_customer_credit", raise_exception=True)
def credit_refund(request, pk):
    credit = selectors.credit_for_detail(pk=pk, user=request.user)
    form = RefundCreditForm(request.POST)
    if form.is_valid():
        try:
            use = refund_customer_credit(credit=credit, amount=form.cleaned_data["amount"],
                                         reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{format_money(use.amount, credit.currency)} refunded.")
            return redirect("payments:credit", pk=credit.pk)
    return _detail(request, credit, refund_form=form, status=400)
