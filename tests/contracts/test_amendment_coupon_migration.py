"""Open amendment quotes started before the per-line coupon record (issue 17) get it from a
data migration (contracts 0012): each prefilled line records the contract's coupons running on
the contract line it was prefilled from on the effective date, and the quote the union, by the
rule `start_amendment` records them with (`contracts.services.coupons.running_by_line`). The
stacking rule then counts them again (Chargebee and Stripe let each coupon say whether it
stacks; a coupon that does not stack is used alone, tests/contracts/
test_amendment_coupon_stacking.py). Quotes no longer open, and lines already recorded, are left
as they are; running it twice changes nothing; going back is a no-op."""

from decimal import Decimal as D
from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from catalog.models import Coupon
from quotes import services as quote_services
from quotes.models import QuoteLine
from tests.contracts.test_amendment_coupon_stacking import _with_sso
from tests.contracts.test_amendment_coupons import amendment_quote, coupon

pytestmark = pytest.mark.django_db

migration = import_module("contracts.migrations.0012_amendment_quote_line_coupons")


def _as_before(quote) -> dict:
    """The quote as an amendment started before the record left it; returns what was
    recorded (by line pk)."""
    recorded = {line.pk: line.prefilled_from["contract_coupons"]
                for line in quote.lines.exclude(prefilled_from=None)}
    for line in quote.lines.exclude(prefilled_from=None):
        del line.prefilled_from["contract_coupons"]
        QuoteLine.objects.filter(pk=line.pk).update(prefilled_from=line.prefilled_from)
    quote.contract_coupons.clear()
    return recorded


def _recorded(quote) -> dict:
    return {line.pk: line.prefilled_from.get("contract_coupons")
            for line in quote.lines.exclude(prefilled_from=None)}


def test_open_amendment_quotes_get_the_coupons_running_on_their_lines(sales_rep, finance):
    # given: LOYAL (does not stack) runs on the SSO seats; an amendment started "before"
    contract = _with_sso(sales_rep, finance)
    coupon("GROW20", percent_off=D(20), duration="repeating", periods=2)
    amendment, quote = amendment_quote(contract, sales_rep, D(8))
    sso = quote.lines.get(product__sku="SEAT-SSO")
    quote_services.update_line(line=sso, by=sales_rep, quantity=D(6))
    recorded = _as_before(quote)
    assert set(map(len, recorded.values())) == {0, 1}  # LOYAL on the SSO line only
    quote_services.apply_coupon(quote=quote, code="GROW20", by=sales_rep)  # counted nothing
    quote_services.remove_coupon(quote=quote, coupon_id=Coupon.objects.get(code="GROW20").pk,
                                 by=sales_rep)

    # when
    migration.record_line_coupons(apps, None)

    # then: what start_amendment records now, and the stacking rule counts LOYAL again
    assert _recorded(quote) == recorded
    assert {c.code for c in quote.contract_coupons.all()} == {"LOYAL"}
    with pytest.raises(ValidationError, match="GROW20 cannot be combined with LOYAL"):
        quote_services.apply_coupon(quote=quote, code="GROW20", by=sales_rep)
    # and again: nothing changes
    migration.record_line_coupons(apps, None)
    assert _recorded(quote) == recorded


def test_a_quote_no_longer_open_is_left_as_it_is(sales_rep, finance):
    contract = _with_sso(sales_rep, finance)
    amendment, quote = amendment_quote(contract, sales_rep, D(8))
    _as_before(quote)
    type(quote).objects.filter(pk=quote.pk).update(state="declined")

    migration.record_line_coupons(apps, None)

    assert set(_recorded(quote).values()) == {None}
    assert not quote.contract_coupons.exists()
