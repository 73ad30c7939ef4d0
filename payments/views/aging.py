"""The AR aging report (and its CSV) and DSO over a chosen period; sales roles see the aging of
the accounts they can see."""

from datetime import timedelta

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from billing.aging import BUCKET_LABELS
from core.csv_files import SafeCsvWriter
from core.dates import business_date
from customers.selectors import accounts_visible_to
from payments.aging import ar_aging, dso
from payments.forms import AgingForm, DsoForm
from payments.pdf import render_statement_pdf


def _report(request):
    form = AgingForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    as_of = data.get("as_of") or business_date()
    return form, ar_aging(as_of=as_of, accounts=accounts_visible_to(request.user),
                          currency=data.get("currency") or "")


@permission_required("payments.view_payment", raise_exception=True)
def aging(request):
    form, report = _report(request)
    today = business_date()
    dso_form = DsoForm(request.GET if "start" in request.GET else None,
                       initial={"start": today - timedelta(days=89), "end": today})
    figure = (dso(**dso_form.cleaned_data)
              if dso_form.is_bound and dso_form.is_valid()
              and request.user.has_perm("payments.view_all_payments") else None)
    return render(request, "payments/aging.html", {
        "form": form, "report": report, "labels": BUCKET_LABELS,
        "dso_form": dso_form, "dso": figure,
        "can_dso": request.user.has_perm("payments.view_all_payments"),
        "query": request.GET.urlencode()})


@permission_required("payments.view_payment", raise_exception=True)
def customer_statement(request, pk):
    """The account's statement PDF: activity over the chosen period (90 days by default)."""
    account = get_object_or_404(accounts_visible_to(request.user), pk=pk)
    form = DsoForm(request.GET if "start" in request.GET else None)
    end = business_date()
    start = end - timedelta(days=89)
    if form.is_bound and form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    response = HttpResponse(render_statement_pdf(account, start=start, end=end),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statement-{account.pk}-{end}.pdf"'
    return response


@permission_required("payments.view_payment", raise_exception=True)
def aging_csv(request):
    _, report = _report(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ar-aging-{report.as_of}.csv"'
    writer = SafeCsvWriter(response)
    writer.writerow(["account", "currency", *BUCKET_LABELS, "total"])
    for row in [*report.rows, *report.totals()]:
        writer.writerow([row.account_name, row.currency, *row.cells(), row.total])
    return response
