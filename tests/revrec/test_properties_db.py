"""Property on the database (hypothesis.extra.django.TestCase, the `ci` profile): a contract
billed for some months and then terminated on any day of its term; revrec's transaction price
is then Σ of the schedule rows in force, and the seats' revenue schedule gives up exactly what
the schedule credits and no longer charges, so nothing is left to stay in deferred revenue.

The contract (tests.contracts.factories): 1 December 2026 to 30 November 2027, 5 seats billed
monthly at 15% off (1,530.00, allocated its own price: the discount is the seats') and the
onboarding (5,000.00), built once through the services; each example runs in its own
transaction, rolled back after it.
"""

from datetime import date
from decimal import Decimal as D

import time_machine
from django.db.models import Sum
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from billing.models import Invoice, InvoiceState
from billing.services.issuing import issue_invoices
from billing.services.runs import create_invoice_run
from contracts.services.schedules import charges_in_force
from contracts.services.termination import terminate_contract
from core.dates import add_months
from core.money import round_money
from core.roles import Role
from revrec.models import PerformanceObligation, RevenueContract, ScheduleLine
from revrec.services import create_revenue_contracts
from tests.conftest import TEST_DAY, make_user
from tests.revrec.factories import START, active_contract, revenue_contract_of, system


def total(rows):
    return round_money(rows.aggregate(total=Sum("amount"))["total"] or D(0), "USD")


class TerminationAtAnyDay(TestCase):
    @classmethod
    def setUpTestData(cls):
        with time_machine.travel(TEST_DAY, tick=True):
            cls.finance = make_user("finance", Role.FINANCE)
            rep = make_user("rep_a", Role.SALES_REP,
                            manager=make_user("manager_a", Role.SALES_MANAGER))
            cls.contract = active_contract(rep, by=cls.finance)
            cls.rc = revenue_contract_of(cls.contract)

    @given(months_billed=st.integers(0, 11), effective=st.dates(date(2026, 12, 2),
                                                                  date(2027, 11, 30)))
    def test_the_price_moves_by_exactly_the_rows_the_termination_made(self, months_billed,
                                                                       effective):
        # given: the seats billed for `months_billed` months (each run as of its first day)
        for n in range(months_billed):
            with self.captureOnCommitCallbacks(execute=True):
                create_invoice_run(by=self.finance, as_of=add_months(START, n),
                                   accounts=[self.contract.account])
        drafts = list(Invoice.objects.filter(account=self.contract.account,
                                             state=InvoiceState.DRAFT))
        if drafts:
            issue_invoices(invoices=drafts, by=self.finance, on=add_months(START, months_billed))

        # when: terminated from `effective`
        terminate_contract(contract=self.contract, by=self.finance, effective_on=effective,
                           reason="Customer left", on=max(effective, START))
        create_revenue_contracts(by=system(), on=max(effective, START))

        # then
        rc = RevenueContract.objects.get(pk=self.rc.pk)
        lines = self.contract.lines.all()
        assert rc.transaction_price == total(charges_in_force(lines))
        seats = PerformanceObligation.objects.get(revenue_contract=rc,
                                                  product__sku="SEAT-USER")
        recognized = total(ScheduleLine.objects.filter(obligation=seats))
        assert recognized == total(charges_in_force(lines.filter(product__sku="SEAT-USER")))
        assert seats.ended_on == effective
