"""Revenue pages: revenue contracts, recognition runs (with live progress), the period close
checklist and the accountant's reports with CSV/XLSX export. Views read from selectors and act
through one service each; every view checks its permission on the server."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.dates import add_months
from core.forms import add_service_errors
from revrec import reports, selectors
from revrec.checklist import close_checklist
from revrec.exports import csv_response, xlsx_response
from revrec.filters import RevenueContractFilter
from revrec.forms import (
    REPORTS,
    FinancingForm,
    MaterialRightForm,
    MinimumForm,
    MonthForm,
    OverrideForm,
    PolicyForm,
    PrepaidForm,
    ReportForm,
    ReturnEstimateForm,
    RightEventForm,
    VariableConsiderationForm,
    this_month,
)
from revrec.models import ObligationStatus, Pattern
from revrec.services import create_revenue_contracts, start_recognition_run
from revrec.services.closing import close_period
from revrec.services.contracts import override_modification, set_recognition_policy
from revrec.services.variable import estimate_variable_consideration

PAGE_SIZE = 25
VIEW_CONTRACTS = "revrec.view_revenuecontract"
VIEW_RUNS = "revrec.view_recognitionrun"


def _errors(error: ValidationError) -> str:
    """The service's messages as one line, for a flash message (a form takes them through
    core.forms.add_service_errors)."""
    if hasattr(error, "error_dict"):
        return " ".join(m for ms in error.message_dict.values() for m in ms)
    return " ".join(error.messages)


# Revenue contracts -------------------------------------------------------------------------

@permission_required(VIEW_CONTRACTS, raise_exception=True)
def contract_list(request):
    found = RevenueContractFilter(request.GET or None, queryset=selectors.revenue_contracts())
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "revrec/contract_list.html", {
        "filter": found, "page_obj": page, "contracts": page.object_list})


@permission_required(VIEW_CONTRACTS, raise_exception=True)
def contract_detail(request, pk: int, policy_form=None, override_form=None,
                    variable_form=None, right_form=None, event_form=None, return_form=None,
                    financing_form=None, minimum_form=None, prepaid_form=None):
    revenue_contract = selectors.revenue_contract_for_detail(pk)
    obligations = selectors.obligations_of(revenue_contract)
    months, grid = selectors.schedule_grid(obligations)
    if policy_form is None:
        policy_form = PolicyForm(initial={
            "recognition_basis": revenue_contract.recognition_basis,
            "remainder_to": revenue_contract.remainder_to,
            "mid_month_end": revenue_contract.mid_month_end})
    return render(request, "revrec/contract_detail.html", {
        "rc": revenue_contract, "obligations": obligations, "months": months, "grid": grid,
        "items": selectors.items_of(revenue_contract), "policy_form": policy_form,
        "outside_range": sum(o.outside_range for o in obligations),
        "modifications": selectors.modifications_of(revenue_contract),
        "override_form": override_form or OverrideForm(),
        "estimates": selectors.variable_estimates_of(revenue_contract),
        "variable_form": variable_form or VariableConsiderationForm(
            obligations=_estimable(obligations)),
        "rights": selectors.material_rights_of(obligations),
        "returns": selectors.return_estimates_of(revenue_contract),
        "return_form": return_form or ReturnEstimateForm(
            obligations=goods_at_a_point_in_time(obligations)),
        "prepaid_form": prepaid_form or PrepaidForm(
            obligations=goods_at_a_point_in_time(obligations)),
        "minimum_form": minimum_form or MinimumForm(obligations=usage_without_minimum(obligations)),
        "financing": [o.financing_component for o in obligations if o.financing_component],
        "financing_form": financing_form or FinancingForm(
            obligations=[o for o in goods_at_a_point_in_time(obligations)
                         if not o.financing_component], currency=revenue_contract.currency),
        "right_form": right_form or MaterialRightForm(),
        "event_form": event_form or RightEventForm(),
        "functional": settings.FUNCTIONAL_CURRENCY})


def _estimable(obligations):
    """The obligations variable consideration may be allocated to (open goods)."""
    return [o for o in obligations if o.status == ObligationStatus.OPEN
            and o.pattern in (Pattern.RATABLE, Pattern.POINT_IN_TIME)]


def goods_at_a_point_in_time(obligations):
    """Goods a right of return may be estimated for (open, at a point in time)."""
    return [o for o in obligations
            if o.status == ObligationStatus.OPEN and o.pattern == Pattern.POINT_IN_TIME]


def usage_without_minimum(obligations):
    """Usage obligations a guaranteed minimum may still be set on."""
    return [o for o in obligations if o.status == ObligationStatus.OPEN
            and o.pattern == Pattern.AS_BILLED and not o.minimum and not o.scheduled]


@require_POST
@permission_required("revrec.create_revenue_contracts", raise_exception=True)
def contract_policy(request, pk: int):
    revenue_contract = selectors.revenue_contract_for_detail(pk)
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            set_recognition_policy(revenue_contract=revenue_contract, basis=form.basis(),
                                   by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Recognition policy changed; the schedules follow it.")
            return redirect("revrec:contract", pk=pk)
    return contract_detail(request, pk, policy_form=form)


@require_POST
@permission_required("revrec.estimate_variable_consideration", raise_exception=True)
def contract_variable(request, pk: int):
    revenue_contract = selectors.revenue_contract_for_detail(pk)
    obligations = _estimable(selectors.obligations_of(revenue_contract))
    form = VariableConsiderationForm(request.POST, obligations=obligations)
    if form.is_valid():
        data = form.cleaned_data
        chosen = next((o for o in obligations if o.pk == data["allocated_to"]), None)
        try:
            estimate_variable_consideration(
                revenue_contract=revenue_contract, kind=data["kind"], method=data["method"],
                scenarios=data["scenarios"], constrained=data["constrained"],
                constraint_reason=data["constraint_reason"], reason=data["reason"],
                allocated_to=chosen, allocation_reason=data["allocation_reason"],
                by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Estimate recorded; the transaction price, allocation "
                                      "and schedules follow it.")
            return redirect("revrec:contract", pk=pk)
    return contract_detail(request, pk, variable_form=form)


@require_POST
@permission_required("revrec.create_revenue_contracts", raise_exception=True)
def modification_override(request, pk: int):
    modification = get_object_or_404(selectors.modifications(), pk=pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            override_modification(modification=modification, by=request.user,
                                  treatment=form.cleaned_data["treatment"],
                                  reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Treatment changed; the schedules follow it.")
            return redirect("revrec:contract", pk=modification.revenue_contract_id)
    return contract_detail(request, modification.revenue_contract_id, override_form=form)


@require_POST
@permission_required("revrec.create_revenue_contracts", raise_exception=True)
def contracts_refresh(request):
    touched = create_revenue_contracts(by=request.user)
    messages.success(request, f"{len(touched)} revenue contract(s) created or updated."
                     if touched else "Every live contract has its revenue contract.")
    return redirect("revrec:contracts")


# Recognition runs --------------------------------------------------------------------------

@permission_required(VIEW_RUNS, raise_exception=True)
def run_list(request):
    form = MonthForm(initial={"month": f"{this_month():%Y-%m}"})
    page = Paginator(selectors.recognition_runs(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "revrec/run_list.html", {"form": form, "page_obj": page,
                                                    "runs": page.object_list})


@require_POST
@permission_required("revrec.run_recognition", raise_exception=True)
def run_start(request):
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(form.errors)))
        return redirect("revrec:runs")
    try:
        run = start_recognition_run(month=form.cleaned_data["month"], by=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("revrec:runs")
    messages.success(request, f"{run} is {run.get_state_display().lower()}.")
    return redirect("revrec:run", pk=run.pk)


@permission_required(VIEW_RUNS, raise_exception=True)
def run_detail(request, pk: int):
    run = get_object_or_404(selectors.recognition_runs(), pk=pk)
    context = {"run": run, "totals": selectors.run_totals(run),
               "families": selectors.run_families(run),
               "functional": settings.FUNCTIONAL_CURRENCY,
               "live": run.is_live}
    if request.htmx:
        return render(request, "revrec/run_detail.html#progress", context)
    return render(request, "revrec/run_detail.html", context)


# Period close ------------------------------------------------------------------------------

def _month_of(request):
    form = MonthForm(request.GET or None)
    return form.cleaned_data["month"] if form.is_valid() else _month_to_close()


def _month_to_close():
    """Last month while it is not closed (the month-end work is on it), else this month: the
    current month cannot be recognized or closed before it ends."""
    last = add_months(this_month(), -1)
    return this_month() if selectors.month_closed(last) else last


@permission_required(VIEW_RUNS, raise_exception=True)
def close(request):
    month = _month_of(request)
    checks = close_checklist(month)
    period = selectors.accounting_period(month)
    return render(request, "revrec/close.html", {
        "month": month, "checks": checks, "clear": all(c.done for c in checks),
        "period": period, "form": MonthForm(initial={"month": f"{month:%Y-%m}"})})


@require_POST
@permission_required("ledger.close_period", raise_exception=True)
def close_month(request):
    form = MonthForm(request.POST)
    if not form.is_valid():
        raise Http404("No such month.")
    month = form.cleaned_data["month"]
    try:
        period = close_period(month=month, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, f"{month:%B %Y} cannot close yet: {_errors(error)}")
    else:
        messages.success(request, f"{period} is closed.")
    return redirect(f"{reverse('revrec:close')}?month={month:%Y-%m}")


# Reports -----------------------------------------------------------------------------------

def _filters(values: dict) -> reports.Filters:
    return reports.Filters(currency=values["currency"], family=values["family"],
                           account=values["account"])


def _report(slug: str, values: dict) -> reports.Table:
    filters = _filters(values)
    if slug == "waterfall":
        return reports.revenue_waterfall(start=this_month(), months=values["months"],
                                         filters=filters)
    if slug == "rollforward":
        return reports.deferred_revenue_rollforward(first=values["first"], last=values["last"])
    if slug == "recognized":
        return reports.recognized_revenue(first=values["first"], last=values["last"],
                                          filters=filters)
    if slug == "disaggregation":
        return reports.revenue_disaggregation(first=values["first"], last=values["last"],
                                              filters=filters)
    if slug == "geography":
        return reports.revenue_by_geography(first=values["first"], last=values["last"],
                                            filters=filters)
    if slug == "rpo":
        return reports.remaining_obligations(as_of=this_month(), filters=filters)
    return reports.revrec_journal(month=values["last"])


@permission_required(VIEW_RUNS, raise_exception=True)
def report_index(request):
    return render(request, "revrec/reports.html", {"reports": REPORTS})


@permission_required(VIEW_RUNS, raise_exception=True)
def report(request, slug: str):
    if slug not in REPORTS:
        raise Http404("No such report.")
    form = ReportForm(request.GET or None)
    table = _report(slug, form.values())
    export = request.GET.get("export")
    if export == "csv":
        return csv_response(table, f"{REPORTS[slug]} {form.values()['last']:%Y-%m}")
    if export == "xlsx":
        return xlsx_response(table, f"{REPORTS[slug]} {form.values()['last']:%Y-%m}")
    reconciliation = (reports.rpo_reconciliation(as_of=this_month(), filters=_filters(
        form.values())) if slug == "rpo" else None)
    return render(request, "revrec/report.html", {
        "slug": slug, "title": REPORTS[slug], "table": table, "form": form,
        "reconciliation": reconciliation, "query": request.GET.urlencode(),
        "reports": REPORTS})

