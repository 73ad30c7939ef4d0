"""The analytics page and its CSV export (figures with their definitions, and the months)."""


from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render

from analytics import selectors
from analytics.forms import AnalyticsFilterForm
from analytics.report import build_report
from core.csv_files import SafeCsvWriter
from core.dates import business_date
from customers.selectors import assignable_owners

PERMISSION = "analytics.view_analytics"


def _filters(request) -> tuple[AnalyticsFilterForm, selectors.Filters]:
    default = selectors.default_filters(business_date())
    data = request.GET if "start" in request.GET else None
    form = AnalyticsFilterForm(data, owners=assignable_owners(request.user),
                               initial=AnalyticsFilterForm.initial_for(default.start, default.end))
    if data is None or not form.is_valid():
        return form, default
    owner = form.cleaned_data["owner"]
    return form, selectors.Filters(start=form.cleaned_data["start"],
                                   end=form.cleaned_data["end"],
                                   currency=form.cleaned_data["currency"],
                                   owner_id=owner.pk if owner else None)


@permission_required(PERMISSION, raise_exception=True)
def dashboard(request):
    form, filters = _filters(request)
    return render(request, "analytics/dashboard.html", {
        "form": form, "report": build_report(request.user, filters),
        "query": request.GET.urlencode(),
    })


@permission_required(PERMISSION, raise_exception=True)
def export_csv(request):
    _form, filters = _filters(request)
    report = build_report(request.user, filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="analytics-{filters.start:%Y-%m}-{filters.end:%Y-%m}.csv"')
    writer = SafeCsvWriter(response)
    writer.writerow(["figure", "value", "unit", "definition"])
    for figure in report.figures:
        value = "" if figure.value is None else figure.value
        unit = figure.unit.removeprefix("money:")
        writer.writerow([figure.label, value, unit, figure.definition])
    writer.writerow([])
    writer.writerow(["month", "opening MRR", "new", "expansion", "contraction", "churn",
                     "closing MRR", "ARR", "paying accounts", "churned accounts"])
    for month in report.months:
        m = month.movement
        writer.writerow([f"{month.month:%Y-%m}", m.opening, m.new, m.expansion, m.contraction,
                         m.churn, m.closing, month.arr, month.accounts, month.churned_accounts])
    writer.writerow([])
    writer.writerow(["AR aging on", *[bucket.label for bucket in report.receivables.aging],
                     "total"])
    writer.writerow([report.receivables.as_of or "",
                     *[bucket.amount for bucket in report.receivables.aging],
                     report.receivables.aging_total])
    return response
