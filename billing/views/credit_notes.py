"""Credit note pages: the list (filters, search, pages), the detail with its timeline and PDF,
and the form that credits an invoice (from the invoice page)."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from billing.filters import CreditNoteFilter
from billing.forms import CreditNoteForm
from billing.selectors import (
    credit_note_for_detail,
    credit_notes_visible_to,
    creditable_lines,
    invoices_visible_to,
)
from billing.services.credit_notes import issue_credit_note, not_creditable
from billing.views.pdfs import pdf_response
from core.forms import add_service_errors
from core.pagination import keyset_page

PAGE_SIZE = 25


@permission_required("billing.view_creditnote", raise_exception=True)
def credit_note_list(request):
    visible = credit_notes_visible_to(request.user)
    note_filter = CreditNoteFilter(request.GET or None, queryset=visible)
    page = keyset_page(note_filter.qs, request.GET, default_size=PAGE_SIZE)
    return render(request, "billing/documents/credit_notes.html", {
        "filter": note_filter, "page_obj": page, "credit_notes": page.object_list})


@permission_required("billing.view_creditnote", raise_exception=True)
def credit_note_detail(request, pk):
    note = credit_note_for_detail(pk=pk, user=request.user)
    return render(request, "billing/documents/credit_note.html", {
        "credit_note": note, "invoice": note.invoice,
        "lines": note.lines.order_by("position", "pk"),
        "taxes": note.taxes.order_by("name", "percent"),
        "journal_lines": (note.journal_entry.lines.select_related("gl_account").order_by("pk")
                          if note.journal_entry_id else [])})


@permission_required("billing.view_creditnote", raise_exception=True)
def credit_note_pdf(request, pk):
    note = credit_note_for_detail(pk=pk, user=request.user)
    return pdf_response(request, note, fallback=("billing_documents:credit_note", note.pk))


def _form(invoice, data=None) -> CreditNoteForm:
    return CreditNoteForm(data, lines=creditable_lines(invoice), currency=invoice.currency)


@require_http_methods(["GET", "POST"])
@permission_required("billing.issue_credit_note", raise_exception=True)
def credit_note_create(request, pk):
    invoice = get_object_or_404(invoices_visible_to(request.user), pk=pk)
    if problem := not_creditable(invoice):
        messages.error(request, problem)
        return redirect("billing:invoice", pk=invoice.pk)
    form = _form(invoice, request.POST or None)
    preview, confirmation = None, ""
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        confirmation = _digest(invoice, kwargs)
        try:
            if request.POST.get("confirmed") == confirmation:
                note = issue_credit_note(invoice=invoice, by=request.user, **kwargs)
            else:
                preview = _dry_run(invoice, request.user, kwargs)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if preview is None:
                messages.success(request, f"Credit note {note} issued: {note.total} "
                                          f"{note.currency} credited on {invoice}.")
                return redirect("billing_documents:credit_note", pk=note.pk)
    return render(request, "billing/documents/credit_note_form.html", {
        "invoice": invoice, "form": form, "preview": preview,
        "confirmation": confirmation if preview else "",
        "earlier": invoice.credit_notes.filter(state="issued").order_by("pk")},
        status=400 if form.errors else 200)


class _DryRun(Exception):
    """Raised inside the preview's transaction so that nothing it wrote stays."""


def _dry_run(invoice, user, kwargs) -> dict:
    """What issuing would credit (total, tax, lines), by issuing inside a transaction that is
    then rolled back: the same maths and checks as the real issue, nothing kept (the number
    returns to its series, the entry and its on-commit emails are dropped)."""
    preview = {}
    try:
        with transaction.atomic():
            note = issue_credit_note(invoice=invoice, by=user, **kwargs)
            preview = {"total": note.total, "tax": note.tax_total, "currency": note.currency,
                       "lines": [(line.description, line.amount)
                                 for line in note.lines.order_by("position", "pk")]}
            raise _DryRun
    except _DryRun:
        pass
    return preview


def _digest(invoice, kwargs) -> str:
    """Ties a confirmation to what was previewed: other amounts are previewed again."""
    text = f"{invoice.pk}|{invoice.updated_at.isoformat()}|{sorted(kwargs.items())!r}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]
