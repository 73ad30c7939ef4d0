"""Bank statements are imported once: the same file twice is refused before anything is
stored, and a line already recorded from another statement is flagged and never paid twice."""

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.models import InvoiceState
from payments.models import Payment, StatementImport
from payments.services import confirm_statement_lines, import_statement
from tests.payments.factories import account, issued_invoice

pytestmark = pytest.mark.django_db

LINE = "2026-11-20,3000.00,USD,Payment {number},Stark Aerospace\n"
HEADER = "date,amount,currency,reference,payer\n"


@pytest.fixture
def invoice():
    return issued_invoice(account_=account(name="Stark Aerospace"), net=3000)


def _import(content: str, finance, name="dec.csv"):
    return import_statement(file=BytesIO(content.encode()), filename=name, by=finance)


def test_the_same_statement_uploaded_twice_is_refused_and_pays_once(finance, invoice):
    content = HEADER + LINE.format(number=invoice.number)
    first = _import(content, finance)
    confirm_statement_lines(statement=first, line_ids=[first.lines.get().pk], by=finance)

    with pytest.raises(ValidationError, match=r"This statement was already imported on "
                                              r"\d{4}-\d\d-\d\d as dec.csv; nothing was read "
                                              r"again"):
        _import(content, finance, name="dec (1).csv")

    assert StatementImport.objects.count() == 1 and Payment.objects.count() == 1


def test_a_line_already_recorded_from_another_statement_is_flagged_and_not_paid_again(
        finance, invoice):
    # given the line was recorded from the first statement
    first = _import(HEADER + LINE.format(number=invoice.number), finance)
    confirm_statement_lines(statement=first, line_ids=[first.lines.get().pk], by=finance)
    # when a later statement (a different file) carries the same line and a new one
    second = _import(HEADER + LINE.format(number=invoice.number.lower())
                     + "2026-11-21,50.00,USD,Top up,Stark Aerospace\n", finance, name="dec2.csv")
    repeat, new = second.lines.order_by("line_number")
    # then the repeat names the earlier line, and confirming it records nothing
    assert repeat.repeat_of == first.lines.get() and new.repeat_of is None
    with pytest.raises(ValidationError, match=r"Line 2 repeats line 2 of dec.csv, already "
                                              r"recorded as PAY-\d{6}"):
        confirm_statement_lines(statement=second, line_ids=[repeat.pk, new.pk], by=finance)
    assert Payment.objects.count() == 1
    assert confirm_statement_lines(statement=second, line_ids=[new.pk], by=finance) == 1


def test_the_statement_page_refuses_a_repeat_upload_with_the_reason(client, finance, invoice):
    client.force_login(finance)
    content = (HEADER + LINE.format(number=invoice.number)).encode()
    client.post(reverse("payments:statement_import"),
                {"file": SimpleUploadedFile("dec.csv", content)})
    first = StatementImport.objects.get()
    client.post(reverse("payments:statement_confirm", args=[first.pk]),
                {"line": [first.lines.get().pk]})

    again = client.post(reverse("payments:statement_import"),
                        {"file": SimpleUploadedFile("dec.csv", content)})

    assert again.status_code == 400
    assert "This statement was already imported on" in again.content.decode()
    assert StatementImport.objects.count() == 1 and Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID and invoice.amount_due == 0


def test_the_confirm_page_shows_a_repeat_without_a_box_to_tick(client, finance, invoice):
    first = _import(HEADER + LINE.format(number=invoice.number), finance)
    confirm_statement_lines(statement=first, line_ids=[first.lines.get().pk], by=finance)
    second = _import(HEADER + LINE.format(number=invoice.number) + "\n", finance, name="d2.csv")
    client.force_login(finance)

    page = client.get(reverse("payments:statement_confirm", args=[second.pk])).content.decode()

    assert "Already recorded from dec.csv line 2" in page
    assert f'value="{second.lines.get().pk}"' not in page


def test_a_payment_dated_in_a_closed_period_is_refused_at_the_field_with_the_reason(
        client, finance, accountant):
    from datetime import date

    from tests.ledger.factories import close_month

    close_month(date(2026, 10, 1), by=accountant)
    customer = account(name="Stark Aerospace")
    client.force_login(finance)

    response = client.post(reverse("payments:record"), {
        "account": customer.pk, "method": "bank_transfer", "amount": "10.00",
        "currency": "USD", "received_on": "2026-10-15", "reference": "late"})

    assert response.status_code in (200, 400)
    errors = response.context["form"].errors["received_on"]
    assert errors == ["October 2026 is closed: a payment dated 2026-10-15 would post in "
                      "November 2026. Date it in an open period, or ask an accountant to "
                      "reopen October 2026."]
    assert not Payment.objects.exists()


def test_a_statement_over_the_size_cap_is_refused_having_read_no_more_than_the_cap(finance):
    from payments.statement_file import MAX_BYTES

    file = BytesIO((HEADER + "2026-11-20,5.00,USD,x,\n").encode() + b"#" * (2 * MAX_BYTES))

    with pytest.raises(ValidationError, match="The file is larger than 2 MB"):
        import_statement(file=file, filename="big.csv", by=finance)

    assert file.tell() == MAX_BYTES + 1 and not StatementImport.objects.exists()
