"""The close ties the unbilled receivable (issue 15: "unbilled = unbilled receivable"): what
revenue recognition says is recognized and not yet invoiced (each revenue contract's contract
asset as its latest run left it, and interest accrued in arrears) against the general ledger's
unbilled receivable (contract asset), per customer account and currency; a difference names the
account, its revenue contracts and the entries no revenue contract made, and blocks the close.

The example (tests.revrec.test_services): December's seats billed (127.50) and the onboarding
delivered but not billed: 129.95 + 5,000.00 recognized, 5,002.45 recognized ahead of billing
(IFRS 15.107: a contract asset until the right to consideration is unconditional)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from ledger import chart
from ledger.services import EntryDraft, LineDraft, post_entry
from revrec.checklist import close_checklist
from revrec.services.closing import close_period
from tests.revrec.factories import active_contract, invoice_lines, revenue_contract_of, system
from tests.revrec.test_material_rights import run

pytestmark = pytest.mark.django_db
DEC = date(2026, 12, 1)


def checks(month=DEC):
    return {check.key: check for check in close_checklist(month)}


@pytest.fixture
def recognized_ahead(sales_rep, finance, accountant, django_capture_on_commit_callbacks):
    contract = active_contract(sales_rep, by=finance)
    rc = revenue_contract_of(contract)
    seats = contract.lines.get(product__sku="SEAT-USER")
    invoice_lines(contract.account, [(seats, D("127.50"))], issue_on=DEC)
    run(DEC, accountant, django_capture_on_commit_callbacks)
    return rc


def test_the_contract_asset_agrees_with_the_unbilled_receivable(recognized_ahead):
    check = checks()["unbilled"]

    assert check.done, check.detail
    assert check.label == "Unbilled receivable agrees with the ledger"


def test_an_unbilled_receivable_moved_by_hand_blocks_the_close_and_names_it(
        recognized_ahead, accountant):
    # given: 2.45 of the contract asset moved to deferred revenue by hand; the net contract
    # balance (and so the roll-forward and the disclosures) does not move
    rc = recognized_ahead
    entry = post_entry(EntryDraft(document_date=date(2026, 12, 31), memo="Tidy the asset",
                                  lines=[
        LineDraft(chart.DEFERRED_REVENUE, debit="2.45", customer_account_id=rc.account_id),
        LineDraft(chart.UNBILLED_RECEIVABLE, credit="2.45", customer_account_id=rc.account_id),
    ]), by=system())

    # when
    found = checks()

    # then
    assert found["disclosures"].done and found["receivables"].done
    assert not found["unbilled"].done
    assert found["unbilled"].detail == (
        f"{rc.account.name} USD: ledger 5000.00, recognized not yet billed 5002.45 "
        f"(revenue contracts {rc.number} 5002.45; entries outside revenue recognition "
        f"{entry.reference})")
    with pytest.raises(ValidationError, match="Unbilled receivable agrees with the ledger"):
        close_period(month=DEC, by=accountant)
