"""The TCV approval rule watches deals in every currency (red team 2026-12, finding 16): a
quote in euros is compared with the USD threshold at the rate of its start day."""

from datetime import date
from decimal import Decimal as D

import pytest

from ledger.models import ExchangeRate
from quotes import approval_rules
from quotes.services.approvals import quote_facts, rule_facts
from tests.quotes.factories import account_for, draft_quote

pytestmark = pytest.mark.django_db


def _tcv_hits(quote):
    return [hit for hit in approval_rules.approval_hits(quote_facts(quote), rule_facts())
            if hit.rule.condition == approval_rules.TCV_ABOVE]


def test_a_big_euro_deal_needs_the_tcv_approval(catalog, sales_rep):
    ExchangeRate.objects.create(currency="EUR", valid_on=date(2025, 12, 1), rate=D("1.10"))
    quote = draft_quote(sales_rep, account=account_for(sales_rep, currency="EUR", country="DE"),
                        lines=[("SEAT-USER", 1000, "0")], term_months=36)
    assert quote.currency == "EUR" and quote.total_contract_value > D(250000) / D("1.10")

    [hit] = _tcv_hits(quote)

    assert "USD at the rates of 2026-01-01) is above 250,000.00 USD" in hit.reasons[0]


def test_a_small_euro_deal_does_not(catalog, sales_rep):
    ExchangeRate.objects.create(currency="EUR", valid_on=date(2025, 12, 1), rate=D("1.10"))
    quote = draft_quote(sales_rep, account=account_for(sales_rep, currency="EUR", country="DE"),
                        lines=[("SEAT-USER", 5, "0")])
    assert _tcv_hits(quote) == []
