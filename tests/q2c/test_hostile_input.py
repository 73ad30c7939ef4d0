"""Bad input gets a worded refusal, never a 500 (red team 2026-12, finding 8): NUL bytes and
huge cells in every import, amounts past any money column, dates in the year 9999, unknown
currencies, junk in query parameters, impossible manual charges. Each case posts or gets the
page as the role that uses it and asserts a 4xx (or the form again) naming the problem, and
that nothing was written. The Django test client re-raises a view's exception, so a 500 fails
the test before its asserts."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.models import Invoice, UsageImport
from catalog.models import PriceBookEntry
from customers.models import Account
from ledger.models import ExchangeRate
from payments.models import StatementImport
from tests.catalog.factories import PriceBookFactory, ProductFactory
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db

NUL = "Acme\x00Corp"
HUGE = "x" * 200_000


def _usage(cell):
    return ("account,sku,quantity,timestamp,idempotency_key\n"
            f"{cell},API,1,2026-11-02T10:00:00Z,k1\n")


def _balances(cell):
    return ("number,account,currency,issue_date,due_date,amount\n"
            f"OLD-1,{cell},USD,2026-09-01,2026-10-01,10.00\n")


def _statement(cell, amount="10.00", currency="USD", day="2026-11-20"):
    return f"date,amount,currency,reference,payer\n{day},{amount},{currency},{cell},\n"


def _accounts(cell, credit_limit="100"):
    return ("ref,name,country,currency,payment_terms,credit_limit\n"
            f"A1,{cell},US,USD,net-30,{credit_limit}\n")


def _rates(currency="EUR", day="2026-11-01"):
    return f"currency,date,rate\n{currency},{day},1.10\n"


def _prices(cell):
    return f"sku,billing_period,price_model,unit_amount\n{cell},monthly,per_unit,10\n"


IMPORTS = {  # name: (URL name, whether the URL takes the price book, form field, role)
    "usage": ("billing_documents:usage_import", False, "file", "finance"),
    "balances": ("billing_documents:opening_balances", False, "file", "finance"),
    "statement": ("payments:statement_import", False, "file", "finance"),
    "accounts": ("customers:import", False, "accounts_file", "finance"),
    "rates": ("ledger:import_rates", False, "file", "finance"),
    "prices": ("admin:catalog_pricebook_import", True, "file", "catalog_admin"),
}
WRITTEN = {
    "usage": lambda: UsageImport.objects.exists(),
    "balances": lambda: Invoice.objects.exists(),
    "statement": lambda: StatementImport.objects.exists(),
    "accounts": lambda: Account.objects.count() > 1,  # the one the test made
    "rates": lambda: ExchangeRate.objects.exists(),
    "prices": lambda: PriceBookEntry.objects.exists(),
}
CASES = [  # import, file content, words the refusal must hold
    ("usage", _usage(NUL), "Line 2: a cell holds a NUL character"),
    ("balances", _balances(NUL), "Line 2: a cell holds a NUL character"),
    ("statement", _statement(NUL), "Line 2: a cell holds a NUL character"),
    ("accounts", _accounts(NUL), "A cell holds a NUL character"),
    ("rates", _rates(currency="E\x00R"), "Line 2: a cell holds a NUL character"),
    ("prices", _prices(NUL), "Line 2: a cell holds a NUL character"),
    ("usage", _usage(HUGE), "Line 2: the line is longer than"),
    ("balances", _balances(HUGE), "Line 2: the line is longer than"),
    ("statement", _statement(HUGE), "Line 2: the line is longer than"),
    ("accounts", _accounts(HUGE), "The line is longer than"),
    ("rates", _rates(currency=HUGE), "Line 2: the line is longer than"),
    ("prices", _prices(HUGE), "Line 2: the line is longer than"),
    ("statement", _statement("ref", amount="1e400"), "Line 2: the amount 1e400 is too large"),
    ("statement", _statement("ref", amount="1e20"), "Line 2: the amount 1e20 is too large"),
    ("statement", _statement("ref", currency="XXX"), "Line 2: unknown currency &#x27;XXX&#x27;"),
    ("statement", _statement("ref", day="9999-12-31"), "Line 2: the date 9999-12-31 is after"),
    ("accounts", _accounts("Acme", credit_limit="1e400"), "The credit limit is too large"),
    ("accounts", _accounts("Acme", credit_limit="1e20"), "The credit limit is too large"),
    ("balances", _balances("Acme").replace("10.00", "1e400"), "Line 2: the amount 1e400 is too"),
    ("usage", _usage("Acme").replace("2026-11-02T10:00:00Z", "9999-12-31T23:30:00-05:00"),
     "Line 2: the timestamp 9999-12-31T23:30:00-05:00 is after"),
    ("rates", _rates(day="9999-12-31"), "Line 2: the date 9999-12-31 is after"),
]


@pytest.mark.parametrize("name, content, words", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_hostile_import_is_refused_with_its_line_and_writes_nothing(client, role_users, name,
                                                                      content, words):
    url_name, takes_book, field, role = IMPORTS[name]
    AccountFactory(name="Acme")
    ProductFactory(sku="API", kind="usage")
    client.force_login(role_users[role])
    if role == "catalog_admin":
        role_users[role].is_staff = True
        role_users[role].save(update_fields=["is_staff"])
    url = reverse(url_name, args=[PriceBookFactory().pk] if takes_book else [])

    response = client.post(url, {field: SimpleUploadedFile("hostile.csv", content.encode())})

    assert response.status_code in (200, 400)
    assert words in response.content.decode()
    assert not WRITTEN[name]()


def test_the_accounts_import_refuses_a_file_over_its_size_before_reading_it(client, finance):
    from customers.services.importing import MAX_IMPORT_BYTES

    client.force_login(finance)
    content = _accounts("Acme") + "#" * MAX_IMPORT_BYTES
    response = client.post(reverse("customers:import"), {
        "accounts_file": SimpleUploadedFile("big.csv", content.encode())})

    assert response.status_code in (200, 400)
    assert f"larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB" in response.content.decode()
    assert not Account.objects.exists()


# Pages and forms --------------------------------------------------------------------------

@pytest.fixture
def demo_catalog(db):
    from catalog.demo import seed_catalog

    return seed_catalog()


@pytest.mark.parametrize("value", ["abc", "1e400", "-1", "%00", "1 OR 1=1", ""])
def test_a_product_that_is_not_an_id_is_refused_with_a_400(client, demo_catalog, sales_rep,
                                                            value):
    from tests.quotes.factories import draft_quote

    quote = draft_quote(sales_rep)
    client.force_login(sales_rep)

    response = client.get(reverse("quotes:configure", args=[quote.pk]), {"product": value})

    assert response.status_code == 400
    assert "Choose a product from the search" in response.content.decode()


@pytest.mark.parametrize("url_name, param", [
    ("customers:list", "q"), ("payments:dunning", "action"), ("payments:list", "q"),
    ("billing:invoices", "q"), ("quotes:list", "q"), ("ledger:journal", "source"),
])
def test_a_nul_character_in_a_query_is_refused_with_a_400(client, finance, url_name, param):
    client.force_login(finance)
    response = client.get(reverse(url_name), {param: "a\x00b"})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_character_in_the_quote_product_search_is_refused(client, demo_catalog,
                                                                sales_rep):
    from tests.quotes.factories import draft_quote

    quote = draft_quote(sales_rep)
    client.force_login(sales_rep)
    response = client.get(reverse("quotes:product_search", args=[quote.pk]), {"q": "\x00"})
    assert response.status_code == 400


@pytest.mark.parametrize("quantity, unit_price, words", [
    ("1", "-99999", "cannot total less than zero"),
    ("99999999999", "99999999999", "is too large"),
])
def test_an_impossible_manual_charge_is_refused_with_its_reason(client, finance, quantity,
                                                                unit_price, words):
    from billing.services import drafts

    invoice = drafts.create_manual_invoice(account=AccountFactory(), by=finance)
    client.force_login(finance)

    response = client.post(reverse("billing:add_charge", args=[invoice.pk]), {
        "description": "Odd", "quantity": quantity, "unit_price": unit_price}, follow=True)

    assert response.status_code == 200 and words in response.content.decode()
    assert not invoice.lines.exists()


def test_a_webhook_posted_as_a_form_is_refused_not_a_server_error(client):
    """The NUL guard parsed every POST as a form, which consumed the stream a webhook reads
    raw to check its signature: a multipart POST to the gateway's webhook answered 500."""
    client.raise_request_exception = False

    response = client.post(reverse("payments:webhook"), {"a": "b"})

    assert 400 <= response.status_code < 500
