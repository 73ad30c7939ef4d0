"""The payments pages: who may open them, the finance actions with their messages, the
statement import refused whole, and query counts that do not grow with the rows."""

from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from billing.models import InvoiceState
from payments.models import Payment, PaymentState, StatementImport
from payments.services import Application, record_payment
from tests.conftest import PASSWORD
from tests.payments.factories import ON, account, issued_invoice

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


PAGES = {  # URL name: expected status for anonymous, catalog admin, rep, manager, finance, acct
    "payments:list": (302, 403, 200, 200, 200, 200),
    "payments:aging": (302, 403, 200, 200, 200, 200),
    "payments:aging_csv": (302, 403, 200, 200, 200, 200),
    "payments:record": (302, 403, 403, 403, 200, 403),
    "payments:statement_import": (302, 403, 403, 403, 200, 403),
    "payments:dunning": (302, 403, 403, 403, 200, 200),
}
ROLES = ("anonymous", "catalog_admin", "sales_rep", "sales_manager", "finance", "accountant")


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role(client, role_users, name, role):
    if role != "anonymous":
        login(client, role_users[role])
    assert client.get(reverse(name)).status_code == PAGES[name][ROLES.index(role)]


def test_reps_see_only_their_accounts_payments(client, finance, sales_rep, other_rep):
    mine = record_payment(account=account(owner=sales_rep), method="check", amount=D("10.00"),
                          currency="USD", received_on=ON, by=finance, reference="mine-ref")
    theirs = record_payment(account=account(owner=other_rep), method="check",
                            amount=D("11.00"), currency="USD", received_on=ON, by=finance,
                            reference="their-ref")
    login(client, sales_rep)
    body = client.get(reverse("payments:list")).content.decode()
    assert "mine-ref" in body and "their-ref" not in body
    assert client.get(reverse("payments:detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("payments:detail", args=[theirs.pk])).status_code == 404


def test_the_list_filters_and_searches(client, finance):
    customer = account()
    record_payment(account=customer, method="check", amount=D("10.00"), currency="USD",
                   received_on=ON, by=finance, reference="alpha")
    record_payment(account=customer, method="wire", amount=D("12.00"), currency="USD",
                   received_on=ON, by=finance, reference="beta")
    login(client, finance)
    body = client.get(reverse("payments:list"), {"method": "wire"}).content.decode()
    assert "beta" in body and "alpha" not in body
    body = client.get(reverse("payments:list"), {"q": "alp"}).content.decode()
    assert "alpha" in body and "beta" not in body


def test_finance_records_a_transfer_and_applies_it_across_two_invoices(client, finance):
    # given
    customer = account()
    first, second = issued_invoice(account_=customer), issued_invoice(account_=customer,
                                                                      net=D("40.00"))
    login(client, finance)
    # when: recorded
    response = client.post(reverse("payments:record"), {
        "account": customer.pk, "method": "bank_transfer", "amount": "140.00",
        "currency": "usd", "received_on": ON.isoformat(), "reference": "March invoices"})
    payment = Payment.objects.get()
    assert response.url == reverse("payments:allocate", args=[payment.pk])
    form = client.get(response.url).content.decode()
    assert f'name="invoice_{first.pk}"' in form and 'value="100.00' in form
    # when: applied
    response = client.post(response.url, {f"invoice_{first.pk}": "100.00",
                                          f"invoice_{second.pk}": "40.00"}, follow=True)
    # then
    first.refresh_from_db(), second.refresh_from_db()
    assert first.state == InvoiceState.PAID and second.state == InvoiceState.PAID
    assert "applied; $0.00 left as credit balance" in messages_of(response)[0]


def test_an_over_application_comes_back_on_the_form(client, finance):
    customer = account()
    invoice = issued_invoice(account_=customer)
    payment = record_payment(account=customer, method="check", amount=D("500.00"),
                             currency="USD", received_on=ON, by=finance)
    login(client, finance)
    response = client.post(reverse("payments:allocate", args=[payment.pk]),
                           {f"invoice_{invoice.pk}": "150.00"})
    assert response.status_code == 400
    assert "more than the 100.00 due" in response.content.decode()


def test_finance_refunds_from_the_detail_page(client, finance):
    customer = account()
    invoice = issued_invoice(account_=customer)
    payment = record_payment(account=customer, method="check", amount=D("100.00"),
                             currency="USD", received_on=ON, by=finance,
                             applications=[Application(invoice.pk, D("100.00"))])
    login(client, finance)
    detail = client.get(reverse("payments:detail", args=[payment.pk])).content.decode()
    assert reverse("payments:refund", args=[payment.pk]) in detail
    response = client.post(reverse("payments:refund", args=[payment.pk]),
                           {"amount": "25.00", "reason": "Goodwill"}, follow=True)
    payment.refresh_from_db()
    assert payment.state == PaymentState.PARTIALLY_REFUNDED
    assert "Refund of 25.00" in messages_of(response)[0]
    assert "Partially refunded" in response.content.decode()  # the timeline


def test_an_accountant_sees_no_actions_and_cannot_post_them(client, finance, accountant):
    payment = record_payment(account=account(), method="check", amount=D("10.00"),
                             currency="USD", received_on=ON, by=finance)
    login(client, accountant)
    detail = client.get(reverse("payments:detail", args=[payment.pk])).content.decode()
    assert reverse("payments:refund", args=[payment.pk]) not in detail
    assert client.post(reverse("payments:refund", args=[payment.pk]),
                       {"amount": "1.00", "reason": "x"}).status_code == 403


STATEMENT = ("date,amount,currency,reference,payer\n"
             "2026-11-20,100.00,USD,Payment {number},\n"
             "2026-11-21,-12.00,USD,Bank fee,\n"
             "2026-11-21,33.30,USD,no idea,\n")


def test_a_statement_proposes_matches_that_finance_confirms(client, finance):
    # given
    invoice = issued_invoice()
    login(client, finance)
    upload = SimpleUploadedFile("nov.csv", STATEMENT.format(number=invoice.number).encode())
    # when
    response = client.post(reverse("payments:statement_import"), {"file": upload})
    statement = StatementImport.objects.get()
    lines = list(statement.lines.order_by("line_number"))
    # then: the fee is left out; the number matches; the unknown line has no account
    assert [line.line_number for line in lines] == [2, 4]
    assert lines[0].suggested_invoice == invoice and lines[1].account is None
    page = client.get(reverse("payments:statement_confirm", args=[statement.pk])).content
    by_hand = reverse("payments:record") + "?method=bank_transfer&amp;amount=33.3000"
    assert by_hand in page.decode()
    form = client.get(reverse("payments:record"), {"amount": "33.30", "currency": "USD",
                                                   "reference": "no idea"}).content.decode()
    assert 'value="33.30"' in form and 'value="no idea"' in form
    response = client.post(reverse("payments:statement_confirm", args=[statement.pk]),
                           {"line": [lines[0].pk]}, follow=True)
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.PAID
    assert messages_of(response)[-1] == "1 payment recorded and applied."


def test_a_bad_statement_is_refused_whole_with_line_numbers(client, finance):
    invoice = issued_invoice()
    login(client, finance)
    bad = ("date,amount,currency,reference\n"
           f"2026-11-20,100.00,USD,{invoice.number}\n"
           "20/11/2026,5.00,USD,x\n"
           "2026-11-21,abc,USD,y\n"
           "2026-11-21,1.005,USD,z\n"
           "2026-11-21,0,US,w\n")
    response = client.post(reverse("payments:statement_import"),
                           {"file": SimpleUploadedFile("bad.csv", bad.encode())})
    body = response.content.decode()
    assert response.status_code == 400
    for expected in ("Line 3: the date &#x27;20/11/2026&#x27; is not a date like 2026-01-31.",
                     "Line 4: the amount &#x27;abc&#x27; is not a number.",
                     "Line 5: the amount 1.005 has more than 2 decimal places.",
                     "Line 6: unknown currency &#x27;US&#x27; (known: AUD, CAD, CHF, EUR"):
        assert expected in body
    assert not StatementImport.objects.exists() and not Payment.objects.exists()


def test_a_statement_without_the_columns_is_refused(client, finance):
    login(client, finance)
    response = client.post(reverse("payments:statement_import"), {
        "file": SimpleUploadedFile("x.csv", b"when,how much\n2026-01-01,5\n")})
    assert ("Line 1: the header needs the columns date, amount, currency, reference; missing "
            "date, amount, currency, reference.") in response.content.decode()


def _payments(finance, count):
    customer = account()
    for n in range(count):
        invoice = issued_invoice(account_=customer, net=D("10.00"))
        record_payment(account=customer, method="check", amount=D("10.00"), currency="USD",
                       received_on=ON, by=finance, reference=f"r{n}",
                       applications=[Application(invoice.pk, D("10.00"))])
    return customer


@pytest.mark.parametrize("name", ["payments:list", "payments:aging"])
def test_list_and_aging_queries_do_not_grow_with_rows(client, finance, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, finance)
    _payments(finance, 1)
    issued_invoice()
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(name))
    _payments(finance, 6)
    for _ in range(5):
        issued_invoice()
    with CaptureQueriesContext(connection) as many:
        client.get(reverse(name))
    assert len(many) == len(few)


def test_the_detail_page_queries_do_not_grow_with_allocations(client, finance):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, finance)
    counts = []
    for size in (1, 5):
        customer = account()
        invoices = [issued_invoice(account_=customer, net=D("10.00")) for _ in range(size)]
        payment = record_payment(
            account=customer, method="check", amount=D("10.00") * size, currency="USD",
            received_on=ON, by=finance,
            applications=[Application(i.pk, D("10.00")) for i in invoices])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("payments:detail", args=[payment.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_finance_writes_off_an_invoice_from_its_page(client, finance, sales_rep):
    invoice = issued_invoice()
    login(client, sales_rep)
    assert client.get(reverse("payments:write_off", args=[invoice.pk])).status_code == 403
    login(client, finance)
    response = client.post(reverse("payments:write_off", args=[invoice.pk]), {"note": ""})
    assert response.status_code == 400 and "This field is required" in \
        response.content.decode()
    response = client.post(reverse("payments:write_off", args=[invoice.pk]),
                           {"note": "Customer insolvent"}, follow=True)
    invoice.refresh_from_db()
    assert invoice.state == InvoiceState.UNCOLLECTIBLE
    assert "written off: $100.00" in messages_of(response)[0]


def test_the_pay_link_page_gives_the_customer_link(client, finance):
    invoice = issued_invoice()
    login(client, finance)
    body = client.get(reverse("payments:pay_link", args=[invoice.pk])).content.decode()
    assert "/pay/" in body and invoice.number in body


def test_the_list_narrows_to_one_account_for_the_account_page(client, finance):
    customer, other = account(), account()
    record_payment(account=customer, method="check", amount=D("10.00"), currency="USD",
                   received_on=ON, by=finance, reference="keep-me")
    record_payment(account=other, method="check", amount=D("10.00"), currency="USD",
                   received_on=ON, by=finance, reference="hide-me")
    login(client, finance)
    body = client.get(reverse("payments:list"), {"account": customer.pk}).content.decode()
    assert "keep-me" in body and "hide-me" not in body


def test_the_admin_refuses_a_policy_with_two_steps_of_one_key(client, finance):
    from payments.models import DunningPolicy

    finance.is_superuser = True
    finance.save()
    login(client, finance)
    response = client.post(reverse("admin:payments_dunningpolicy_add"), {
        "name": "Broken", "grace_days": "0", "minimum_overdue": "0",
        "minimum_days_between": "0", "interest": "none", "interest_margin": "8",
        "interest_day_count": "act/365",
        "thresholds-TOTAL_FORMS": "0", "thresholds-INITIAL_FORMS": "0",
        "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "0",
        "steps-0-key": "a", "steps-0-days": "5", "steps-0-action": "remind",
        "steps-0-fee_fixed": "0", "steps-0-fee_percent": "0",
        "steps-1-key": "a", "steps-1-days": "10", "steps-1-action": "suspend",
        "steps-1-fee_fixed": "0", "steps-1-fee_percent": "0"})
    assert "Please correct the duplicate data for key." in response.content.decode()
    assert not DunningPolicy.objects.filter(name="Broken").exists()


def test_the_autopay_task_reports_what_it_did():
    from core.actors import Actor
    from payments.services import save_card
    from payments.tasks import run_autopay_task
    from tests.payments.factories import card_token

    customer = account()
    save_card(account=customer, token=card_token(), by=Actor.task("tests"))
    issued_invoice(account_=customer)
    assert run_autopay_task.delay().get() == {"settled": 0, "charged": 1, "succeeded": 1,
                                              "failed": 0, "pending": 0}


def test_the_apply_form_shows_a_live_total_without_saving(client, finance):
    customer = account()
    invoice = issued_invoice(account_=customer)
    payment = record_payment(account=customer, method="check", amount=D("150.00"),
                             currency="USD", received_on=ON, by=finance)
    login(client, finance)
    url = reverse("payments:allocate", args=[payment.pk])
    page = client.get(url).content.decode()
    assert "Applying $100.00 · $50.00 left as credit balance" in page
    partial = client.get(url, {"preview": "1", f"invoice_{invoice.pk}": "60.00"},
                         HTTP_HX_REQUEST="true").content.decode()
    assert partial.strip().startswith('<p id="allocation-summary"')
    assert "Applying $60.00 · $90.00 left as credit balance" in partial
    assert not payment.allocations.exists()


OBJECT_PAGES = {  # URL name: status for catalog admin, owning rep, manager, finance, accountant
    "payments:detail": (403, 200, 200, 200, 200),
    "payments:allocate": (403, 403, 403, 200, 403),
    "payments:pay_link": (403, 200, 200, 200, 200),  # a rep sends their customer the link
    "payments:write_off": (403, 403, 403, 200, 403),
}


@pytest.mark.parametrize("name", OBJECT_PAGES)
@pytest.mark.parametrize("role", ROLES[1:])
def test_object_pages_by_role(client, role_users, finance, name, role):
    customer = account(owner=role_users["sales_rep"])
    invoice = issued_invoice(account_=customer)
    payment = record_payment(account=customer, method="check", amount=D("10.00"),
                             currency="USD", received_on=ON, by=finance)
    pk = invoice.pk if name in ("payments:pay_link", "payments:write_off") else payment.pk
    login(client, role_users[role])
    expected = OBJECT_PAGES[name][ROLES.index(role) - 1]
    assert client.get(reverse(name, args=[pk])).status_code == expected


def test_the_detail_page_links_every_journal_entry_of_the_payment(client, finance):
    customer = account()
    invoice = issued_invoice(account_=customer)
    payment = record_payment(account=customer, method="check", amount=D("120.00"),
                             currency="USD", received_on=ON, by=finance,
                             applications=[Application(invoice.pk, D("100.00"))])
    from payments.services import refund_payment

    refund = refund_payment(payment=payment, amount=D("20.00"), reason="Overpaid", by=finance)
    login(client, finance)
    body = client.get(reverse("payments:detail", args=[payment.pk])).content.decode()
    for entry_id in (payment.receipt_entry_id, refund.journal_entry_id):
        assert reverse("ledger:entry", args=[entry_id]) in body
