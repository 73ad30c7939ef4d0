"""Billing's document pages: who may open them, uploads refused whole, the credit note form,
lists whose query count does not grow."""

from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.models import CreditNote, Invoice, InvoiceKind, UsageRecord
from billing.services.credit_notes import issue_credit_note
from catalog.models import ProductKind, RevenueRule
from tests.billing.documents.conftest import ON, gb_account, issue
from tests.catalog.factories import ProductFactory
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _url(name, issued, note):
    args = {"credit_note": [note.pk], "credit_note_pdf": [note.pk],
            "credit_note_create": [issued.pk], "invoice_pdf": [issued.pk]}.get(name, [])
    return reverse(f"billing_documents:{name}", args=args)


@pytest.mark.parametrize(("name", "allowed"), [
    ("credit_notes", {"sales_rep", "sales_manager", "finance", "accountant"}),
    ("credit_note", {"sales_rep", "sales_manager", "finance", "accountant"}),
    ("credit_note_pdf", {"sales_rep", "sales_manager", "finance", "accountant"}),
    ("invoice_pdf", {"sales_rep", "sales_manager", "finance", "accountant"}),
    ("credit_note_create", {"finance"}),
    ("usage_import", {"finance"}),
    ("opening_balances", {"finance"}),
    ("tax_report", {"finance", "accountant"}),
    ("tax_report_export", {"finance", "accountant"}),
])
def test_each_page_by_role(client, role_users, issued, finance, name, allowed):
    note = issue_credit_note(invoice=issued, by=finance, reason="goodwill", amount="1.00", on=ON)
    url = _url(name, issued, note)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for role, user in role_users.items():
        login(client, user)
        status = client.get(url).status_code
        assert status == (200 if role in allowed else 403), (role, status)


def test_another_teams_invoice_and_credit_notes_are_not_found(client, other_rep, issued,
                                                              finance):
    note = issue_credit_note(invoice=issued, by=finance, reason="goodwill", amount="1.00", on=ON)
    login(client, other_rep)
    assert client.get(reverse("billing_documents:invoice_pdf", args=[issued.pk])).status_code \
        == 404
    assert client.get(reverse("billing_documents:credit_note", args=[note.pk])).status_code \
        == 404
    body = client.get(reverse("billing_documents:credit_notes")).content.decode()
    assert note.number not in body


def test_finance_credits_some_lines_from_the_form(client, finance, issued):
    login(client, finance)
    url = reverse("billing_documents:credit_note_create", args=[issued.pk])
    seats = issued.lines.get(position=1)
    assert "Seats" in client.get(url).content.decode()

    data = {"reason": "service_issue", "how": "lines", f"line_{seats.pk}": "50.00"}
    preview = client.post(url, data)  # the total first, nothing issued
    assert not CreditNote.objects.exists()
    response = client.post(url, {**data, "confirmed": preview.context["confirmation"]})

    note = CreditNote.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "billing_documents:credit_note", args=[note.pk])
    assert note.total == 60 and f"Credit note {note} issued" in messages_of(response)[0]
    detail = client.get(response["Location"]).content.decode()
    assert "Seats" in detail and "2200" in detail and "History" in detail


def test_the_form_puts_a_refused_credit_back_on_its_field(client, finance, issued):
    login(client, finance)
    url = reverse("billing_documents:credit_note_create", args=[issued.pk])
    response = client.post(url, {"reason": "goodwill", "how": "amount", "amount": "999.00"})
    assert response.status_code == 400
    assert "more than the 172.50 left" in response.content.decode()
    response = client.post(url, {"reason": "", "how": "whole"})
    assert response.status_code == 400 and not CreditNote.objects.exists()


def test_the_credit_form_starts_with_nothing_chosen(client, finance, issued):
    login(client, finance)
    url = reverse("billing_documents:credit_note_create", args=[issued.pk])
    page = client.get(url)
    assert page.context["form"]["how"].value() is None
    assert "checked" not in str(page.context["form"]["how"])

    response = client.post(url, {"reason": "goodwill"})
    assert response.status_code == 400 and not CreditNote.objects.exists()
    assert "Choose what to credit." in response.context["form"].errors["how"]


def test_amounts_typed_with_everything_chosen_are_refused_not_ignored(client, finance, issued):
    login(client, finance)
    url = reverse("billing_documents:credit_note_create", args=[issued.pk])
    seats = issued.lines.get(position=1)

    response = client.post(url, {"reason": "goodwill", "how": "whole",
                                 f"line_{seats.pk}": "100.00"})

    assert response.status_code == 400 and not CreditNote.objects.exists()
    assert ("You typed amounts but chose everything left on the invoice: choose “Net amounts "
            "of some lines” or clear them.") in response.context["form"].non_field_errors()


def test_the_credit_shows_its_total_and_is_issued_only_once_confirmed(client, finance, issued):
    login(client, finance)
    url = reverse("billing_documents:credit_note_create", args=[issued.pk])
    data = {"reason": "duplicate", "how": "whole"}

    preview = client.post(url, data)

    assert preview.status_code == 200 and not CreditNote.objects.exists()
    body = preview.content.decode()
    assert preview.context["preview"]["total"] == D("172.50")
    assert "This issues a credit note of" in body and f"172.50 on {issued.number}" in body
    changed = client.post(url, {**data, "how": "amount", "amount": "10.00",
                                "confirmed": preview.context["confirmation"]})
    assert changed.status_code == 200 and not CreditNote.objects.exists()  # previewed again
    client.post(url, {**data, "confirmed": preview.context["confirmation"]})
    assert CreditNote.objects.get().total == D("172.50")


def test_the_credit_note_list_filters_and_searches(client, finance, vat, issued):
    other = issue(finance, gb_account(name="Umbrella"))
    mine = issue_credit_note(invoice=issued, by=finance, reason="goodwill", amount="1.00", on=ON)
    theirs = issue_credit_note(invoice=other, by=finance, reason="duplicate", whole=True, on=ON)
    login(client, finance)
    url = reverse("billing_documents:credit_notes")
    body = client.get(url, {"reason": "duplicate"}).content.decode()
    assert theirs.number in body and mine.number not in body
    body = client.get(url, {"q": "Umbrella"}).content.decode()
    assert theirs.number in body and mine.number not in body


def test_the_credit_note_list_reads_in_constant_queries(client, finance, issued,
                                                        django_assert_max_num_queries):
    login(client, finance)
    url = reverse("billing_documents:credit_notes")
    issue_credit_note(invoice=issued, by=finance, reason="goodwill", amount="1.00", on=ON)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(10):
        issue_credit_note(invoice=issued, by=finance, reason="goodwill", amount="1.00", on=ON)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


def test_a_bad_usage_file_is_shown_back_with_its_lines_and_imports_nothing(client, finance):
    ProductFactory(sku="API", kind=ProductKind.USAGE, revenue_rule=RevenueRule.AS_BILLED)
    login(client, finance)
    upload = SimpleUploadedFile("u.csv", b"account,sku,quantity,timestamp,idempotency_key\n"
                                         b"404404,API,1,2026-11-01T00:00:00Z,k\n")
    response = client.post(reverse("billing_documents:usage_import"), {"file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported" in body and "Line 2: unknown account &#x27;404404&#x27;" in body
    assert not UsageRecord.objects.exists()


def test_a_good_usage_file_is_imported_and_a_repeat_adds_nothing(client, finance):
    ProductFactory(sku="API", kind=ProductKind.USAGE, revenue_rule=RevenueRule.AS_BILLED)
    account = gb_account()
    content = (f"account,sku,quantity,timestamp,idempotency_key\n"
               f"{account.pk},API,5,2026-11-01T00:00:00Z,k1\n").encode()
    login(client, finance)
    url = reverse("billing_documents:usage_import")
    response = client.post(url, {"file": SimpleUploadedFile("u.csv", content)})
    assert response.status_code == 302 and "Imported 1 usage record" in messages_of(response)[0]
    response = client.post(url, {"file": SimpleUploadedFile("u.csv", content)})
    assert "nothing added" in messages_of(response)[-1] and UsageRecord.objects.count() == 1


def _xlsx(rows) -> bytes:
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_both_upload_pages_take_an_xlsx_workbook(client, finance):
    ProductFactory(sku="API", kind=ProductKind.USAGE, revenue_rule=RevenueRule.AS_BILLED)
    account = gb_account(name="Acme")
    login(client, finance)
    usage = _xlsx([["account", "sku", "quantity", "timestamp", "idempotency_key"],
                   [account.pk, "API", 5, "2026-11-01T00:00:00Z", "x1"]])
    response = client.post(reverse("billing_documents:usage_import"),
                           {"file": SimpleUploadedFile("u.xlsx", usage)})
    assert response.status_code == 302 and "Imported 1 usage record" in messages_of(response)[0]
    balances = _xlsx([["number", "account", "currency", "issue_date", "due_date", "amount"],
                      ["OLD-9", "Acme", "USD", "2026-09-01", "2026-10-01", 80]])
    response = client.post(reverse("billing_documents:opening_balances"),
                           {"file": SimpleUploadedFile("ob.xlsx", balances)})
    assert response.status_code == 302
    assert Invoice.objects.get(kind=InvoiceKind.MIGRATED).number == "OLD-9"


def test_opening_balances_page_imports_and_lists_the_migrated_invoices(client, finance):
    gb_account(name="Acme")
    login(client, finance)
    url = reverse("billing_documents:opening_balances")
    content = (b"number,account,currency,issue_date,due_date,amount\n"
               b"OLD-1,Acme,USD,2026-09-01,2026-10-01,80.00\n")
    response = client.post(url, {"file": SimpleUploadedFile("ob.csv", content)})
    assert response.status_code == 302
    assert messages_of(response) == ["Imported 1 open invoice (80.00 USD)."]
    assert "OLD-1" in client.get(url).content.decode()
    bad = content + b"OLD-2,Nobody,USD,2026-09-01,2026-10-01,80.00\n"
    response = client.post(url, {"file": SimpleUploadedFile("ob.csv", bad)})
    assert response.status_code == 400 and "Line 3: unknown account" in response.content.decode()
    assert Invoice.objects.filter(kind=InvoiceKind.MIGRATED).count() == 1


def test_the_tax_report_page_and_its_export(client, accountant, issued):
    login(client, accountant)
    body = client.get(reverse("billing_documents:tax_report")).content.decode()
    assert "VAT 20%" in body and "GB" in body
    response = client.get(reverse("billing_documents:tax_report_export"),
                          {"start": "2026-11-01", "end": "2026-11-30"})
    assert response["Content-Type"] == "text/csv"
    assert "USD,GB,,VAT,20,100.00,20.00" in response.content.decode()
    response = client.get(reverse("billing_documents:tax_report"),
                          {"start": "2026-11-30", "end": "2026-11-01"})
    assert response.status_code == 400


def test_the_credit_note_page_reads_in_the_same_queries_for_1_and_10_lines(client, finance,
                                                                          vat, issued):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = issue_credit_note(invoice=issued, by=finance, reason="goodwill",
                              line_amounts={issued.lines.get(position=1).pk: "1.00"}, on=ON)
    big_invoice = issue(finance, gb_account(), charges=[(f"Line {n}", "10.00", "")
                                                        for n in range(10)])
    big = issue_credit_note(invoice=big_invoice, by=finance, reason="goodwill", whole=True,
                            on=ON)
    login(client, finance)
    client.get(reverse("billing_documents:credit_note", args=[small.pk]))  # warm caches
    counts = []
    for note in (small, big):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("billing_documents:credit_note", args=[note.pk]))
        assert response.status_code == 200
        counts.append(len(queries.captured_queries))
    assert big.lines.count() == 10 and counts[0] == counts[1]
