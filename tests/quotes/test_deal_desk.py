"""The deal desk's preview (quotes.deal_desk): what a quote will bill, recognize and collect.

The preview runs the quote's lines through the later stages' own pure functions; the database
tests hold it to what those stages store once the deal closes: the contract's charge schedule
and the revenue contract's schedule, month by month, to the cent."""

from collections import defaultdict
from datetime import date
from decimal import Decimal as D

import pytest
from django.db.models import Sum

from catalog.charge_schedule import LineTerms
from catalog.due_schedule import InstalmentTerm, TermsKind, TermsSpec
from contracts.models import ScheduledCharge
from quotes import selectors
from quotes.deal_desk import DeskLine, preview
from quotes.services import LineItem
from quotes.term_amounts import term_end
from revrec.models import ScheduleLine
from tests.quotes.factories import product
from tests.revrec.factories import START, active_contract_of, revenue_contract_of

JAN = date(2026, 1, 1)


def _line(key, period, per_period, rule, *, ssp=None, quantity=D(1), list_per_period=None,
          start=JAN, end=date(2026, 12, 31), **extra):
    terms = LineTerms("USD", period, per_period, start, end if period != "one_time" else start)
    return DeskLine(key=key, terms=terms, list_per_period=list_per_period or per_period,
                    quantity=quantity, revenue_rule=rule, ssp=ssp, **extra)


def test_a_year_of_monthly_service_bills_monthly_and_is_recognized_by_day():
    # $100 a month for 2026, net 45: twelve invoices, revenue by day (January 31/365 of 1,200)
    desk = preview([_line("1", "monthly", D("100.00"), "ratable")], currency="USD",
                   terms=TermsSpec(TermsKind.NET, days=45))
    assert [amount for _, amount, _ in desk.billing] == [D("100.00")] * 12
    assert desk.revenue[0] == (date(2026, 1, 1), D("101.92"))  # 1,200 × 31/365
    assert sum(amount for _, amount in desk.revenue) == D("1200.00")
    # the January invoice falls due on 15 February, the December one on 14 January 2027
    assert desk.cash[0] == (date(2026, 2, 1), D("100.00"))
    assert desk.cash[-1] == (date(2027, 1, 1), D("100.00"))
    assert desk.first_year_cash(JAN) == D("1100.00")
    assert desk.revenue_after_first_year(JAN) == D(0)


def test_a_discount_belongs_to_the_line_sold_below_its_standalone_price():
    # a year's subscription sold at 900 (SSP 1,200) and onboarding at 1,000 (its SSP) on day
    # one: the onboarding sells at its standalone price, so the whole discount stays with the
    # subscription (ASC 606-10-32-37, IFRS 15 IE Example 34) and the onboarding's 1,000 is
    # January's with 31/365 of the subscription's 900
    lines = [_line("1", "annual", D("900.00"), "ratable", ssp=(D("1200"), "per_year"),
                   list_per_period=D("1200.00")),
             _line("2", "one_time", D("1000.00"), "point_in_time", ssp=(D("1000"), "one_time"))]
    desk = preview(lines, currency="USD", terms=TermsSpec(TermsKind.NET, days=0))
    assert desk.transaction_price == D("1900.00")
    revenue = dict(desk.revenue)
    assert revenue[JAN] == D("1000.00") + D("76.44")
    assert sum(revenue.values()) == D("1900.00")


def test_instalment_terms_split_each_invoice_and_usage_bills_nothing_yet():
    terms = TermsSpec(TermsKind.INSTALMENTS, instalments=(InstalmentTerm(D(50), 0),
                                                           InstalmentTerm(D(50), 60)))
    usage = DeskLine(key="2", terms=LineTerms("USD", "monthly", D(0), JAN, date(2026, 12, 31),
                                              usage=True),
                     list_per_period=D(0), quantity=D(1), revenue_rule="as_billed")
    lines = [_line("1", "term", D("1000.00"), "ratable"), usage]
    desk = preview(lines, currency="USD", terms=terms)
    assert desk.cash == ((date(2026, 1, 1), D("500.00")), (date(2026, 3, 1), D("500.00")))
    assert desk.usage_lines == 1 and sum(a for _, a in desk.revenue) == D("1000.00")
    assert any(usage for _, _, usage in desk.billing)


def test_revenue_deferred_beyond_twelve_months_is_counted():
    # two years (730 days) billed once for 7,300: 10.00 a day, half of it after 2026
    line = _line("1", "term", D("7300.00"), "ratable", end=term_end(JAN, 24))
    desk = preview([line], currency="USD", terms=TermsSpec())
    assert desk.revenue_after_first_year(JAN) == D("3650.00")
    assert desk.first_year_billing(JAN) == D("7300.00")


@pytest.mark.django_db
def test_the_previews_revenue_and_billing_are_what_the_closed_deal_stores(sales_rep, finance):
    # given a deal with a discounted monthly line, an annual line, a percentage line, a
    # configured product with included options and usage, closed through the services
    from catalog.demo import seed_catalog
    seed_catalog()
    items = [LineItem(product=product("SEAT-USER"), quantity=D(10), discount_percent=D(15),
                      billing_period="monthly"),
             LineItem(product=product("SEAT-SSO"), quantity=D(10)),
             LineItem(product=product("SUPPORT-PREMIUM")),
             LineItem(product=product("PLATFORM"), options={"PLAT-PRO": D(1),
                                                            "SEAT-USER": D(5)}),
             LineItem(product=product("API-CALLS"), quantity=D(1000))]
    contract = active_contract_of(sales_rep, by=finance, items=items)
    quote = contract.quote
    desk = selectors.deal_desk_preview(quote)

    # when recognition makes the revenue contract
    revenue_contract = revenue_contract_of(contract, on=START)

    # then its schedule is the preview's, month by month
    stored = defaultdict(D)
    for month, amount in (ScheduleLine.objects.filter(obligation__revenue_contract=revenue_contract)
                          .values_list("month").annotate(total=Sum("amount")).order_by("month")):
        stored[month] = amount
    assert desk.revenue and dict(desk.revenue) == dict(stored)
    assert desk.transaction_price == revenue_contract.transaction_price
    # and the contract's charge schedule is the preview's billing
    billed = defaultdict(D)
    for due_on, amount in ScheduledCharge.objects.filter(line__contract=contract).values_list(
            "due_on", "amount"):
        billed[due_on] += amount
    assert {day: amount for day, amount, _ in desk.billing} == dict(billed)


def test_the_month_table_puts_billing_revenue_and_cash_side_by_side():
    # a one-time 1,000 on 15 January, net 30: billed and recognized in January, paid in February
    line = _line("1", "one_time", D("1000.00"), "point_in_time", start=date(2026, 1, 15))
    desk = preview([line], currency="USD", terms=TermsSpec(TermsKind.NET, days=30))
    assert desk.months() == [(date(2026, 1, 1), D("1000.00"), D("1000.00"), D(0)),
                             (date(2026, 2, 1), D(0), D(0), D("1000.00"))]


@pytest.mark.django_db
def test_the_deal_desk_shows_on_the_builder_the_approval_card_and_reloads_on_change(
        client, catalog, sales_rep, finance, other_rep):
    from django.urls import reverse

    from quotes import services
    from tests.quotes.factories import draft_quote

    # given 10 single sign-on seats at $4 a month, 30% off, from 1 January 2026, net 30
    quote = draft_quote(sales_rep, lines=[("SEAT-SSO", 10, "30")])
    url = reverse("quotes:deal_desk", args=[quote.pk])
    client.force_login(sales_rep)
    builder = client.get(reverse("quotes:builder", args=[quote.pk])).content.decode()
    assert f'hx-get="{url}" hx-trigger="load, quote-changed from:body"' in builder

    # when the desk is loaded
    desk = client.get(url, HTTP_HX_REQUEST="true").content.decode()

    # then it shows twelve months of $28.00 billed and the revenue by day
    assert 'data-desk="price">$336.00' in desk
    assert 'data-desk="first-year-billing">$336.00' in desk
    assert '<tr data-month="2026-01"><td>Jan 2026</td><td class="num">$28.00</td>' in desk
    assert 'data-desk="margin">' in desk
    # a line change tells the page to reload it
    line = quote.lines.get()
    changed = client.post(reverse("quotes:line_update", args=[quote.pk, line.pk]),
                          {"quantity": "20", "discount_percent": "30"}, HTTP_HX_REQUEST="true")
    assert changed.headers["HX-Trigger"] == "quote-changed"
    # the approver's card carries it too; a rep who cannot see the quote gets nothing
    services.submit_for_approval(quote=quote, by=sales_rep)
    client.force_login(finance)
    queue = client.get(reverse("quotes:approvals")).content.decode()
    assert f'hx-get="{url}" hx-trigger="revealed, quote-changed from:body"' in queue
    assert client.get(url).status_code == 200
    client.force_login(other_rep)
    assert client.get(url).status_code == 404


def test_cash_follows_each_instalments_own_basis():
    # Odoo's "30% now, 70% on the 10th of next month" on a one-time 1,000.00 invoiced 15 Jan
    terms = TermsSpec(TermsKind.INSTALMENTS, instalments=(
        InstalmentTerm(D(30), 0), InstalmentTerm(D(70), 10, TermsKind.NEXT_MONTH_DAY)))
    line = _line("1", "one_time", D("1000.00"), "point_in_time", start=date(2026, 1, 15))
    desk = preview([line], currency="USD", terms=terms)
    assert desk.cash == ((date(2026, 1, 1), D("300.00")), (date(2026, 2, 1), D("700.00")))
