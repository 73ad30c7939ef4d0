"""Issuing moves a due date off a weekend when the setting says so (catalog.due_schedule does
the moving; catalog.policies reads the setting)."""

from datetime import date
from decimal import Decimal as D

import pytest

from billing.services import drafts
from billing.services.issuing import issue_invoice
from tests.customers.factories import AccountFactory, terms

pytestmark = pytest.mark.django_db
ON = date(2026, 12, 1)  # net 60 falls on Saturday 30 January 2027


def net_60_invoice(finance):
    invoice = drafts.create_manual_invoice(
        account=AccountFactory(payment_terms=terms("net-60")), by=finance)
    drafts.add_manual_charge(invoice=invoice, by=finance, description="Extra",
                             quantity=D(1), unit_price=D("10.00"), on=ON)
    return issue_invoice(invoice=invoice, by=finance, on=ON)


def test_a_due_date_on_a_saturday_moves_to_monday_when_the_setting_says_so(finance, settings):
    settings.DUE_DATES_ON_BUSINESS_DAYS = True
    invoice = net_60_invoice(finance)
    assert invoice.due_on == date(2027, 2, 1)
    assert [i.due_on for i in invoice.instalments.all()] == [date(2027, 2, 1)]


def test_without_the_setting_the_calendar_date_stands(finance, settings):
    settings.DUE_DATES_ON_BUSINESS_DAYS = False
    assert net_60_invoice(finance).due_on == date(2027, 1, 30)
