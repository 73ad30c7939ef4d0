"""Opening balances: open invoices of the previous system, imported whole or not at all."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from billing.models import Invoice, InvoiceKind, InvoiceState
from billing.services.opening_balances import import_opening_balances
from core.transitions import history_for
from ledger.models import ExchangeRate, JournalEntry
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db

HEADER = "number,account,currency,issue_date,due_date,amount\n"
ON = date(2026, 11, 23)


def test_open_invoices_keep_their_numbers_and_post_receivable_against_opening_balances(finance):
    acme, globex = AccountFactory(name="Acme"), AccountFactory(name="Globex")
    ExchangeRate.objects.create(currency="EUR", valid_on=date(2026, 1, 1), rate=D("1.10"))
    content = (HEADER + f"OLD-1001,Acme,USD,2026-09-01,2026-10-01,1200.50\n"
                        f"OLD-1002,{globex.pk},EUR,2026-10-15,2026-11-14,100.00\n").encode()

    result = import_opening_balances(content=content, by=finance, on=ON)

    assert result.totals == {"USD": D("1200.50"), "EUR": D("100.00")}
    old, eur = Invoice.objects.get(number="OLD-1001"), Invoice.objects.get(number="OLD-1002")
    assert (old.kind, old.state, old.account, old.amount_due) == (
        InvoiceKind.MIGRATED, InvoiceState.ISSUED, acme, D("1200.50"))
    assert (old.issue_on, old.due_on, old.instalments.get().amount) == (
        date(2026, 9, 1), date(2026, 10, 1), D("1200.50"))
    assert [h.target for h in history_for(old)] == ["issued"]
    entry = JournalEntry.objects.get(pk=eur.journal_entry_id)
    lines = {line.gl_account.code: line for line in entry.lines.all()}
    assert lines["1100"].debit == D("110.00") and lines["3000"].credit == D("110.00")
    assert (lines["1100"].customer_account_id, lines["1100"].document_amount,
            lines["1100"].rate) == (globex.pk, D("100.00"), D("1.10"))


def test_a_file_with_any_bad_row_is_refused_whole_with_line_numbers(finance):
    AccountFactory(name="Acme")
    AccountFactory(name="Twin")
    AccountFactory(name="Twin")
    content = (HEADER + "OLD-1,Acme,USD,2026-09-01,2026-10-01,10.00\n"
                        "OLD-2,Nobody,USD,2026-09-01,2026-10-01,10.00\n"
                        "OLD-3,Acme,XXX,2026-09-01,2026-08-01,-4\n"
                        "OLD-1,Twin,USD,2026-09-01,2026-10-01,10.001\n"
                        "OLD-5,Acme,GBP,2026-09-01,2026-10-01,10.00\n").encode()

    with pytest.raises(ValidationError) as caught:
        import_opening_balances(content=content, by=finance, on=ON)

    assert caught.value.messages == [
        "Line 4: unknown currency 'XXX' (known: AUD, CAD, CHF, EUR, GBP, JPY, KWD, USD); "
        "the amount -4 must be positive; the due date 2026-08-01 is before the issue date "
        "2026-09-01.",
        "Line 5: the amount 10.001 has more than 2 decimal places.",
    ]
    assert not Invoice.objects.exists() and not JournalEntry.objects.exists()

    content = (HEADER + "OLD-1,Acme,USD,2026-09-01,2026-10-01,10.00\n"
                        "OLD-2,Nobody,USD,2026-09-01,2026-10-01,10.00\n"
                        "OLD-1,Twin,USD,2026-09-01,2026-10-01,10.00\n"
                        "OLD-5,Acme,GBP,2026-09-01,2026-10-01,10.00\n").encode()
    with pytest.raises(ValidationError) as caught:
        import_opening_balances(content=content, by=finance, on=ON)
    assert caught.value.messages == [
        "Line 3: unknown account 'Nobody'.",
        "Line 4: account 'Twin' names more than one account; use its id; invoice number OLD-1 "
        "is already on line 2.",
        "Line 5: No exchange rate for GBP on or before 2026-09-01; add or import one on the "
        "Exchange rates page.",
    ]
    assert not Invoice.objects.exists() and not JournalEntry.objects.exists()


def test_importing_the_same_file_twice_is_refused_the_second_time(finance):
    AccountFactory(name="Acme")
    content = (HEADER + "OLD-1,Acme,USD,2026-09-01,2026-10-01,10.00\n").encode()
    import_opening_balances(content=content, by=finance, on=ON)
    with pytest.raises(ValidationError, match="Line 2: invoice number OLD-1 already exists"):
        import_opening_balances(content=content, by=finance, on=ON)
    assert Invoice.objects.count() == 1


def test_only_finance_imports_opening_balances(sales_rep, sales_manager, accountant):
    AccountFactory(name="Acme")
    content = (HEADER + "OLD-1,Acme,USD,2026-09-01,2026-10-01,10.00\n").encode()
    for user in (sales_rep, sales_manager, accountant):
        with pytest.raises(PermissionDenied):
            import_opening_balances(content=content, by=user, on=ON)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("number", ["INV-2026-000001", "inv-2027-000545", "CN-2026-000003"])
def test_an_opening_balance_numbered_like_our_own_series_is_refused_at_its_line(finance, number):
    AccountFactory(name="Acme")
    content = (HEADER + "OLD-1,Acme,USD,2026-09-01,2026-10-01,10.00\n"
                        f"{number},Acme,USD,2026-09-01,2026-10-01,10.00\n").encode()

    with pytest.raises(ValidationError) as caught:
        import_opening_balances(content=content, by=finance, on=ON)

    assert caught.value.messages == [
        f"Line 3: the number {number} has the shape of this system's own invoice and credit "
        "note numbers (INV-YYYY-NNNNNN, CN-YYYY-NNNNNN); keep the previous system's numbers "
        f"apart with a prefix of their own, such as OLD-{number}."]
    assert not Invoice.objects.exists()


def test_issuing_passes_over_a_number_an_earlier_opening_balance_already_holds(finance):
    # given an opening balance imported (before the rule above) as the next invoice number
    from billing.services import drafts
    from billing.services.issuing import issue_invoice
    from tests.billing.factories import issued_invoice_row

    migrated = issued_invoice_row()
    Invoice.objects.filter(pk=migrated.pk).update(number="INV-2026-000001",
                                                  kind=InvoiceKind.MIGRATED)
    draft = drafts.create_manual_invoice(account=AccountFactory(), by=finance)
    drafts.add_manual_charge(invoice=draft, by=finance, description="Setup", quantity=D(1),
                             unit_price=D("5.00"), on=ON)

    # when a draft is issued
    issued = issue_invoice(invoice=draft, by=finance, on=ON)

    # then it takes the next free number instead of colliding
    assert issued.number == "INV-2026-000002" and issued.state == InvoiceState.ISSUED
