"""The financing page (IFRS 15.60-65) for the accountant: the components on record per revenue
contract (rate, plan, interest recognized to date and remaining) with search, filters and
pagination, and one component with its interest schedule by month. Read-only; the judgement
is recorded from the revenue contract's page."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render

from revrec import financing_selectors as selectors
from revrec.filters import FinancingComponentFilter

PAGE_SIZE = 25
VIEW_FINANCING = "revrec.view_financingcomponent"


@permission_required(VIEW_FINANCING, raise_exception=True)
def financing_list(request):
    found = FinancingComponentFilter(request.GET or None,
                                     queryset=selectors.financing_components())
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "revrec/financing_list.html", {
        "filter": found, "page_obj": page,
        "components": selectors.with_progress(page.object_list)})


@permission_required(VIEW_FINANCING, raise_exception=True)
def financing_detail(request, pk: int):
    component = selectors.financing_component_for_detail(pk)
    schedule = selectors.schedule_of(component)
    return render(request, "revrec/financing_detail.html", {
        "f": component, "rc": component.obligation.revenue_contract, "schedule": schedule,
        "totals": selectors.totals_of(schedule)})
