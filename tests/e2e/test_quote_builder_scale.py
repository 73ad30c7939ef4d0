"""A 1,000-line quote in Debian's Chromium: the builder pages its table, a change on a later
page recalculates that row and the whole quote's totals without a reload, and the row's
figures match what pricing the whole quote gives."""

from decimal import Decimal as D

import pytest

from catalog.demo import seed_catalog
from quotes import services
from tests.conftest import PASSWORD, reseed_migration_data
from tests.quotes.factories import account_for, product

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SKUS = ["SEAT-USER", "SEAT-SSO", "API-CALLS", "STORAGE-GB", "ONBOARDING", "TRAINING-DAY",
        "DEVICE-GW", "SMS-PACK"]


@pytest.fixture
def big_quote(sales_rep):
    reseed_migration_data()
    seed_catalog()
    quote = services.create_quote(by=sales_rep, account=account_for(sales_rep), term_months=12)
    products = {sku: product(sku) for sku in SKUS}
    services.add_lines(quote=quote, by=sales_rep, items=[
        services.LineItem(product=products[SKUS[n % len(SKUS)]], quantity=D(1 + n % 40),
                          discount_percent=D(n % 3 * 5)) for n in range(1000)])
    quote.refresh_from_db()
    return quote


def test_a_thousand_line_quote_pages_and_recalculates_live(page, live_server, sales_rep,
                                                            big_quote):
    # given the rep on page 7 of the builder
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", sales_rep.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/quotes/{big_quote.pk}/build/?page=7")
    assert page.locator("#quote-lines tbody tr").count() == 100
    assert "Page 7 of 10 · 1000 in all" in page.locator(".pagination").inner_text()
    totals = page.locator("#quote-totals")
    before = totals.locator("[data-total=tcv]").inner_text()
    assert before == f"${big_quote.total_contract_value:,.2f}"

    # when they change the quantity of a seat line there
    row = page.locator("#quote-lines tbody tr", has_text="SEAT-USER").first
    line_pk = int(row.get_attribute("id").removeprefix("line-"))
    page.evaluate("window.__not_reloaded = true")
    quantity = row.locator("input[name=quantity]")
    quantity.fill("250")
    quantity.press("Tab")
    totals.locator("[data-total=tcv]").filter(has_not_text=before).wait_for()

    # then the row and the whole quote's totals show what the stored quote says
    big_quote.refresh_from_db()
    line = big_quote.lines.get(pk=line_pk)
    assert line.quantity == 250
    updated = page.locator(f"#line-{line_pk}")
    assert updated.locator("[data-line=net]").inner_text() == f"${line.net_amount:,.2f}"
    assert (totals.locator("[data-total=tcv]").inner_text()
            == f"${big_quote.total_contract_value:,.2f}")
    assert big_quote.total_contract_value == sum(x.net_amount for x in big_quote.lines.all())
    assert page.evaluate("window.__not_reloaded") is True
