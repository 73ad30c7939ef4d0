"""A price counted by the second, from the catalog to the stored schedule (issue 17): the price
book entry's granularity is copied onto the contract line with the quote's start moment and the
account's time zone; the line's first period is stored prorated by seconds, and the quote said
the same figures.

Worked example (Stripe prorates "down to the second", docs.stripe.com/billing/scripts/
prorations): 6 seats at $30.00 a month less 15 %, $153.00 a month, starting at 18:00 on
1 December serve 30 days and 6 hours of December's 31: 2,613,600 of 2,678,400 seconds, $149.30
(by day they would charge the whole month: the line starts on its aligned period's first day).
"""

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from catalog.models import PriceBookEntry
from contracts.models import Contract
from q2c import flows
from quotes import services as quote_services
from quotes.services.sending import quote_link_token
from tests.contracts.factories import ON, START, _product
from tests.customers.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db
EVENING = datetime(2026, 12, 1, 18, tzinfo=UTC)


def _by_second(sku="SEAT-USER"):
    from catalog.demo import seed_catalog

    seed_catalog()
    PriceBookEntry.objects.filter(product__sku=sku, billing_period="monthly",
                                  price_book__currency="USD").update(
        proration_granularity="second")


def _quote(owner, *, starts_at=EVENING):
    account = AccountFactory(owner=owner, name="Night Owl Ltd", currency="USD")
    contact = ContactFactory(account=account, name="Ada Buyer", email="buyer@owl.example")
    quote = quote_services.create_quote(by=owner, account=account, contact=contact,
                                        start_on=START, term_months=12, on=ON)
    quote_services.update_quote(quote=quote, by=owner, starts_at=starts_at)
    quote_services.add_lines(quote=quote, by=owner, items=[
        quote_services.LineItem(product=_product("SEAT-USER"), quantity=D(6),
                                discount_percent=D(15), billing_period="monthly")])
    return quote


def _contract(owner, quote) -> Contract:
    quote_services.submit_for_approval(quote=quote, by=owner, on=ON)
    quote_services.send_quote(quote=quote, by=owner, on=ON)
    quote.refresh_from_db()
    flows.accept_quote_flow(token=quote_link_token(quote), signer_name="Ada Buyer",
                            signer_title="CFO", consent=True, ip="203.0.113.9",
                            user_agent="pytest", on=ON)
    return Contract.objects.get(quote=quote)


def test_a_line_priced_by_the_second_stores_its_first_period_by_seconds(sales_rep):
    # given seats priced by the second and a quote whose service starts at 18:00 on its first day
    _by_second()
    quote = _quote(sales_rep)
    # when it becomes a contract
    contract = _contract(sales_rep, quote)
    # then the line keeps the granularity, the moment and the time zone
    (line,) = contract.lines.all()
    assert (line.proration_granularity, line.starts_at, line.time_zone) == ("second", EVENING,
                                                                            "UTC")
    first, second = line.schedule.order_by("period_start")[:2]
    per_month = line.amount_per_period
    assert per_month == D("153.00")
    assert (first.seconds, first.period_seconds, first.days) == (2_613_600, 2_678_400, None)
    assert first.amount == D("149.30")  # 153.00 × 2,613,600 / 2,678,400 = 149.2983...
    assert first.explanation == "2,613,600 of 2,678,400 seconds × $153.00 = $149.30"
    assert (second.amount, second.seconds) == (per_month, None)
    # and the quote said what the contract charges
    quote.refresh_from_db()
    assert contract.total_contract_value == quote.total_contract_value
    assert line.net_amount == D("149.30") + 11 * per_month


def test_a_price_by_day_keeps_counting_days_whatever_the_start_moment(sales_rep):
    from catalog.demo import seed_catalog

    seed_catalog()
    contract = _contract(sales_rep, _quote(sales_rep))
    (line,) = contract.lines.all()
    assert (line.proration_granularity, line.starts_at) == ("day", None)
    first = line.schedule.order_by("period_start").first()
    assert (first.amount, first.seconds, first.days) == (D("153.00"), None, None)  # whole


@override_settings(TIME_ZONE="Asia/Tokyo")
def test_a_start_moment_on_another_day_in_the_accounts_zone_is_refused_at_the_field(sales_rep):
    # 18:00 UTC on 1 December is 03:00 on 2 December in Tokyo: not the quote's start day
    from catalog.demo import seed_catalog

    seed_catalog()
    with pytest.raises(ValidationError) as refused:
        _quote(sales_rep)
    assert refused.value.message_dict == {"starts_at": [
        "02 December 2026 03:00 in Asia/Tokyo is not on the start day, 01 December 2026."]}
