"""The big lists page by keyset (core.pagination): the links keep the filters, every row is
shown once across the pages, a page deep in the list costs the queries of the first, and a
cursor that is not ours shows the first page (never a 500)."""

import html
import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import CreditNote, Invoice, InvoiceState
from billing.models.credit_notes import CreditNoteReason
from core.actors import Actor
from core.pagination import cursor_for
from ledger import services as ledger_services
from payments.models import PaymentMethodKind
from payments.services import record_payment
from tests.billing.factories import active_contract, issued_invoice_row
from tests.customers.factories import AccountFactory
from tests.ledger.factories import balanced

NEXT = re.compile(r'href="\?([^"]*)" rel="next"')
LISTS = ["billing:invoices", "billing_documents:credit_notes", "payments:list",
         "contracts:list", "ledger:journal"]


def _next_query(response) -> str | None:
    found = NEXT.search(response.content.decode())
    return html.unescape(found.group(1)) if found else None


def _rows(finance):
    """Two rows in each list (and the accounts they need)."""
    account = AccountFactory(currency="USD")
    for _ in range(2):
        invoice = issued_invoice_row(account=account)
        CreditNote.objects.create(invoice=invoice, account=account, currency="USD",
                                  reason=CreditNoteReason.BILLING_ERROR, created_by=finance)
        record_payment(account=account, method=PaymentMethodKind.BANK_TRANSFER,
                       amount=D("10.00"), currency="USD", received_on=date(2026, 11, 2),
                       reference="wire", by=finance)
        active_contract(account=account, start_on=date(2026, 1, 1), end_on=date(2026, 12, 31),
                        lines=[])
    ledger_services.post_entries([balanced(), balanced()], by=Actor.task("tests"))


def test_the_invoice_list_walks_every_filtered_row_once_by_its_links(client, finance):
    # given 30 open invoices and 3 paid ones (which the filter must keep out on every page)
    account = AccountFactory(currency="USD")
    open_ = {issued_invoice_row(account=account).pk for _ in range(30)}
    paid = [issued_invoice_row(account=account) for _ in range(3)]
    Invoice.objects.filter(pk__in=[p.pk for p in paid]).update(state=InvoiceState.PAID,
                                                              amount_due=0)
    client.force_login(finance)
    # when the pages are followed by their "Next" links from the filtered first page
    seen, query = [], "state=issued&size=25"
    while query is not None:
        response = client.get(f"{reverse('billing:invoices')}?{query}")
        assert response.status_code == 200
        seen += [invoice.pk for invoice in response.context["invoices"]]
        query = _next_query(response)
        assert query is None or ("state=issued" in query and "size=25" in query)
    # then each open invoice is shown once, and no paid one
    assert sorted(seen) == sorted(open_) and len(seen) == len(open_)


@pytest.mark.parametrize("name", LISTS)
def test_a_page_after_a_cursor_reads_in_the_queries_of_the_first(client, finance, accountant,
                                                                django_assert_max_num_queries,
                                                                name):
    _rows(finance)
    client.force_login(accountant if name == "ledger:journal" else finance)
    first = client.get(reverse(name))
    rows = first.context["page_obj"].object_list
    after = cursor_for(type(rows[0]).objects.order_by(*_ordering(name)), rows[0])
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse(name))
    with django_assert_max_num_queries(len(queries)):
        later = client.get(reverse(name), {"after": after})
    assert [r.pk for r in later.context["page_obj"]] == [r.pk for r in rows[1:]]
    assert later.context["page_obj"].has_previous


def _ordering(name: str) -> list[str]:
    return {"payments:list": ["-received_on", "-pk"],
            "ledger:journal": ["-posted_on", "-number"]}.get(name, ["-created_at", "-pk"])


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("cursor", ["garbage", "WyJ4Il0", "W10", "%ff%fe", "eyJhIjoxfQ" * 50])
def test_a_cursor_that_is_not_ours_shows_the_first_page(client, finance, accountant, name,
                                                        cursor):
    client.force_login(accountant if name == "ledger:journal" else finance)
    for direction in ("after", "before"):
        response = client.get(f"{reverse(name)}?{direction}={cursor}&size=999999")
        assert response.status_code == 200
        assert response.context["page_obj"].at_start
        assert response.context["page_obj"].size in (25, 50)


@pytest.mark.parametrize("name", LISTS)
def test_a_cursor_with_a_nul_byte_is_a_bad_request(client, finance, accountant, name):
    client.force_login(accountant if name == "ledger:journal" else finance)
    assert client.get(f"{reverse(name)}?after=%00").status_code == 400


TABLES = {"billing:invoices": "billing_invoice", "billing_documents:credit_notes":
          "billing_creditnote", "payments:list": "payments_payment",
          "contracts:list": "contracts_contract", "ledger:journal": "ledger_journalentry"}


@pytest.mark.parametrize("name", LISTS)
def test_no_list_counts_its_rows(client, finance, accountant, name):
    _rows(finance)
    client.force_login(accountant if name == "ledger:journal" else finance)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name))
    assert len(response.context["page_obj"]) >= 2
    counted = [q["sql"] for q in queries.captured_queries
               if "COUNT(" in q["sql"].upper() and f'FROM "{TABLES[name]}"' in q["sql"]]
    assert not counted
