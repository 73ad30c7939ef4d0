"""Invoice pages: the list with the bulk issue form, the new manual draft, and the invoice page
with its draft editing, issue and void.

Pages read through `invoices_visible_to` (404 for invoices one may not see); each action is one
service call (403 without the permission), followed by a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from billing import selectors
from billing.filters import InvoiceFilter
from billing.forms import (
    BulkIssueForm,
    ChargeForm,
    LineForm,
    ManualInvoiceForm,
    ReferencesForm,
    VoidForm,
)
from billing.models import InvoiceLine, InvoiceState
from billing.services import drafts as draft_services
from billing.services.issuing import issue_invoice, issue_invoices, void_invoice
from billing.views import service_error
from core.pagination import keyset_page
from core.redirects import safe_next
from core.transitions import allowed_transitions
from ledger.selectors import entries_for_source

PAGE_SIZE = 50


@permission_required("billing.view_invoice", raise_exception=True)
def invoice_list(request):
    visible = selectors.invoices_visible_to(request.user)
    invoice_filter = InvoiceFilter(request.GET or None, visible=visible)
    page = keyset_page(invoice_filter.qs, request.GET, default_size=PAGE_SIZE)
    return render(request, "billing/invoices.html", {
        "filter": invoice_filter, "page_obj": page, "invoices": page.object_list,
        "can_issue": request.user.has_perm("billing.issue_invoice"),
        "can_edit": request.user.has_perm("billing.edit_draft_invoice")})


@require_POST
@permission_required("billing.issue_invoice", raise_exception=True)
def invoice_issue_bulk(request):
    drafts = selectors.invoices_visible_to(request.user).filter(state=InvoiceState.DRAFT)
    form = BulkIssueForm(request.POST, drafts=drafts)
    if not form.is_valid():
        messages.error(request, "Choose the drafts to issue.")
    else:
        try:
            issued = issue_invoices(invoices=form.cleaned_data["invoices"], by=request.user)
        except ValidationError as error:
            service_error(request, error)
        else:
            messages.success(request, f"{len(issued)} invoices issued: "
                                      f"{issued[0]} to {issued[-1]}.")
    return redirect(safe_next(request, reverse("billing:invoices")))


@permission_required("billing.edit_draft_invoice", raise_exception=True)
def invoice_new(request):
    form = ManualInvoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invoice = draft_services.create_manual_invoice(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            service_error(request, error)
        else:
            messages.success(request, "Draft invoice created: add its charges.")
            return redirect("billing:invoice", pk=invoice.pk)
    return render(request, "billing/invoice_new.html", {"form": form})


def _actions(invoice, user) -> dict[str, bool]:
    """The invoice page's buttons: the transitions `user` may take now (state, conditions such
    as "nothing paid or credited" for void, and permission), so they follow the model's state
    machine. Editing a draft is not a transition: the draft and the permission decide; goods
    sent back are credited, and settled in revenue recognition too (q2c.flows)."""
    allowed = allowed_transitions(invoice, user)
    return {"can_edit": invoice.is_draft and user.has_perm("billing.edit_draft_invoice"),
            "can_issue": "issue" in allowed, "can_credit": "credit" in allowed,
            "can_void": "void" in allowed, "can_write_off": "write_off" in allowed,
            "can_return_goods": "credit" in allowed and user.has_perm(
                "revrec.record_goods_return")}


@permission_required("billing.view_invoice", raise_exception=True)
def invoice_detail(request, pk):
    invoice = selectors.invoice_for_detail(pk=pk, user=request.user)
    user = request.user
    return render(request, "billing/invoice_detail.html", {
        "invoice": invoice, "lines": selectors.lines_of(invoice),
        "taxes": invoice.taxes.all(), "instalments": invoice.instalments.all(),
        "entries": entries_for_source(invoice) if user.has_perm("ledger.view_journalentry")
        else (),
        "credit_notes": invoice.credit_notes.order_by("pk"), **_actions(invoice, user),
        "charge_form": ChargeForm(), "void_form": VoidForm(),
        "references_form": ReferencesForm(initial={
            "purchase_order": invoice.purchase_order,
            "buyer_reference": invoice.buyer_reference})})


def _draft(request, pk):
    return selectors.invoice_for_detail(pk=pk, user=request.user)


@require_POST
@permission_required("billing.issue_invoice", raise_exception=True)
def invoice_issue(request, pk):
    invoice = _draft(request, pk)
    try:
        invoice = issue_invoice(invoice=invoice, by=request.user)
    except ValidationError as error:
        service_error(request, error)
    else:
        messages.success(request, f"Invoice {invoice} issued, due {invoice.due_on:%Y-%m-%d}.")
    return redirect("billing:invoice", pk=pk)


@require_POST
@permission_required("billing.void_invoice", raise_exception=True)
def invoice_void(request, pk):
    invoice = _draft(request, pk)
    form = VoidForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say why the invoice is void.")
        invoice = void_invoice(invoice=invoice, by=request.user,
                               reason=form.cleaned_data["reason"])
    except ValidationError as error:
        service_error(request, error)
    else:
        messages.success(request, f"Invoice {invoice} is void; its charges will bill again.")
    return redirect("billing:invoice", pk=pk)


@require_POST
@permission_required("billing.edit_draft_invoice", raise_exception=True)
def invoice_discard(request, pk):
    invoice = _draft(request, pk)
    try:
        draft_services.discard_draft(invoice=invoice, by=request.user)
    except ValidationError as error:
        service_error(request, error)
        return redirect("billing:invoice", pk=pk)
    messages.success(request, "Draft discarded; its charges will bill on the next run.")
    return redirect("billing:invoices")


@require_POST
@permission_required("billing.edit_draft_invoice", raise_exception=True)
def invoice_add_charge(request, pk):
    invoice = _draft(request, pk)
    form = ChargeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([f"{name}: {' '.join(errors)}"
                                   for name, errors in form.errors.items()])
        draft_services.add_manual_charge(invoice=invoice, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        service_error(request, error)
    else:
        messages.success(request, "Charge added.")
    return redirect("billing:invoice", pk=pk)


@require_POST
@permission_required("billing.edit_draft_invoice", raise_exception=True)
def invoice_references(request, pk):
    invoice = _draft(request, pk)
    form = ReferencesForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([f"{name}: {' '.join(errors)}"
                                   for name, errors in form.errors.items()])
        draft_services.update_references(invoice=invoice, by=request.user,
                                         **form.cleaned_data)
    except ValidationError as error:
        service_error(request, error)
    else:
        messages.success(request, "References saved; the draft is re-taxed.")
    return redirect("billing:invoice", pk=pk)


def _line(request, pk, line_pk) -> InvoiceLine:
    invoice = _draft(request, pk)
    return get_object_or_404(InvoiceLine.objects.select_related("invoice"), pk=line_pk,
                             invoice=invoice)


@require_POST
@permission_required("billing.edit_draft_invoice", raise_exception=True)
def invoice_line_edit(request, pk, line_pk):
    line = _line(request, pk, line_pk)
    form = LineForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([f"{name}: {' '.join(errors)}"
                                   for name, errors in form.errors.items()])
        draft_services.update_line(line=line, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        service_error(request, error)
    else:
        messages.success(request, f"Line {line.position} updated.")
    return redirect("billing:invoice", pk=pk)


@require_POST
@permission_required("billing.edit_draft_invoice", raise_exception=True)
def invoice_line_remove(request, pk, line_pk):
    line = _line(request, pk, line_pk)
    try:
        draft_services.remove_line(line=line, by=request.user)
    except ValidationError as error:
        service_error(request, error)
    else:
        messages.success(request, f"Line {line.position} removed; a billed charge bills again "
                                  "on the next run.")
    return redirect("billing:invoice", pk=pk)
