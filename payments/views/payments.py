"""The payment list, detail and the finance actions on a payment (apply, refund, dispute,
settle) and on an invoice (write off, pay link).

Pages read through `payments_visible_to` (404 for payments one may not see); each action is one
service call behind its permission (403 without it), then a message and a redirect.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from billing.selectors import invoices_visible_to
from core.dates import business_date
from core.formatting import format_money
from core.forms import add_service_errors
from core.pagination import keyset_page
from core.transitions import allowed_transitions
from customers.selectors import accounts_visible_to
from payments import selectors, services
from payments.filters import PaymentFilter
from payments.forms import AllocationForm, DisputeForm, RecordPaymentForm, RefundForm, WriteOffForm
from payments.models import Dispute

PAGE_SIZE = 25


@permission_required("payments.view_payment", raise_exception=True)
def payment_list(request):
    visible = selectors.payments_visible_to(request.user).order_by("-received_on", "-pk")
    payment_filter = PaymentFilter(request.GET or None, queryset=visible)
    page = keyset_page(payment_filter.qs, request.GET, default_size=PAGE_SIZE)
    return render(request, "payments/list.html", {
        "filter": payment_filter, "page_obj": page, "payments": page.object_list})


def _actions(payment, disputes, user) -> dict:
    """The buttons the payment's page offers: its transitions that `user` may take now."""
    allowed = allowed_transitions(payment, user)
    return {
        "can_allocate": payment.unapplied > 0 and user.has_perm("payments.allocate_payment"),
        "can_refund": "refund" in allowed,
        "can_dispute": "dispute" in allowed,
        "closable": {d.pk for d in disputes if "win" in allowed_transitions(d, user)},
        "can_settle": bool(payment.idempotency_key) and "succeed" in allowed
        and user.has_perm("payments.charge_card"),
    }


@permission_required("payments.view_payment", raise_exception=True)
def payment_detail(request, pk):
    payment = selectors.payment_for_detail(pk=pk, user=request.user)
    allocations, refunds = payment.allocations.all(), payment.refunds.all()
    disputes, charges = list(payment.disputes.all()), payment.late_charge_payments.all()
    entries = [payment.receipt_entry_id, *(a.journal_entry_id for a in allocations),
               *(c.journal_entry_id for c in charges),
               *(r.journal_entry_id for r in refunds),
               *(e for d in disputes for e in (d.opening_entry_id, d.closing_entry_id))]
    return render(request, "payments/detail.html", {
        "payment": payment, "allocations": allocations, "refunds": refunds,
        "disputes": disputes, "late_charges": charges,
        "entries": list(dict.fromkeys(e for e in entries if e)),
        "refund_form": RefundForm(initial={"amount": payment.refundable_amount}),
        "dispute_form": DisputeForm(), **_actions(payment, disputes, request.user),
    })


@permission_required("payments.record_payment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def payment_record(request):
    prefill = ("account", "method", "amount", "currency", "received_on", "reference")
    form = RecordPaymentForm(request.POST or None,  # prefilled from a statement line
                             initial={k: request.GET[k] for k in prefill if k in request.GET})
    form.fields["account"].queryset = accounts_visible_to(request.user).order_by("name")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.record_payment(
                account=data["account"], method=data["method"], amount=data["amount"],
                currency=data["currency"], received_on=data["received_on"],
                reference=data["reference"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            amount = format_money(payment.amount, payment.currency)
            messages.success(request, f"Payment {payment} of {amount} recorded: apply it to "
                                      "invoices.")
            return redirect("payments:allocate", pk=payment.pk)
    return render(request, "payments/record.html", {"form": form},
                  status=400 if form.errors else 200)


@permission_required("payments.allocate_payment", raise_exception=True)
@require_http_methods(["GET", "POST"])
def payment_allocate(request, pk):
    payment = selectors.payment_for_detail(pk=pk, user=request.user)
    invoices = list(selectors.open_invoices_of(payment.account, payment.currency))
    suggestions = {s.invoice.pk: s.reason for s in selectors.suggest_invoices(
        amount=payment.unapplied, currency=payment.currency, reference=payment.reference,
        account=payment.account)}
    day = business_date()
    split = services.split_across(payment.unapplied, invoices)
    initial = {f"invoice_{a.invoice_id}": a.amount for a in split}
    if request.htmx and "preview" in request.GET:
        return _allocation_summary(request, payment, invoices)
    form = AllocationForm(request.POST or None, invoices=invoices, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.allocate_payment(
                payment=payment, by=request.user,
                applications=[services.Application(pk, amount)
                              for pk, amount in form.applications()])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            left = format_money(payment.unapplied, payment.currency)
            messages.success(request, f"{payment} applied; {left} left as credit balance.")
            return redirect("payments:detail", pk=payment.pk)
    rows = [{"invoice": invoice, "field": form[f"invoice_{invoice.pk}"],
             "suggested": suggestions.get(invoice.pk),
             "discount": selectors.early_discount(invoice, day)} for invoice in invoices]
    entered = sum((a.amount for a in split), 0)
    return render(request, "payments/allocate.html", {
        "payment": payment, "form": form, "rows": rows, "entered": entered,
        "left": payment.unapplied - entered}, status=400 if form.errors else 200)


def _allocation_summary(request, payment, invoices):
    """The live total under the apply form as amounts are typed (htmx; nothing is saved)."""
    form = AllocationForm(request.GET, invoices=invoices)
    entered = sum((amount for _, amount in form.applications()), 0) if form.is_valid() else None
    return render(request, "payments/allocate.html#summary", {
        "payment": payment, "entered": entered,
        "left": None if entered is None else payment.unapplied - entered})


def _act(request, pk, call, done: str):
    payment = selectors.payment_for_detail(pk=pk, user=request.user)
    try:
        result = call(payment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done.format(payment=payment, result=result))
    return redirect("payments:detail", pk=payment.pk)


@require_POST
@permission_required("payments.refund_payment", raise_exception=True)
def payment_refund(request, pk):
    form = RefundForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the amount and the reason of the refund.")
        return redirect("payments:detail", pk=pk)
    return _act(request, pk, lambda p: services.refund_payment(
        payment=p, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"],
        by=request.user), "{result} recorded.")


@require_POST
@permission_required("payments.manage_dispute", raise_exception=True)
def payment_dispute(request, pk):
    form = DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the reason of the chargeback.")
        return redirect("payments:detail", pk=pk)
    return _act(request, pk, lambda p: services.open_dispute(
        payment=p, reason=form.cleaned_data["reason"], by=request.user),
        "Chargeback recorded: {payment} is off its invoices while disputed.")


@require_POST
@permission_required("payments.manage_dispute", raise_exception=True)
def dispute_close(request, pk):
    dispute = get_object_or_404(Dispute, pk=pk)
    won = request.POST.get("outcome") == "won"
    return _act(request, dispute.payment_id, lambda p: services.close_dispute(
        dispute=dispute, won=won, by=request.user),
        "Dispute " + ("won: the payment is applied again." if won else "lost."))


@require_POST
@permission_required("payments.charge_card", raise_exception=True)
def payment_settle(request, pk):
    return _act(request, pk, lambda p: services.settle_pending_payment(payment=p,
                                                                       by=request.user),
                "Asked the gateway: {result} is {result.state}.")


@require_http_methods(["GET", "POST"])
@permission_required("payments.write_off_invoice", raise_exception=True)
def invoice_write_off(request, pk):
    invoice = get_object_or_404(invoices_visible_to(request.user), pk=pk)
    form = WriteOffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invoice = services.write_off_invoice(invoice=invoice, note=form.cleaned_data["note"],
                                                 by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            written = format_money(invoice.amount_written_off, invoice.currency)
            messages.success(request, f"{invoice} written off: {written}.")
            return redirect("payments:aging")
    return render(request, "payments/write_off.html", {"invoice": invoice, "form": form},
                  status=400 if form.errors else 200)


@permission_required("payments.view_payment", raise_exception=True)
def invoice_pay_link(request, pk):
    """The customer's pay-by-card link of an open invoice, to copy into an email."""
    invoice = get_object_or_404(invoices_visible_to(request.user), pk=pk)
    return render(request, "payments/pay_link.html", {
        "invoice": invoice, "link": (services.pay_link_url(invoice, request.build_absolute_uri("/"))
                 if invoice.is_open else None)})
