"""One deal, one set of numbers (issue 13), as properties over generated deals on the database:
any start day, bill day 1-31, every billing period and alignment, USD, JPY and KWD, billed by
runs at any days, amended up or down, terminated, both (the end after the amendment) or
neither, on any day. For each: no run
fails, what the documents charge for each line is exactly what its schedule rows in force
charge, and the termination credit the contract shows is exactly what was credited."""

from datetime import date, timedelta
from decimal import Decimal as D

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from billing.models import BillingRecord, Invoice, InvoiceRunFailure, InvoiceState
from billing.services.issuing import issue_invoices
from billing.services.runs import create_invoice_run
from catalog.charge_schedule import Alignment
from contracts.models import ContractLine, ScheduleChange
from contracts.services import terminate_contract
from contracts.services.schedules import charges_in_force, end_lines, schedule_lines
from core.dates import add_months
from core.money import round_money
from core.roles import Role
from core.transitions import run_bulk_transition
from ledger.models import ExchangeRate
from tests.billing.factories import active_contract
from tests.conftest import make_user
from tests.customers.factories import AccountFactory

PERIODS = ["weekly", "monthly", "quarterly", "semi_annual", "annual", "term"]


@st.composite
def deals(draw):
    currency = draw(st.sampled_from(["USD", "JPY", "KWD"]))
    start = date(2026, 1, 1) + timedelta(days=draw(st.integers(min_value=0, max_value=730)))
    months = draw(st.integers(min_value=1, max_value=18))
    end = add_months(start, months) - timedelta(days=1)
    term_days = (end - start).days
    return {
        "currency": currency, "start": start, "end": end,
        "period": draw(st.sampled_from(PERIODS)),
        "alignment": draw(st.sampled_from(list(Alignment))),
        "bill_day": draw(st.integers(min_value=1, max_value=31)),
        "amount": round_money(draw(st.decimals(min_value=D(1), max_value=D(50000), places=3)),
                              currency),
        "first_run": start + timedelta(days=draw(st.integers(min_value=0,
                                                             max_value=term_days))),
        "terminate_after": draw(st.none() | st.integers(min_value=1, max_value=term_days)
                                if term_days >= 1 else st.none()),
        "amend_after": draw(st.none() | st.integers(min_value=1, max_value=term_days)
                            if term_days >= 1 else st.none()),
        "amend_factor": draw(st.sampled_from([D("0.5"), D("1.5"), D("3")])),
    }


class ChargeScheduleProperties(TestCase):
    @settings(max_examples=20, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(deals())
    def test_documents_charge_exactly_what_the_schedule_says(self, deal):
        ExchangeRate.objects.bulk_create([
            ExchangeRate(currency="JPY", valid_on=date(2025, 1, 1), rate=D("0.0067")),
            ExchangeRate(currency="KWD", valid_on=date(2025, 1, 1), rate=D("3.26"))])
        finance = make_user(f"fin-{deal['start']:%Y%m%d}-{deal['bill_day']}", Role.FINANCE)
        account = AccountFactory(bill_day=deal["bill_day"], currency=deal["currency"])
        contract = active_contract(
            account=account, start_on=deal["start"], end_on=deal["end"],
            currency=deal["currency"], lines=[{
                "billing_period": deal["period"], "amount": str(deal["amount"]),
                "alignment": deal["alignment"]}])
        line = contract.lines.get()

        def bill(as_of):
            self.run_and_issue(finance, as_of)

        # when a run bills what is due by some day, the contract may end early, and a last
        # run bills everything after the term
        bill(deal["first_run"])
        lines = [line]
        if deal["amend_after"] is not None:  # up or down, from any day: what an amendment
            effective = deal["start"] + timedelta(days=deal["amend_after"])  # stores
            lines.append(self.amend(contract, line, effective, deal["amend_factor"], finance))
            event("amended")
            bill(effective)
        termination = None
        # an amended contract may end too, on a day after its amendment
        after = deal["terminate_after"]
        if after is not None and deal["amend_after"] is not None:
            after = max(after, deal["amend_after"] + 1)
        if after is not None and after <= (deal["end"] - deal["start"]).days:
            effective = deal["start"] + timedelta(days=after)
            event("amended, then terminated" if deal["amend_after"] is not None
                  else "terminated")
            termination = terminate_contract(contract=contract, by=finance,
                                             effective_on=effective, reason="Property")
            bill(effective)
        bill(deal["end"] + timedelta(days=1))

        # then no run failed, nothing due is left unbilled, and the documents charge for the
        # line exactly what its schedule rows in force charge
        assert list(InvoiceRunFailure.objects.values_list("reason", flat=True)) == []
        for each in lines:
            rows = list(charges_in_force([each]))
            assert all(BillingRecord.objects.filter(scheduled_charge=row).exists()
                       for row in rows)
            scheduled = sum((row.amount for row in rows), D(0))
            invoiced = sum((r.invoice_line.amount for r in BillingRecord.objects.filter(
                contract_line=each, invoice_line__isnull=False).select_related("invoice_line")),
                D(0))
            credited = sum((r.amount for r in BillingRecord.objects.filter(
                contract_line=each, credit_note_line__isnull=False)), D(0))
            assert invoiced + credited == scheduled
        assert not Invoice.objects.filter(total__lt=0).exists()
        if termination is not None:
            credit_rows = termination.schedule_change.rows.filter(kind="credit")
            billed_credits = sum((r.amount for r in BillingRecord.objects.filter(
                scheduled_charge__in=credit_rows)), D(0))
            assert -billed_credits == termination.credit_amount

    @staticmethod
    def amend(contract, line, effective, factor, by):
        """End `line` the day before `effective` and start its successor at `factor` × its
        price, through the schedule services `apply_amendment` uses."""
        line = ContractLine.objects.select_related("contract", "product").get(pk=line.pk)
        change = ScheduleChange.objects.create(contract=contract, kind="amendment",
                                               effective_on=effective)
        end_lines([line], last_day=effective - timedelta(days=1), change=change)
        run_bulk_transition([line], "end", by=by, update_fields=["end_on"],
                            last_day=effective - timedelta(days=1))
        new = ContractLine.objects.create(
            contract=contract, position=2, product=line.product, quantity=line.quantity,
            billing_period=line.billing_period, billing_alignment=line.billing_alignment,
            bill_day=line.bill_day, price_snapshot=line.price_snapshot,
            amount_per_period=round_money(line.amount_per_period * factor,
                                          contract.currency),
            start_on=effective, end_on=contract.end_on,
            status="active", replaces=line)
        schedule_lines([new], change)
        return new

    def run_and_issue(self, finance, as_of):
        with self.captureOnCommitCallbacks(execute=True):
            create_invoice_run(by=finance, as_of=as_of)
        drafts = list(Invoice.objects.filter(state=InvoiceState.DRAFT).order_by("pk"))
        if drafts:
            issue_invoices(invoices=drafts, by=finance, on=as_of)
