"""Who may open what, read off the URL resolver itself, so a new page cannot be added open.

Every page needs a sign-in (Django's LoginRequiredMiddleware) except the ones listed here, which
carry their own proof (a signed customer link, a webhook signature, an API key); and a sales rep
opens no back-office page of finance and accounting that takes no argument, except the lists
scoped to the accounts the rep owns.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

# Open without a sign-in, and why each may be.
OPEN_PAGES = {
    "health": "load balancers probe it; it shows no data",
    "login": "the sign-in page",
    "portal:account": "signed account link",
    "portal:account_invoice_pdf": "signed account link",
    "portal:account_credit_note_pdf": "signed account link",
    "portal:account_statement_pdf": "signed account link",
    "portal:quote": "signed quote link",
    "portal:quote_pdf": "signed quote link",
    "portal:quote_accept": "signed quote link",
    "portal:quote_decline": "signed quote link",
    "contract_flows:sign": "signed contract link",
    "contract_flows:sign_pdf": "signed contract link",
    "pay:invoice": "signed pay link",
    "pay:card": "signed pay link",
    "pay:pdf": "signed pay link",
    "payments:webhook": "the gateway's signed webhook",
    "payments:sandbox_tokenize": "the sandbox gateway's card form posts here, as a real "
                                 "gateway's script would",
    "api:schema": "the OpenAPI document describes the API, no data",
    "api:docs": "renders the OpenAPI document",
    "api:redoc": "renders the OpenAPI document",
}

# Back-office areas of finance and accounting: a sales rep opens none of their pages...
FINANCE_AREAS = ("billing", "payments", "revrec", "ledger", "operations")
# ...except these, which show only the rep's own accounts (billing/grants.py, payments/grants.py).
REP_SCOPED_PAGES = {"billing:invoices", "payments:list", "payments:aging", "payments:aging_csv"}


def routes(patterns=None, prefix="", namespace=None):
    """(route, name, view) of every URL the project serves, admin's excepted."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            name = f"{namespace}:{inner}" if namespace and inner else inner or namespace
            if inner != "admin":
                yield from routes(pattern.url_patterns, prefix + str(pattern.pattern), name)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name, pattern.callback


def is_api(view) -> bool:
    cls = getattr(view, "cls", None)
    return isinstance(cls, type) and issubclass(cls, APIView)


def guarded_api(view) -> bool:
    """The API opts out of the sign-in redirect (it answers 401/403 itself), so its views must
    name permission classes that refuse an anonymous caller."""
    if not is_api(view):
        return False
    permissions = view.initkwargs.get("permission_classes", view.cls.permission_classes)
    return bool(permissions) and not any(permission is AllowAny for permission in permissions)


def test_only_the_listed_pages_open_without_a_sign_in():
    open_pages = {name for _, name, view in routes()
                  if getattr(view, "login_required", True) is False and not guarded_api(view)}
    assert open_pages == set(OPEN_PAGES)


@pytest.mark.django_db
def test_the_api_refuses_an_anonymous_caller(client):
    response = client.get(reverse("api:invoice-list"))
    assert response.status_code in (401, 403)


def finance_pages():
    """Back-office pages of finance and accounting that take no argument."""
    for route, name, view in routes():
        area = name.split(":")[0] if name and ":" in name else ""
        if (area in FINANCE_AREAS and "<" not in route and "(?P" not in route
                and getattr(view, "login_required", True) is not False and not is_api(view)):
            yield name


@pytest.mark.django_db
def test_a_sales_rep_opens_no_finance_or_accounting_page_but_the_scoped_lists(client, sales_rep):
    pages = sorted(set(finance_pages()))
    assert len(pages) > 20  # the walk found the areas (a renamed namespace would empty it)
    client.force_login(sales_rep)
    opened = {name for name in pages if client.get(reverse(name)).status_code == 200}
    assert opened == REP_SCOPED_PAGES
