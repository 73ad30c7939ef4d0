"""The tax report page and its CSV export."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render

from billing.forms import OssReportForm, TaxReportForm
from billing.oss_report import oss_report
from billing.tax_report import tax_report, tax_report_csv
from core.dates import business_date


def _report(request):
    form = TaxReportForm(request.GET if "start" in request.GET else
                         TaxReportForm.month_of(business_date()))
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, tax_report(start=data["start"], end=data["end"],
                            currency=(data.get("currency") or "").upper())


@permission_required("billing.view_invoicetax", raise_exception=True)
def tax_report_page(request):
    form, report = _report(request)
    return render(request, "billing/documents/tax_report.html", {
        "form": form, "report": report, "totals": report.totals() if report else {}},
        status=200 if report else 400)


@permission_required("billing.view_invoicetax", raise_exception=True)
def tax_report_export(request):
    form, report = _report(request)
    if report is None:
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()),
                            status=400, content_type="text/plain")
    response = HttpResponse(tax_report_csv(report), content_type="text/csv")
    response["Content-Disposition"] = (f'attachment; filename="tax-report-{report.start}-'
                                       f'{report.end}.csv"')
    return response


@permission_required("billing.view_invoicetax", raise_exception=True)
def oss_report_page(request):
    day = business_date()
    form = OssReportForm(request.GET if "year" in request.GET else
                         {"year": day.year, "quarter": (day.month - 1) // 3 + 1})
    report = oss_report(**form.cleaned_data) if form.is_valid() else None
    return render(request, "billing/documents/oss_report.html", {
        "form": form, "report": report, "totals": report.totals() if report else {}},
        status=200 if report else 400)
