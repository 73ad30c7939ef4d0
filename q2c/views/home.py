from django.shortcuts import render

from core.roles import Role, roles_of

# The first role a user holds in this order picks their home page.
HOME_TEMPLATES = [
    (Role.SALES_MANAGER, "q2c/home_sales_manager.html"),
    (Role.SALES_REP, "q2c/home_sales_rep.html"),
    (Role.FINANCE, "q2c/home_finance.html"),
    (Role.ACCOUNTANT, "q2c/home_accountant.html"),
    (Role.CATALOG_ADMIN, "q2c/home_catalog_admin.html"),
]


def home(request):
    roles = roles_of(request.user)
    template = next((t for role, t in HOME_TEMPLATES if role in roles), "q2c/home_default.html")
    return render(request, template, {"roles": roles})
