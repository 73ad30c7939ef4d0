"""Approval rules that route on the deal desk preview: little cash in the first year, much
revenue deferred beyond it (issue 21). Pure cases, then a quote submitted through the service."""

from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Group

from quotes import approval_rules, services
from quotes.approval_rules import QuoteFacts, RuleFacts, approval_hits
from quotes.models import ApprovalRule, QuoteState
from tests.quotes.factories import draft_quote

CASH_50 = RuleFacts(7, "First-year cash below 50%", "first_year_cash", D(50), "Finance", 1)
DEFERRED_40 = RuleFacts(8, "Deferred revenue above 40%", "deferred_revenue", D(40), "Finance", 1)


def desk_facts(*, tcv="36000", cash=None, deferred=None):
    return QuoteFacts(currency="USD", term_months=36, list_total=D(tcv), discount_total=D(0),
                      total_contract_value=D(tcv), payment_terms_name="Net 30",
                      payment_terms_days=30, first_year_cash=cash,
                      revenue_after_first_year=deferred)


def test_little_cash_in_the_first_year_asks_for_approval():
    [hit] = approval_hits(desk_facts(cash=D("12000")), [CASH_50])
    assert hit.reasons == ("Cash due in the first 12 months 12,000.00 USD is 33.3% of the total "
                           "contract value (below 50.0%). Rule: First-year cash below 50%.",)
    assert approval_hits(desk_facts(cash=D("18000")), [CASH_50]) == []  # exactly half: fine


def test_revenue_deferred_beyond_the_first_year_asks_for_approval():
    [hit] = approval_hits(desk_facts(deferred=D("24000")), [DEFERRED_40])
    assert "Revenue recognized after the first 12 months 24,000.00 USD is 66.7%" in hit.reasons[0]
    assert approval_hits(desk_facts(deferred=D("14400")), [DEFERRED_40]) == []


def test_figures_not_worked_out_hit_nothing():
    assert approval_hits(desk_facts(), [CASH_50, DEFERRED_40]) == []


@pytest.mark.django_db
def test_a_three_year_deal_billed_monthly_goes_to_finance_for_its_deferred_revenue(catalog,
                                                                                   sales_rep):
    # given a rule on deferred revenue and a 36-month quote of monthly seats
    ApprovalRule.objects.create(name="Deferred revenue above 40%", condition="deferred_revenue",
                                threshold=D(40), group=Group.objects.get(name="Finance"))
    quote = draft_quote(sales_rep, lines=[("SEAT-SSO", 10, "0")], term_months=36)

    # when the rep submits it
    services.submit_for_approval(quote=quote, by=sales_rep)

    # then two thirds of the revenue falls after the first year and Finance must approve
    quote.refresh_from_db()
    assert quote.state == QuoteState.PENDING_APPROVAL
    [request] = quote.approval_requests.all()
    assert request.rules == ["Deferred revenue above 40%"]
    assert request.reasons[0].startswith("Revenue recognized after the first 12 months 960.")
    assert "USD is 66.7% of the total contract value (above 40.0%)" in request.reasons[0]
    assert approval_rules.DEFERRED_REVENUE in approval_rules.DESK_CONDITIONS
