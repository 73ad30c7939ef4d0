"""Building quotes through the services: numbers, lines from frozen snapshots, totals, drafts."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog.models import PriceBookEntry
from quotes import services
from quotes.models import QuoteState
from tests.quotes.factories import START, account_for, draft_quote, product

pytestmark = pytest.mark.django_db


def test_create_quote_numbers_without_gaps_and_takes_the_accounts_defaults(catalog, sales_rep):
    account = account_for(sales_rep, currency="EUR", country="DE")
    first = services.create_quote(by=sales_rep, account=account, start_on=START,
                                  term_months=12, on=START)
    second = services.create_quote(by=sales_rep, account=account, start_on=START,
                                   term_months=24, on=START)
    assert (first.number, second.number) == ("Q-2026-00001", "Q-2026-00002")
    assert first.price_book.name == "Standard EUR" and first.currency == "EUR"
    assert first.payment_terms == account.payment_terms
    assert first.expires_on == START + timedelta(days=30)
    assert first.state == QuoteState.DRAFT and first.owner == sales_rep


def test_create_quote_refuses_an_account_the_rep_cannot_see(catalog, sales_rep, other_rep):
    foreign = account_for(other_rep)
    with pytest.raises(ValidationError) as error:
        services.create_quote(by=sales_rep, account=foreign, start_on=START, term_months=12)
    assert error.value.message_dict == {"account": ["You cannot quote for this account."]}


def test_create_quote_refuses_a_contact_of_another_account(catalog, sales_rep):
    account, other = account_for(sales_rep), account_for(sales_rep)
    with pytest.raises(ValidationError) as error:
        services.create_quote(by=sales_rep, account=account, contact=other.contacts.first(),
                              start_on=START, term_months=12)
    assert "contact" in error.value.message_dict


def test_finance_cannot_create_quotes(catalog, finance, sales_rep):
    with pytest.raises(PermissionDenied):
        services.create_quote(by=finance, account=account_for(sales_rep), start_on=START,
                              term_months=12)


def test_lines_are_priced_from_the_book_and_totals_add_up(catalog, sales_rep):
    # given seats (annual, 324 each), onboarding (one-time 5000) and support (20% of subs)
    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 10, "10"), ("ONBOARDING", 1, "0"),
                                          ("SUPPORT-PREMIUM", 1, "0")])
    seats, onboarding, support = quote.lines.order_by("position")
    # then each line holds its priced result
    assert (seats.list_per_period, seats.discount_amount, seats.net_amount) == (
        D("3240"), D("324"), D("2916"))
    assert onboarding.net_amount == D("5000") and not onboarding.is_recurring
    assert support.net_amount == D("1000")  # 20% of 2916 is below the 1,000 minimum
    # and the quote's totals are the sums of its lines
    lines = list(quote.lines.all())
    assert quote.list_total == sum(x.list_amount for x in lines) == D("9240")
    assert quote.discount_total == sum(x.discount_amount for x in lines) == D("324")
    assert quote.total_contract_value == sum(x.net_amount for x in lines) == D("8916")
    assert quote.one_time_total == D("5000")
    assert quote.recurring_monthly == D("326.33")  # (2916 + 1000) / 12
    assert quote.annual_contract_value == D("3916")
    assert quote.tax_estimate == sum(x.tax_amount for x in lines)


def test_tax_is_estimated_from_the_accounts_country(catalog, sales_rep):
    account = account_for(sales_rep, currency="GBP", country="GB")
    quote = draft_quote(sales_rep, account=account, lines=[("ONBOARDING", 1, "0")])
    assert quote.total_contract_value == D("3950") and quote.tax_estimate == D("790")


def test_a_configurable_product_adds_its_options_as_child_lines(catalog, sales_rep):
    quote = draft_quote(sales_rep)
    parent = services.add_line(quote=quote, product=product("PLATFORM"), by=sales_rep,
                               options={"PLAT-ENT": D(1), "SEAT-USER": D(20),
                                        "SEAT-ANALYTICS": D(20)})
    children = {x.product.sku: x for x in parent.options.all()}
    assert set(children) == {"PLAT-ENT", "SEAT-USER", "SEAT-ANALYTICS"}
    assert parent.net_amount == 0 and children["SEAT-USER"].quantity == D(20)


def test_configuration_errors_come_back_on_the_options_field(catalog, sales_rep):
    quote = draft_quote(sales_rep)
    with pytest.raises(ValidationError) as error:
        services.add_line(quote=quote, product=product("PLATFORM"), by=sales_rep,
                          options={"PLAT-STARTER": D(1), "SEAT-USER": D(5), "SEAT-SSO": D(5)})
    assert error.value.message_dict["options"] == [
        "Single sign-on needs the Professional or Enterprise edition."]
    assert not quote.lines.exists()


def test_a_bundle_adds_its_components_included_at_zero(catalog, sales_rep):
    quote = draft_quote(sales_rep, lines=[("BUNDLE-GROWTH", 1, "0")])
    bundle = quote.lines.get(parent=None)
    included = bundle.options.filter(included=True)
    assert bundle.net_amount == D("24000")
    assert included.count() == 3 and all(x.net_amount == 0 for x in included)


def test_line_checks_are_keyed_by_field(catalog, sales_rep):
    quote = draft_quote(sales_rep)
    with pytest.raises(ValidationError) as error:
        services.add_line(quote=quote, product=product("SEAT-USER"), by=sales_rep,
                          quantity=D(0), discount_percent=D(120))
    assert set(error.value.message_dict) == {"quantity", "discount_percent"}


def test_the_snapshot_freezes_the_price_of_a_line(catalog, sales_rep):
    # given a line added at 324 a seat-year
    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 10, "0")])
    # when the catalog price changes afterwards
    PriceBookEntry.objects.filter(product__sku="SEAT-USER", price_book=quote.price_book,
                                  billing_period="annual").update(unit_amount=D("999"))
    services.reprice(quote=quote, by=sales_rep)
    line = services.update_line(line=quote.lines.get(), by=sales_rep, quantity=D(11))
    # then the line still prices from its snapshot
    assert line.price_snapshot["unit_amount"] == "324"
    assert line.net_amount == D("3564")


def test_update_line_reprices_the_line_and_the_totals(catalog, sales_rep):
    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 10, "0"), ("ONBOARDING", 1, "0")])
    seats = quote.lines.get(product__sku="SEAT-USER")
    line = services.update_line(line=seats, by=sales_rep, discount_percent=D(50))
    quote.refresh_from_db()
    assert line.net_amount == D("1620") and quote.total_contract_value == D("6620")


def test_remove_line_removes_its_options_and_reprices(catalog, sales_rep):
    quote = draft_quote(sales_rep, lines=[("BUNDLE-GROWTH", 1, "0"), ("ONBOARDING", 1, "0")])
    services.remove_line(line=quote.lines.get(product__sku="BUNDLE-GROWTH"), by=sales_rep)
    quote.refresh_from_db()
    assert [x.product.sku for x in quote.lines.all()] == ["ONBOARDING"]
    assert quote.total_contract_value == D("5000")


def test_only_drafts_are_editable(catalog, sales_rep):
    quote = draft_quote(sales_rep, lines=[("ONBOARDING", 1, "0")])
    services.submit_for_approval(quote=quote, by=sales_rep)
    quote.refresh_from_db()
    assert quote.state == QuoteState.APPROVED
    line = quote.lines.get()
    for attempt in (
        lambda: services.add_line(quote=quote, product=product("SEAT-USER"), by=sales_rep),
        lambda: services.update_line(line=line, by=sales_rep, quantity=D(2)),
        lambda: services.remove_line(line=line, by=sales_rep),
        lambda: services.reprice(quote=quote, by=sales_rep),
        lambda: services.update_quote(quote=quote, by=sales_rep, term_months=24),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert error.value.message_dict["state"] == [
            "Only draft quotes can be changed; this one is approved."]


def test_a_rep_cannot_change_a_teammates_draft(catalog, sales_rep, teammate_rep):
    quote = draft_quote(teammate_rep, lines=[("ONBOARDING", 1, "0")])
    with pytest.raises(PermissionDenied):
        services.update_line(line=quote.lines.get(), by=sales_rep, quantity=D(2))


def test_a_longer_term_reprices_recurring_lines(catalog, sales_rep):
    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 10, "0"), ("ONBOARDING", 1, "0")])
    quote = services.update_quote(quote=quote, by=sales_rep, term_months=24)
    assert quote.total_contract_value == D("11480")  # 2 × 3240 + 5000
    assert quote.annual_contract_value == D("3240")


def test_clone_makes_a_new_numbered_draft_with_the_same_lines(catalog, sales_rep):
    quote = draft_quote(sales_rep, lines=[("BUNDLE-GROWTH", 1, "0"), ("SEAT-USER", 3, "5")])
    clone = services.clone_quote(quote=quote, by=sales_rep, on=START)
    assert clone.number != quote.number and clone.version == 1
    assert clone.total_contract_value == quote.total_contract_value
    assert clone.lines.count() == quote.lines.count()
    assert clone.lines.filter(parent__isnull=False, parent__quote=clone).count() == 4


def test_revise_supersedes_the_old_version_and_shows_the_diff(catalog, sales_rep):
    from quotes.selectors import diff_against_previous

    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 10, "0"), ("ONBOARDING", 1, "0")])
    services.submit_for_approval(quote=quote, by=sales_rep)
    revision = services.revise_quote(quote=quote, by=sales_rep)
    quote.refresh_from_db()
    assert quote.state == QuoteState.SUPERSEDED
    assert (revision.number, revision.version, revision.revises) == (quote.number, 2, quote)
    services.update_line(line=revision.lines.get(product__sku="SEAT-USER"), by=sales_rep,
                         quantity=D(12))
    services.remove_line(line=revision.lines.get(product__sku="ONBOARDING"), by=sales_rep)
    services.add_line(quote=revision, product=product("DEVICE-GW"), by=sales_rep)
    changes = diff_against_previous(revision)
    assert [x.sku for x in changes.added] == ["DEVICE-GW"]
    assert [x.sku for x in changes.removed] == ["ONBOARDING"]
    assert [(r.old.quantity, r.new.quantity) for r in changes.repriced] == [(D(10), D(12))]


def test_a_superseded_quote_cannot_be_revised_again(catalog, sales_rep):
    quote = draft_quote(sales_rep, lines=[("ONBOARDING", 1, "0")])
    services.revise_quote(quote=quote, by=sales_rep)
    quote.refresh_from_db()
    with pytest.raises(ValidationError, match="superseded quote cannot be revised"):
        services.revise_quote(quote=quote, by=sales_rep)


def test_default_expiry_follows_the_business_date(catalog, sales_rep):
    on = date(2026, 3, 1)
    quote = services.create_quote(by=sales_rep, account=account_for(sales_rep), on=on,
                                  term_months=12)
    assert quote.expires_on == date(2026, 3, 31) and quote.start_on == on
