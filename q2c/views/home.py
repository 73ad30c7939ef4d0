from django.shortcuts import render

from core.roles import Role, roles_of
from q2c import dashboards

# The first role a user holds in this order picks their home page.
HOMES = [
    (Role.SALES_MANAGER, "q2c/home_sales_manager.html", dashboards.team_home),
    (Role.SALES_REP, "q2c/home_sales_rep.html", dashboards.sales_home),
    (Role.FINANCE, "q2c/home_finance.html", dashboards.finance_home),
    (Role.ACCOUNTANT, "q2c/home_accountant.html", dashboards.accountant_home),
    (Role.CATALOG_ADMIN, "q2c/home_catalog_admin.html", dashboards.catalog_home),
]


def home(request):
    roles = roles_of(request.user)
    for role, template, figures in HOMES:
        if role in roles:
            context = figures(request.user) if figures else {}
            return render(request, template, context)
    return render(request, "q2c/home_default.html")
