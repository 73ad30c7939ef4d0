"""The role x URL matrix (issue 15): every URL name the project serves (Django's admin excepted:
it checks staff status and model permissions itself), requested as each role, GET and POST,
against the expectation written once below. A new URL without an expectation fails
`test_every_url_has_an_expectation`, so nobody adds a page without deciding who may open it.

What it proves is the gate: each request names objects that do not exist, so a role the view
lets in answers 404 (or a form error, or 405 for a method it does not serve) and a role it keeps
out answers 403 (or the sign-in page). Which objects an admitted role then sees is each app's
own visibility tests' business (e.g. a rep sees only the accounts the rep owns). Any 5xx fails.
"""

import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.test_url_access import routes

ANON, REP, MANAGER, FINANCE, ACCOUNTANT, CATALOG, ADMIN = (
    "anonymous", "sales_rep", "sales_manager", "finance", "accountant", "catalog_admin", "admin")
ROLES = (ANON, REP, MANAGER, FINANCE, ACCOUNTANT, CATALOG, ADMIN)

NOBODY = frozenset()
SIGNED_IN = frozenset(ROLES) - {ANON}
EVERYONE = frozenset(ROLES)  # signed customer links, webhooks, sign-in, health, API docs
DOCUMENT_READERS = SIGNED_IN - {CATALOG}  # deals and documents (scoped for sales)
SALES = frozenset({REP, MANAGER, ADMIN})
APPROVERS = frozenset({MANAGER, FINANCE, ADMIN})
ANALYSTS = frozenset({MANAGER, FINANCE, ACCOUNTANT, ADMIN})
ACCOUNT_EDITORS = frozenset({REP, MANAGER, FINANCE, ADMIN})
FINANCE_ONLY = frozenset({FINANCE, ADMIN})
BOOKKEEPERS = frozenset({FINANCE, ACCOUNTANT, ADMIN})
ACCOUNTANTS = frozenset({ACCOUNTANT, ADMIN})
OPERATORS = frozenset({FINANCE, CATALOG, ADMIN})


def both(roles):
    return roles, roles


def get(roles):
    return roles, NOBODY


def post(roles):
    return NOBODY, roles


# URL name: (roles admitted on GET, roles admitted on POST). The API's lists admit every
# signed-in role and answer each with what it may see (a catalog admin's invoice list is empty);
# its actions admit at the gate and refuse in the service, as the pages' actions do.
EXPECTED = {
    "accounts:detail": both(SIGNED_IN),
    "analytics:dashboard": both(ANALYSTS),
    "analytics:export": both(ANALYSTS),
    "api:account-detail": get(SIGNED_IN),
    "api:account-list": both(SIGNED_IN),
    "api:account-upsert": both(NOBODY),
    "api:contact-detail": get(SIGNED_IN),
    "api:contact-list": both(SIGNED_IN),
    "api:contact-upsert": both(NOBODY),
    "api:contract-amendment-preview": get(SIGNED_IN),
    "api:contract-amendments": both(SIGNED_IN),
    "api:contract-charges": get(SIGNED_IN),
    "api:contract-detail": get(SIGNED_IN),
    "api:contract-list": get(SIGNED_IN),
    "api:contract-terminate": post(SIGNED_IN),
    "api:contract-termination-preview": get(SIGNED_IN),
    "api:credit-note-detail": get(SIGNED_IN),
    "api:credit-note-list": get(SIGNED_IN),
    "api:credit-note-pdf": get(SIGNED_IN),
    "api:docs": get(EVERYONE),
    "api:invoice-credit": post(SIGNED_IN),
    "api:invoice-detail": get(SIGNED_IN),
    "api:invoice-issue": post(SIGNED_IN),
    "api:invoice-list": get(SIGNED_IN),
    "api:invoice-pdf": get(SIGNED_IN),
    "api:invoice-void": post(SIGNED_IN),
    "api:journal-entry-detail": get(BOOKKEEPERS),
    "api:journal-entry-list": get(BOOKKEEPERS),
    "api:ledger-export-detail": get(BOOKKEEPERS),
    "api:ledger-export-download": get(BOOKKEEPERS),
    "api:ledger-export-list": both(BOOKKEEPERS),
    "api:order-detail": get(SIGNED_IN),
    "api:order-list": get(SIGNED_IN),
    "api:payment-apply": post(SIGNED_IN),
    "api:payment-detail": get(SIGNED_IN),
    "api:payment-list": both(SIGNED_IN),
    "api:payment-refund": post(SIGNED_IN),
    "api:price-book-detail": get(SIGNED_IN),
    "api:price-book-list": get(SIGNED_IN),
    "api:product-detail": get(SIGNED_IN),
    "api:product-list": get(SIGNED_IN),
    "api:quote-detail": get(SIGNED_IN),
    "api:quote-line": both(NOBODY),
    "api:quote-lines": post(SIGNED_IN),
    "api:quote-list": both(SIGNED_IN),
    "api:quote-price": post(SIGNED_IN),
    "api:quote-send": post(SIGNED_IN),
    "api:quote-submit": post(SIGNED_IN),
    "api:redoc": get(EVERYONE),
    "api:revenue-contract-detail": get(BOOKKEEPERS),
    "api:revenue-contract-list": get(BOOKKEEPERS),
    "api:schema": get(EVERYONE),
    "api:usage-event-list": post(SIGNED_IN),
    "audit_pack": both(BOOKKEEPERS),
    "billing:add_charge": post(FINANCE_ONLY),
    "billing:discard": post(FINANCE_ONLY),
    "billing:invoice": both(DOCUMENT_READERS),
    "billing:invoice_new": both(FINANCE_ONLY),
    "billing:invoices": both(DOCUMENT_READERS),
    "billing:issue": post(FINANCE_ONLY),
    "billing:issue_bulk": post(FINANCE_ONLY),
    "billing:line_edit": post(FINANCE_ONLY),
    "billing:line_remove": post(FINANCE_ONLY),
    "billing:references": post(FINANCE_ONLY),
    "billing:run": both(BOOKKEEPERS),
    "billing:run_issue": post(FINANCE_ONLY),
    "billing:run_preview": both(FINANCE_ONLY),
    "billing:run_resume": post(FINANCE_ONLY),
    "billing:runs": (BOOKKEEPERS, FINANCE_ONLY),
    "billing:void": post(FINANCE_ONLY),
    "billing_documents:credit_note": both(DOCUMENT_READERS),
    "billing_documents:credit_note_create": both(FINANCE_ONLY),
    "billing_documents:credit_note_facturx": both(DOCUMENT_READERS),
    "billing_documents:credit_note_pdf": both(DOCUMENT_READERS),
    "billing_documents:credit_note_send": post(FINANCE_ONLY),
    "billing_documents:credit_note_xml": both(DOCUMENT_READERS),
    "billing_documents:credit_notes": both(DOCUMENT_READERS),
    "billing_documents:invoice_facturx": both(DOCUMENT_READERS),
    "billing_documents:invoice_pdf": both(DOCUMENT_READERS),
    "billing_documents:invoice_send": post(FINANCE_ONLY),
    "billing_documents:invoice_xml": both(DOCUMENT_READERS),
    "billing_documents:opening_balances": both(FINANCE_ONLY),
    "billing_documents:oss_report": both(BOOKKEEPERS),
    "billing_documents:postal_copies": get(FINANCE_ONLY),
    "billing_documents:postal_mark_posted": post(FINANCE_ONLY),
    "billing_documents:tax_report": both(BOOKKEEPERS),
    "billing_documents:tax_report_export": both(BOOKKEEPERS),
    "billing_documents:usage_import": both(FINANCE_ONLY),
    "contract_flows:activate": post(FINANCE_ONLY),
    "contract_flows:countersign": post(FINANCE_ONLY),
    "contract_flows:sign": both(EVERYONE),
    "contract_flows:sign_pdf": get(EVERYONE),
    "contracts:amend": post(SALES),
    "contracts:amendment": both(DOCUMENT_READERS),
    "contracts:amendment_pdf": both(DOCUMENT_READERS),
    "contracts:detail": both(DOCUMENT_READERS),
    "contracts:import": both(FINANCE_ONLY),
    "contracts:list": both(DOCUMENT_READERS),
    "contracts:pdf": both(DOCUMENT_READERS),
    "contracts:pdf_download": both(DOCUMENT_READERS),
    "contracts:send": post(SALES),
    "contracts:terminate": post(FINANCE_ONLY),
    "contracts:termination_preview": both(FINANCE_ONLY),
    "customers:contact_add": both(ACCOUNT_EDITORS),
    "customers:contact_edit": both(ACCOUNT_EDITORS),
    "customers:contact_remove": post(ACCOUNT_EDITORS),
    "customers:create": both(ACCOUNT_EDITORS),
    "customers:edit": both(ACCOUNT_EDITORS),
    "customers:export": both(DOCUMENT_READERS),
    "customers:import": both(FINANCE_ONLY),
    "customers:list": both(DOCUMENT_READERS),
    "customers:vat_check": post(SIGNED_IN),
    "health": both(EVERYONE),
    "home": both(SIGNED_IN),
    "ledger:cancel_close": post(ACCOUNTANTS),
    "ledger:close_period": post(ACCOUNTANTS),
    "ledger:entry": both(BOOKKEEPERS),
    "ledger:export_download": both(BOOKKEEPERS),
    "ledger:export_new": post(ACCOUNTANTS),
    "ledger:exports": both(BOOKKEEPERS),
    "ledger:import_rates": post(BOOKKEEPERS),
    "ledger:index": both(BOOKKEEPERS),
    "ledger:journal": both(BOOKKEEPERS),
    "ledger:manual_journal": both(BOOKKEEPERS),
    "ledger:manual_journal_approve": post(BOOKKEEPERS),
    "ledger:manual_journal_new": both(ACCOUNTANTS),
    "ledger:manual_journal_reject": post(BOOKKEEPERS),
    "ledger:manual_journals": both(BOOKKEEPERS),
    "ledger:period": both(BOOKKEEPERS),
    "ledger:periods": both(BOOKKEEPERS),
    "ledger:rates": both(BOOKKEEPERS),
    "ledger:reopen_period": post(ACCOUNTANTS),
    "ledger:reverse_entry": post(BOOKKEEPERS),
    "ledger:start_close": post(ACCOUNTANTS),
    "ledger:trial_balance": both(BOOKKEEPERS),
    "login": both(EVERYONE),
    "logout": both(NOBODY),
    "notifications:inbox": both(SIGNED_IN),
    "notifications:mark_read": post(SIGNED_IN),
    "notifications:open": both(SIGNED_IN),
    "notifications:outbox": both(FINANCE_ONLY),
    "notifications:send_again": post(FINANCE_ONLY),
    "operations:dashboard": both(OPERATORS),
    "operations:dismiss_refusal": post(BOOKKEEPERS),
    "operations:retry_refusal": post(BOOKKEEPERS),
    "operations:schedule": (BOOKKEEPERS, FINANCE_ONLY),
    "orders:cancel": post(FINANCE_ONLY),
    "orders:close": post(FINANCE_ONLY),
    "orders:credit_holds": both(FINANCE_ONLY),
    "orders:detail": both(DOCUMENT_READERS),
    "orders:fulfil": post(FINANCE_ONLY),
    "orders:list": both(DOCUMENT_READERS),
    "orders:release": post(FINANCE_ONLY),
    "pay:card": both(EVERYONE),
    "pay:invoice": get(EVERYONE),
    "pay:pdf": get(EVERYONE),
    "payments:account_billing": (DOCUMENT_READERS, FINANCE_ONLY),
    "payments:aging": both(DOCUMENT_READERS),
    "payments:aging_csv": both(DOCUMENT_READERS),
    "payments:allocate": both(FINANCE_ONLY),
    "payments:apply_in_order": post(FINANCE_ONLY),
    "payments:credit": both(BOOKKEEPERS),
    "payments:credit_apply": post(FINANCE_ONLY),
    "payments:credit_refund": post(FINANCE_ONLY),
    "payments:credits": both(BOOKKEEPERS),
    "payments:customer_statement": both(DOCUMENT_READERS),
    "payments:detail": both(DOCUMENT_READERS),
    "payments:dispute": post(FINANCE_ONLY),
    "payments:dispute_close": post(FINANCE_ONLY),
    "payments:dunning": both(BOOKKEEPERS),
    "payments:dunning_run": post(FINANCE_ONLY),
    "payments:late_charge": both(BOOKKEEPERS),
    "payments:late_charge_pdf": both(BOOKKEEPERS),
    "payments:late_charge_waive": post(FINANCE_ONLY),
    "payments:late_charges": both(BOOKKEEPERS),
    "payments:list": both(DOCUMENT_READERS),
    "payments:pay_link": both(DOCUMENT_READERS),
    "payments:record": both(FINANCE_ONLY),
    "payments:refund": post(FINANCE_ONLY),
    "payments:sandbox_tokenize": post(EVERYONE),
    "payments:settle": post(FINANCE_ONLY),
    "payments:statement": get(DOCUMENT_READERS),
    "payments:statement_confirm": both(FINANCE_ONLY),
    "payments:statement_import": both(FINANCE_ONLY),
    "payments:statement_send": post(FINANCE_ONLY),
    "payments:webhook": post(EVERYONE),
    "payments:write_off": both(FINANCE_ONLY),
    "portal:account": get(EVERYONE),
    "portal:account_credit_note_pdf": get(EVERYONE),
    "portal:account_invoice_pdf": get(EVERYONE),
    "portal:account_link": both(FINANCE_ONLY),
    "portal:account_statement_pdf": get(EVERYONE),
    "portal:quote": get(EVERYONE),
    "portal:quote_accept": post(EVERYONE),
    "portal:quote_decline": post(EVERYONE),
    "portal:quote_pdf": get(EVERYONE),
    "quote_documents:download": both(DOCUMENT_READERS),
    "quote_documents:preview": both(DOCUMENT_READERS),
    "quote_flows:send": post(SALES),
    "quotes:approvals": both(APPROVERS),
    "quotes:approve": post(APPROVERS),
    "quotes:builder": both(SALES),
    "quotes:clone": post(SALES),
    "quotes:configure": both(SALES),
    "quotes:configure_check": post(SALES),
    "quotes:coupon_apply": post(SALES),
    "quotes:coupon_remove": post(SALES),
    "quotes:create": both(SALES),
    "quotes:deal_desk": both(DOCUMENT_READERS),
    "quotes:detail": both(DOCUMENT_READERS),
    "quotes:edit": both(SALES),
    "quotes:guided": both(SALES),
    "quotes:line_add": post(SALES),
    "quotes:line_move": post(SALES),
    "quotes:line_remove": post(SALES),
    "quotes:line_update": post(SALES),
    "quotes:lines": both(SALES),
    "quotes:lines_add_many": post(SALES),
    "quotes:lines_copy": post(SALES),
    "quotes:lines_paste": post(SALES),
    "quotes:lines_reorder": post(SALES),
    "quotes:lines_template": post(SALES),
    "quotes:lines_upload": post(SALES),
    "quotes:list": both(DOCUMENT_READERS),
    "quotes:product_search": both(SALES),
    "quotes:reject": post(APPROVERS),
    "quotes:revise": post(SALES),
    "quotes:send_again": post(SALES),
    "quotes:submit": post(SALES),
    "quotes:template_save": post(SALES),
    "return_goods": both(FINANCE_ONLY),
    "revrec:close": both(BOOKKEEPERS),
    "revrec:close_month": post(ACCOUNTANTS),
    "revrec:contract": both(BOOKKEEPERS),
    "revrec:contract_financing": post(ACCOUNTANTS),
    "revrec:contract_minimum": post(ACCOUNTANTS),
    "revrec:contract_policy": post(ACCOUNTANTS),
    "revrec:contract_prepaid": post(ACCOUNTANTS),
    "revrec:contract_returns": post(ACCOUNTANTS),
    "revrec:contract_right": post(ACCOUNTANTS),
    "revrec:contract_variable": post(ACCOUNTANTS),
    "revrec:contracts": both(BOOKKEEPERS),
    "revrec:contracts_refresh": post(ACCOUNTANTS),
    "revrec:financing": both(BOOKKEEPERS),
    "revrec:financing_component": both(BOOKKEEPERS),
    "revrec:modification_override": post(ACCOUNTANTS),
    "revrec:report": both(BOOKKEEPERS),
    "revrec:reports": both(BOOKKEEPERS),
    "revrec:right_event": post(ACCOUNTANTS),
    "revrec:run": both(BOOKKEEPERS),
    "revrec:runs": both(BOOKKEEPERS),
    "revrec:start_run": post(ACCOUNTANTS),
    "two_factor_disable": post(SIGNED_IN),
    "two_factor_setup": both(SIGNED_IN),
    "two_factor_verify": both(SIGNED_IN),
}

REFUSED = {401, 403, 405}
VALUES = ["999999", "zz", "xlsx", str(uuid.UUID(int=1))]  # an id, a token, a file kind, a uuid
CONVERTERS = {"int": "999999", "str": "zz", "slug": "zz", "path": "zz",
              "uuid": str(uuid.UUID(int=1))}
REGEX_GROUP = re.compile(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)")
CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")


def sample_path(route: str) -> str:
    """The route with each argument filled by a value its pattern accepts."""
    path = REGEX_GROUP.sub(
        lambda group: next(value for value in VALUES if re.fullmatch(group.group(2), value)),
        route)
    path = CONVERTER.sub(lambda arg: CONVERTERS[arg.group(1) or "str"], path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")


def served():
    """(name, path) of every URL; a name served by several routes keeps its first."""
    seen = {}
    for route, name, _view in routes():
        seen.setdefault(name, sample_path(route))
    return seen


def test_every_url_has_an_expectation_and_every_expectation_a_url():
    names = set(served())
    assert sorted(names - set(EXPECTED)) == [], "new URLs: decide who may open them"
    assert sorted(set(EXPECTED) - names) == [], "expectations of URLs that are gone"


def _refused(response) -> bool:
    return response.status_code in REFUSED or (
        response.status_code == 302 and response["Location"].startswith("/login/"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_admitted_exactly_where_expected(request, role):
    client = Client(raise_request_exception=False)
    user = None
    if role == ADMIN:
        user = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    elif role != ANON:
        user = request.getfixturevalue(role)
    if user is not None:
        client.force_login(user)

    wrong = []
    for name, path in sorted(served().items()):
        for method, admitted in zip(("get", "post"), EXPECTED.get(name, both(NOBODY)),
                                    strict=True):
            response = getattr(client, method)(path)
            if response.status_code >= 500:
                wrong.append(f"{method.upper()} {path} ({name}): {response.status_code}")
            elif _refused(response) == (role in admitted):
                wrong.append(f"{method.upper()} {path} ({name}): {response.status_code}, "
                             f"expected {'admitted' if role in admitted else 'refused'}")
            if name == "logout" and user is not None:
                client.force_login(user)
    assert wrong == []
