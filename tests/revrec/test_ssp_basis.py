"""Standalone selling prices on their basis, scaled to each obligation's term, and a bundle's
price shared by its own components; the revenue contract page explains each allocation.

The case is the December 2026 review's (../shared/reviews/2026-12/ux.md, finding 5): the
Enterprise edition billed annually, user seats billed annually, single sign-on billed monthly
and the Growth bundle (Professional, 25 seats and onboarding included, premium support priced
on its own). The catalog's SSPs: editions and seats per month, the onboarding one-time.
"""

from decimal import Decimal as D

import pytest
from django.db.models import Sum
from django.urls import reverse

from catalog.models import Product, SSPBasis, StandaloneSellingPrice
from contracts.services.schedules import charges_in_force
from quotes.services import LineItem
from revrec.models import AllocationRule, PerformanceObligation
from tests.conftest import PASSWORD
from tests.revrec.factories import active_contract_of, revenue_contract_of

pytestmark = pytest.mark.django_db


def item(sku, quantity=1, period=None):
    return LineItem(product=Product.objects.get(sku=sku), quantity=D(quantity),
                    billing_period=period)


@pytest.fixture
def review_contract(sales_rep, finance):
    from catalog.demo import seed_catalog

    seed_catalog()
    return active_contract_of(sales_rep, by=finance, items=[
        item("PLAT-ENT", 1, "annual"), item("SEAT-USER", 60, "annual"),
        item("SEAT-SSO", 40, "monthly"), item("BUNDLE-GROWTH")])


def by_line(rc):
    return list(PerformanceObligation.objects.filter(revenue_contract=rc)
                .select_related("product", "contract_line").order_by("contract_line__position"))


def test_the_demo_states_each_ssps_basis():
    from catalog.demo import seed_catalog

    seed_catalog()
    basis = dict(StandaloneSellingPrice.objects.filter(amount_currency="USD")
                 .values_list("product__sku", "basis"))
    assert basis["PLAT-ENT"] == basis["SEAT-USER"] == SSPBasis.PER_MONTH
    assert basis["BUNDLE-GROWTH"] == basis["SUPPORT-PREMIUM"] == SSPBasis.PER_YEAR
    assert basis["ONBOARDING"] == basis["DEVICE-GW"] == SSPBasis.ONE_TIME


def test_monthly_ssps_are_scaled_to_annual_lines(review_contract):
    # when
    rc = revenue_contract_of(review_contract)

    # then: 4,000 a month over 12 months, not 4,000; 60 seats × 30 × 12, not 60 × 30
    found = {(o.product.sku, o.contract_line.quantity): o for o in by_line(rc)}
    enterprise = found["PLAT-ENT", D(1)]
    assert (enterprise.ssp, enterprise.ssp_unit, enterprise.ssp_basis) == (
        D("48000.00"), D(4000), "per_month")
    assert enterprise.ssp_periods == D(12)
    assert found["SEAT-USER", D(60)].ssp == D("21600.00")
    assert found["SEAT-SSO", D(40)].ssp == D("1920.00")
    assert found["ONBOARDING", D(1)].ssp == D("5000.00")


def test_a_bundles_included_components_share_its_price_by_their_ssps(review_contract):
    # when
    rc = revenue_contract_of(review_contract)

    # then: Professional (18,000), 25 seats (9,000) and onboarding (5,000) share the bundle's
    # 24,000.00 as 18 : 9 : 5; the onboarding gets far less than the enterprise edition
    obligations = by_line(rc)
    bundle_line = review_contract.lines.get(product__sku="BUNDLE-GROWTH")
    components = [o for o in obligations if o.allocation_rule == AllocationRule.BUNDLE]
    assert {o.product.sku: o.allocated for o in components} == {
        "PLAT-PRO": D("13500.00"), "SEAT-USER": D("6750.00"), "ONBOARDING": D("3750.00")}
    assert sum(o.allocated for o in components) == bundle_line.net_amount == D("24000.00")
    onboarding = next(o for o in components if o.product.sku == "ONBOARDING")
    enterprise = next(o for o in obligations if o.product.sku == "PLAT-ENT")
    assert onboarding.allocated < enterprise.allocated
    assert (onboarding.pool, onboarding.pool_ssp, onboarding.share_percent) == (
        D("24000.00"), D("32000.00"), D("15.63"))
    # and the whole price is what the schedules charge, allocated to the cent
    charged = charges_in_force(review_contract.lines.all()).exclude(
        line__product__kind="usage").aggregate(total=Sum("amount"))["total"]
    assert rc.transaction_price == charged == sum(o.allocated for o in obligations)


def test_the_revenue_contract_page_explains_each_allocation(client, accountant,
                                                            review_contract):
    # given
    rc = revenue_contract_of(review_contract)
    client.login(username=accountant.username, password=PASSWORD)

    # when
    page = client.get(reverse("revrec:contract", args=[rc.pk])).content.decode()

    # then: SSP, basis, share and result, and no negative discount
    assert "$4,000.00 per month × 1 × 12 months = $48,000.00" in page
    assert "$30.00 per month × 60 × 12 months = $21,600.00" in page
    assert "$5,000.00 one-time × 1 = $5,000.00" in page
    assert "15.63% of the bundle's price, $24,000.00" in page
    assert all(o.given_up >= 0 and o.premium >= 0 for o in by_line(rc))
    assert "-$" not in page
