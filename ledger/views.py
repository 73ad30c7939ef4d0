"""Server-rendered ledger pages: read from selectors, act through services, report by message."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.dates import business_date
from core.forms import add_service_errors
from core.pagination import keyset_page
from core.redirects import safe_next
from core.transitions import allowed_transitions
from ledger import selectors, services
from ledger.forms import (
    JournalFilterForm,
    LedgerExportForm,
    ManualJournalForm,
    ManualJournalLineFormSet,
    RateFilterForm,
    RateImportForm,
    RejectJournalForm,
    ReopenForm,
    ReverseEntryForm,
    TrialBalanceForm,
)
from ledger.models import AccountingPeriod, JournalEntry, LedgerExport
from ledger.services.manual_journals import approval_threshold

JOURNAL_PAGE_SIZE = 50
RATES_PAGE_SIZE = 100


def _back(request, default: str):
    return redirect(safe_next(request, default))


@permission_required("ledger.view_journalentry", raise_exception=True)
def trial_balance(request):
    form = TrialBalanceForm(request.GET or None)
    as_of = form.cleaned_data.get("as_of") if form.is_valid() else None
    return render(request, "ledger/trial_balance.html",
                  {"form": form, "balance": selectors.trial_balance(as_of)})


@permission_required("ledger.view_journalentry", raise_exception=True)
def journal(request):
    form = JournalFilterForm(request.GET or None)
    page = keyset_page(selectors.journal_entries(form.filters()), request.GET,
                       default_size=JOURNAL_PAGE_SIZE)
    return render(request, "ledger/journal.html",
                  {"form": form, "page_obj": page,
                   "currency": settings.FUNCTIONAL_CURRENCY})


# The page of each kind of source document, by URL name (later stages' pages are linked by
# name, never imported): where an entry that belongs to a document is corrected.
DOCUMENT_PAGES = {
    ("billing", "invoice"): "billing:invoice",
    ("billing", "creditnote"): "billing_documents:credit_note",
    ("payments", "payment"): "payments:detail",
    ("revrec", "revenuecontract"): "revrec:contract",
    ("ledger", "manualjournal"): "ledger:manual_journal",
}


def _document_url(entry: JournalEntry) -> str:
    if not entry.source_type_id:
        return ""
    name = DOCUMENT_PAGES.get((entry.source_type.app_label, entry.source_type.model))
    try:
        return reverse(name, args=[entry.source_id]) if name else ""
    except NoReverseMatch:
        return ""


@permission_required("ledger.view_journalentry", raise_exception=True)
def entry_detail(request, pk: int):
    try:
        entry = selectors.entry_for_detail(pk)
    except JournalEntry.DoesNotExist:
        raise Http404("No such journal entry.") from None
    can_reverse = (request.user.has_perm("ledger.post_entries")
                   and not hasattr(entry, "reversed_by") and not entry.source_type_id)
    return render(request, "ledger/entry_detail.html", {
        "entry": entry, "lines": list(entry.lines.all()), "currency": settings.FUNCTIONAL_CURRENCY,
        "reverse_form": ReverseEntryForm() if can_reverse else None,
        "document_url": _document_url(entry),
    })


@require_POST
@permission_required("ledger.post_entries", raise_exception=True)
def reverse_entry(request, pk: int):
    entry = get_object_or_404(JournalEntry, pk=pk)
    form = ReverseEntryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for the reversal (and a valid date).")
        return redirect("ledger:entry", pk=pk)
    try:
        reversal = services.reverse_entry(entry, by=request.user, memo=form.cleaned_data["memo"],
                                          on=form.cleaned_data["on"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("ledger:entry", pk=pk)
    messages.success(request, f"Posted {reversal.reference}, reversing {entry.reference}.")
    return redirect("ledger:entry", pk=reversal.pk)


@permission_required("ledger.view_accountingperiod", raise_exception=True)
def periods(request):
    return render(request, "ledger/periods.html", {
        "periods": selectors.periods_with_counts(),
        "next_open": selectors.open_period_for(business_date()),
    })


@permission_required("ledger.view_accountingperiod", raise_exception=True)
def period_detail(request, pk: int):
    period = get_object_or_404(selectors.periods_with_counts(), pk=pk)
    export_form = (LedgerExportForm(initial={"period": period})
                   if request.user.has_perm("ledger.export_entries") else None)
    return render(request, "ledger/period_detail.html", {
        "period": period, "reopen_form": ReopenForm(),
        "exports": selectors.ledger_exports(period), "export_form": export_form,
        "currency": settings.FUNCTIONAL_CURRENCY})


def _period_action(request, pk: int, run, done: str, **kwargs):
    period = get_object_or_404(AccountingPeriod, pk=pk)
    try:
        run(period, by=request.user, **kwargs)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"{period}: {message}")
    else:
        messages.success(request, done.format(period=period))
    return _back(request, reverse("ledger:period", args=[pk]))


@require_POST
@permission_required("ledger.start_close", raise_exception=True)
def start_close(request, pk: int):
    return _period_action(request, pk, services.start_close,
                          "{period} is closing: new documents dated in it post after it.")


@require_POST
@permission_required("ledger.start_close", raise_exception=True)
def cancel_close(request, pk: int):
    return _period_action(request, pk, services.cancel_close, "{period} is open again.")


@require_POST
@permission_required("ledger.close_period", raise_exception=True)
def close_period(request, pk: int):
    return _period_action(request, pk, services.close_period, "{period} is closed.")


@require_POST
@permission_required("ledger.reopen_period", raise_exception=True)
def reopen_period(request, pk: int):
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the period is reopened.")
        return _back(request, reverse("ledger:period", args=[pk]))
    return _period_action(request, pk, services.reopen_period, "{period} is reopened.",
                          reason=form.cleaned_data["reason"])


def _rates_page(request, import_form, import_errors=(), status=200):
    filter_form = RateFilterForm(request.GET or None)
    currency = filter_form.cleaned_data.get("currency", "") if filter_form.is_valid() else ""
    page = Paginator(selectors.exchange_rates(currency), RATES_PAGE_SIZE)
    can_import = request.user.has_perm("ledger.import_rates")
    return render(request, "ledger/rates.html", {
        "filter_form": filter_form, "page_obj": page.get_page(request.GET.get("page")),
        "import_form": import_form if can_import else None, "import_errors": import_errors,
        "currency": settings.FUNCTIONAL_CURRENCY,
    }, status=status)


@permission_required("ledger.view_exchangerate", raise_exception=True)
def rates(request):
    return _rates_page(request, RateImportForm())


@require_POST
@permission_required("ledger.import_rates", raise_exception=True)
def import_rates(request):
    form = RateImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _rates_page(request, form, status=400)
    try:
        result = services.import_rate_file(form.cleaned_data["file"], by=request.user)
    except ValidationError as error:
        return _rates_page(request, form, import_errors=error.messages, status=400)
    messages.success(request, f"Imported {result.total} rates "
                              f"({result.created} new, {result.updated} updated).")
    return redirect("ledger:rates")


# Manual journals ---------------------------------------------------------------------------

@permission_required("ledger.view_manualjournal", raise_exception=True)
def manual_journals(request):
    page = Paginator(selectors.manual_journals(), JOURNAL_PAGE_SIZE)
    return render(request, "ledger/manual_journals.html", {
        "page_obj": page.get_page(request.GET.get("page")),
        "currency": settings.FUNCTIONAL_CURRENCY,
        "threshold": approval_threshold()})


def _drafted_lines(formset) -> list[services.LineDraft]:
    return [services.LineDraft(gl_code=form.cleaned_data["gl_account"].code,
                               debit=form.cleaned_data.get("debit") or 0,
                               credit=form.cleaned_data.get("credit") or 0,
                               description=form.cleaned_data.get("description") or "")
            for form in formset if form.cleaned_data.get("gl_account")]


@require_http_methods(["GET", "POST"])
@permission_required("ledger.add_manualjournal", raise_exception=True)
def manual_journal_new(request):
    form = ManualJournalForm(request.POST or None, initial={"document_date": business_date()})
    lines = ManualJournalLineFormSet(request.POST or None, prefix="lines")
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        try:
            journal = services.prepare_manual_journal(
                document_date=form.cleaned_data["document_date"],
                memo=form.cleaned_data["memo"], lines=_drafted_lines(lines), by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if journal.needs_approval:
                messages.success(request, f"{journal} is waiting for a second person to "
                                          "approve it (above the approval threshold).")
            else:
                messages.success(request, f"{journal} posted as {journal.entry.reference}.")
            return redirect("ledger:manual_journal", pk=journal.pk)
    return render(request, "ledger/manual_journal_new.html", {
        "form": form, "lines": lines, "currency": settings.FUNCTIONAL_CURRENCY,
        "threshold": approval_threshold()},
        status=400 if request.method == "POST" else 200)


@permission_required("ledger.view_manualjournal", raise_exception=True)
def manual_journal_detail(request, pk: int):
    journal = get_object_or_404(selectors.manual_journals(), pk=pk)
    can_decide = ("approve" in allowed_transitions(journal, request.user)
                  and journal.prepared_by_id != request.user.pk)
    return render(request, "ledger/manual_journal_detail.html", {
        "journal": journal, "lines": list(journal.lines.select_related("gl_account")),
        "currency": settings.FUNCTIONAL_CURRENCY, "can_decide": can_decide,
        "reject_form": RejectJournalForm() if can_decide else None})


def _decide(request, pk: int, decide, done: str, **kwargs):
    journal = get_object_or_404(selectors.manual_journals(), pk=pk)
    try:
        decide(journal=journal, by=request.user, **kwargs)
    except (ValidationError, PermissionDenied) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
    else:
        messages.success(request, done.format(journal=journal))
    return redirect("ledger:manual_journal", pk=pk)


@require_POST
@permission_required("ledger.approve_manualjournal", raise_exception=True)
def manual_journal_approve(request, pk: int):
    return _decide(request, pk, services.approve_manual_journal, "{journal} approved and posted.")


@require_POST
@permission_required("ledger.approve_manualjournal", raise_exception=True)
def manual_journal_reject(request, pk: int):
    form = RejectJournalForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _decide(request, pk, services.reject_manual_journal, "{journal} rejected.",
                   reason=reason)


# General ledger exports ----------------------------------------------------------------------

EXPORTS_PAGE_SIZE = 50


def _exports_page(request, form, status=200):
    page = Paginator(selectors.ledger_exports(), EXPORTS_PAGE_SIZE)
    can_export = request.user.has_perm("ledger.export_entries")
    return render(request, "ledger/exports.html", {
        "page_obj": page.get_page(request.GET.get("page")), "form": form if can_export else None,
        "currency": settings.FUNCTIONAL_CURRENCY}, status=status)


@permission_required("ledger.view_ledgerexport", raise_exception=True)
def exports(request):
    return _exports_page(request, LedgerExportForm())


@require_POST
@permission_required("ledger.export_entries", raise_exception=True)
def export_new(request):
    form = LedgerExportForm(request.POST)
    if form.is_valid():
        try:
            export = services.export_journal_entries(by=request.user,
                                                     format=form.cleaned_data["format"],
                                                     period=form.cleaned_data["period"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{export} holds {export.entry_count} entries: "
                                      "download it below.")
            return _back(request, reverse("ledger:exports"))
    return _exports_page(request, form, status=400)


def export_download_response(export: LedgerExport) -> StreamingHttpResponse:
    """The export's file, streamed as it is written (used by the page and the API)."""
    chunks, content_type = services.export_file(export)
    response = StreamingHttpResponse((chunk.encode() for chunk in chunks),
                                     content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@permission_required("ledger.view_ledgerexport", raise_exception=True)
def export_download(request, pk: int):
    return export_download_response(get_object_or_404(LedgerExport, pk=pk))
