"""Upload pages: usage records and opening balances, each refused whole with every bad row."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from billing.forms import CsvUploadForm
from billing.models import Invoice, InvoiceKind
from billing.opening_balance_csv import COLUMNS as BALANCE_COLUMNS
from billing.services.opening_balances import import_opening_balances
from billing.services.usage_import import import_usage_csv, recent_usage_imports
from billing.usage_csv import COLUMNS as USAGE_COLUMNS

PAGE_SIZE = 25


@require_http_methods(["GET", "POST"])
@permission_required("billing.import_usage", raise_exception=True)
def usage_import(request):
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    refused = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_usage_csv(content=upload.read(), file_name=upload.name,
                                      by=request.user)
        except ValidationError as error:
            refused = error.messages
        else:
            if result.repeated_file:
                messages.info(request, f"This file was already imported on "
                                       f"{result.usage_import.imported_at:%Y-%m-%d %H:%M}: "
                                       "nothing added.")
            else:
                messages.success(request, f"Imported {result.created} usage record"
                                          f"{'s' if result.created != 1 else ''}; "
                                          f"{result.skipped} already known.")
            return redirect("billing_documents:usage_import")
    return render(request, "billing/documents/usage_import.html", {
        "form": form, "refused": refused, "columns": USAGE_COLUMNS,
        "imports": recent_usage_imports()},
        status=400 if refused or form.errors else 200)


@require_http_methods(["GET", "POST"])
@permission_required("billing.issue_invoice", raise_exception=True)
def opening_balances(request):
    form = CsvUploadForm(request.POST or None, request.FILES or None)
    refused = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_opening_balances(content=upload.read(), file_name=upload.name,
                                             by=request.user)
        except ValidationError as error:
            refused = error.messages
        else:
            totals = ", ".join(f"{amount} {currency}" for currency, amount in
                               sorted(result.totals.items()))
            messages.success(request, f"Imported {len(result.invoices)} open invoice"
                                      f"{'s' if len(result.invoices) != 1 else ''} ({totals}).")
            return redirect("billing_documents:opening_balances")
    migrated = Invoice.objects.filter(kind=InvoiceKind.MIGRATED).select_related(
        "account").order_by("-created_at", "-pk")
    page = Paginator(migrated, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "billing/documents/opening_balances.html", {
        "form": form, "refused": refused, "columns": BALANCE_COLUMNS, "page_obj": page,
        "invoices": page.object_list},
        status=400 if refused or form.errors else 200)
