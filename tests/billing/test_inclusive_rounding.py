"""Tax-inclusive prices keep their book's rule for which of net and tax is rounded first (issue
17): copied onto the invoice from the prices' snapshots, used when it is taxed, and shown on
its page.

Worked example: Zuora, "Rounding rule for inclusive tax mode" (docs.zuora.com): $2.99
including 4% VAT is net 2.88 + tax 0.11 when the net is rounded first, net 2.87 + tax 0.12 when
the tax is; Dynamics NAV ("VAT Rounding Type", learn.microsoft.com) rounds the net of an amount
including VAT first, the VAT being the rest."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from billing.models import Invoice
from billing.services import drafts
from billing.services.runs import create_invoice_run
from catalog.pricing import PriceSpec
from catalog.rounding import RoundingPolicy
from tests.billing.factories import active_contract, product
from tests.catalog.factories import TaxRateFactory
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 12, 1)


def inclusive_snapshot(amount: str, policy: RoundingPolicy) -> dict:
    spec = PriceSpec(model="per_unit", currency="USD", billing_period="one_time",
                     unit_amount=D(amount))
    return {**spec.to_dict(), "source": {"prices_include_tax": True,
                                         "rounding_policy": policy.to_dict()}}


@pytest.mark.parametrize(("rule", "net", "tax"), [("net_first", "2.88", "0.11"),
                                                  ("tax_first", "2.87", "0.12")])
def test_a_run_taxes_an_inclusive_price_by_its_books_rule_and_keeps_it(
        django_capture_on_commit_callbacks, client, finance, rule, net, tax):
    # given a customer taxed at 4% and a one-time price of 2.99 including tax
    TaxRateFactory(name="VAT", country="US", percent=D(4))
    account = AccountFactory(bill_day=1, currency="USD", country="US")
    policy = RoundingPolicy(inclusive=rule)
    active_contract(account=account, start_on=AS_OF, end_on=date(2027, 11, 30), lines=[
        {"product": product("SETUP", kind="service"), "amount": "2.99",
         "billing_period": "one_time", "snapshot": inclusive_snapshot("2.99", policy)}])
    # when the run bills it
    with django_capture_on_commit_callbacks(execute=True):
        create_invoice_run(by=finance, as_of=AS_OF)
    invoice = Invoice.objects.get(account=account)
    # then net and tax follow the rule and the invoice keeps it (its lines keep the net: a
    # retax taxes that net as an exclusive price)
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (D(net), D(tax), D("2.99"))
    assert invoice.inclusive_rounding == rule
    client.force_login(finance)
    page = client.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    assert ("tax-inclusive prices: net rounded first" in page) == (rule == "net_first")
    body = client.get(reverse("api:invoice-detail", args=[invoice.pk])).json()
    assert (body["inclusive_rounding"], D(body["tax_total"])) == (rule, D(tax))


def test_a_snapshot_made_before_the_rule_reads_as_tax_first():
    assert RoundingPolicy.from_dict({"mode": "half_up", "tax": None, "cash_step": None}) == (
        RoundingPolicy())
    assert "inclusive" not in RoundingPolicy().to_dict()
    assert RoundingPolicy.from_dict(RoundingPolicy(inclusive="net_first").to_dict()) == (
        RoundingPolicy(inclusive="net_first"))


@pytest.mark.parametrize(("rule", "net", "tax"), [("net_first", "2.88", "0.11"),
                                                  ("tax_first", "2.87", "0.12")])
def test_retaxing_an_inclusive_draft_keeps_its_gross_and_its_rule(
        django_capture_on_commit_callbacks, finance, rule, net, tax):
    # given a run's draft of 2.99 including 4% (Zuora's example), net and tax by the book's rule
    TaxRateFactory(name="VAT", country="US", percent=D(4))
    account = AccountFactory(bill_day=1, currency="USD", country="US")
    active_contract(account=account, start_on=AS_OF, end_on=date(2027, 11, 30), lines=[
        {"product": product("SETUP", kind="service"), "amount": "2.99",
         "billing_period": "one_time",
         "snapshot": inclusive_snapshot("2.99", RoundingPolicy(inclusive=rule))}])
    with django_capture_on_commit_callbacks(execute=True):
        create_invoice_run(by=finance, as_of=AS_OF)
    invoice = Invoice.objects.get(account=account)
    # when finance retaxes it (a reference set on the draft retaxes it)
    drafts.update_references(invoice=invoice, by=finance, purchase_order="PO-1", on=AS_OF)
    # then the line keeps its gross and the rule splits it as before (taxing the stored net
    # as an exclusive price gave 2.87 + 0.11 or 2.88 + 0.12: a cent off either way)
    invoice.refresh_from_db()
    line = invoice.lines.get()
    assert (line.inclusive_amount, line.amount, line.tax_amount) == (D("2.99"), D(net), D(tax))
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (D(net), D(tax), D("2.99"))
    # and a price edited on the draft is a gross too: 2 × 2.99 = 5.98, 4% inside it
    drafts.update_line(line=line, by=finance, description=line.description, quantity=D(2),
                       unit_price=D("2.99"), on=AS_OF)
    invoice.refresh_from_db()
    assert invoice.total == D("5.98")
    assert invoice.subtotal + invoice.tax_total == D("5.98")
    assert invoice.lines.get().billing_record.amount == D("5.98")
    # a charge added by hand to an inclusive draft includes tax as well: 1.04 = 1.00 + 0.04
    drafts.add_manual_charge(invoice=invoice, by=finance, description="Handling",
                             quantity=D(1), unit_price=D("1.04"), on=AS_OF)
    invoice.refresh_from_db()
    assert invoice.total == D("7.02")
