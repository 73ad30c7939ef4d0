"""Pages and endpoints: role matrix, the builder's query count, htmx recalculation, actions."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quotes import services
from quotes.models import QuoteState
from tests.quotes.factories import account_for, draft_quote, product, seat_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def quote(catalog, sales_rep):
    return draft_quote(sales_rep, lines=[("SEAT-USER", 10, "0"), ("ONBOARDING", 1, "0")])


def _status(client, user, url, method="get"):
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(url).status_code



@pytest.mark.parametrize("name, expected", [
    ("quotes:list", {"sales_rep": 200, "sales_manager": 200, "finance": 200, "accountant": 200,
                     "catalog_admin": 403}),
    ("quotes:create", {"sales_rep": 200, "sales_manager": 200, "finance": 403,
                       "accountant": 403, "catalog_admin": 403}),
    ("quotes:approvals", {"sales_rep": 403, "sales_manager": 200, "finance": 200,
                          "accountant": 403, "catalog_admin": 403}),
])
def test_role_matrix_of_pages(client, role_users, name, expected):
    url = reverse(name)
    assert client.get(url).status_code == 302
    for role, status in expected.items():
        assert _status(client, role_users[role], url) == status, role


def test_role_matrix_of_a_reps_draft(client, quote, role_users, other_rep):
    detail = reverse("quotes:detail", args=[quote.pk])
    builder = reverse("quotes:builder", args=[quote.pk])
    assert client.get(detail).status_code == 302
    assert {role: _status(client, user, detail) for role, user in role_users.items()} == {
        "sales_rep": 200, "sales_manager": 200, "finance": 200, "accountant": 200,
        "catalog_admin": 403}
    assert _status(client, other_rep, detail) == 404
    assert _status(client, other_rep, builder) == 404
    assert _status(client, role_users["finance"], builder) == 403
    line = quote.lines.first()
    update = reverse("quotes:line_update", args=[quote.pk, line.pk])
    assert _status(client, role_users["accountant"], update, "post") == 403
    assert _status(client, other_rep, update, "post") == 404
    assert _status(client, role_users["sales_rep"], reverse("quotes:approve", args=[quote.pk]),
                   "post") == 403


def test_create_quote_page_makes_a_draft_and_opens_the_builder(client, catalog, sales_rep):
    account = account_for(sales_rep)
    client.force_login(sales_rep)
    response = client.post(reverse("quotes:create"), {"account": account.pk, "term_months": 12})
    quote = account.quotes.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("quotes:builder", args=[quote.pk])
    page = client.get(response["Location"])
    assert "Add products" in page.content.decode() and quote.number in page.content.decode()


def test_list_filters_by_state_and_search(client, catalog, sales_rep):
    draft = draft_quote(sales_rep, lines=[("ONBOARDING", 1, "0")])
    approved = draft_quote(sales_rep, lines=[("ONBOARDING", 1, "0")])
    services.submit_for_approval(quote=approved, by=sales_rep)
    client.force_login(sales_rep)
    page = client.get(reverse("quotes:list"), {"state": "approved"}).content.decode()
    assert approved.number in page and draft.number not in page
    page = client.get(reverse("quotes:list"), {"q": draft.number}).content.decode()
    assert draft.number in page and approved.number not in page


def _builder_queries(client, quote):
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("quotes:builder", args=[quote.pk]))
    assert response.status_code == 200
    return len(context)


def test_builder_query_count_is_the_same_for_5_and_200_lines(client, catalog, sales_rep,
                                                              django_assert_num_queries):
    small = draft_quote(sales_rep, lines=seat_lines(5))
    large = draft_quote(sales_rep, lines=seat_lines(200))
    client.force_login(sales_rep)
    _builder_queries(client, small)  # warm the session and content type caches
    queries = _builder_queries(client, small)
    with django_assert_num_queries(queries):
        response = client.get(reverse("quotes:builder", args=[large.pk]))
    page = response.content.decode()
    # the table shows 100 lines a page; the totals cover all 200
    assert page.count('id="line-') == 100 and "Page 1 of 2" in page
    assert f'data-total="tcv">${large.total_contract_value:,.2f}' in page


def _recalc_queries(client, quote, quantity):
    line = quote.lines.order_by("position")[len(quote.lines.all()) // 2]
    url = reverse("quotes:line_update", args=[quote.pk, line.pk])
    with CaptureQueriesContext(connection) as context:
        response = client.post(url, {"quantity": str(quantity), "discount_percent": "10"},
                               HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'hx-swap-oob="true"' in response.content.decode()
    return len(context)


def test_recalculation_query_count_is_the_same_for_5_and_200_lines(client, catalog, sales_rep):
    small = draft_quote(sales_rep, lines=seat_lines(5))
    large = draft_quote(sales_rep, lines=seat_lines(200))
    client.force_login(sales_rep)
    _recalc_queries(client, small, 3)  # warm the session and content type caches
    # session, user, permissions (2), the line with its visible quote, the savepoint pair, the
    # locked quote and line, the percentage check, tax rates, the line's update, the totals'
    # sums, the quote's update, the approval preview (the lines' facts, the exchange rates, the
    # active rules), the user's groups (navigation); the second-factor device is cached
    assert _recalc_queries(client, small, 4) == _recalc_queries(client, large, 4) == 18


def test_htmx_line_change_returns_the_row_and_the_totals(client, quote, sales_rep):
    seats = quote.lines.get(product__sku="SEAT-USER")
    client.force_login(sales_rep)
    response = client.post(reverse("quotes:line_update", args=[quote.pk, seats.pk]),
                           {"quantity": "20", "discount_percent": "50",
                            "discount_per_period": "0"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<tr id="line-{seats.pk}"')
    assert 'data-line="net">$3,240.00' in body  # 20 × 324 × 50%
    assert 'id="quote-totals" hx-swap-oob="true"' in body
    assert 'data-total="tcv">$8,240.00' in body
    quote.refresh_from_db()
    assert quote.total_contract_value == D("8240")


def test_htmx_line_change_with_a_bad_discount_shows_the_error_in_the_row(client, quote,
                                                                         sales_rep):
    seats = quote.lines.get(product__sku="SEAT-USER")
    client.force_login(sales_rep)
    body = client.post(reverse("quotes:line_update", args=[quote.pk, seats.pk]),
                       {"quantity": "10", "discount_percent": "150"},
                       HTTP_HX_REQUEST="true").content.decode()
    assert 'role="alert"' in body and "100" in body


def test_adding_a_configured_product_shows_rule_errors_inline(client, quote, sales_rep):
    client.force_login(sales_rep)
    platform = product("PLATFORM")
    response = client.post(reverse("quotes:line_add", args=[quote.pk]), {
        "product": platform.pk, "quantity": "1", "configured": "1", "one-1": "PLAT-STARTER",
        "option": ["SEAT-USER", "SEAT-SSO"], "qty-SEAT-USER": "5", "qty-SEAT-SSO": "5"},
        HTTP_HX_REQUEST="true")
    assert "Single sign-on needs the Professional or Enterprise edition." in (
        response.content.decode())
    ok = client.post(reverse("quotes:line_add", args=[quote.pk]), {
        "product": platform.pk, "quantity": "1", "configured": "1", "one-1": "PLAT-PRO",
        "option": ["SEAT-USER"], "qty-SEAT-USER": "5"}, HTTP_HX_REQUEST="true")
    body = ok.content.decode()
    assert "HX-Redirect" not in ok.headers and "Q2C Cloud Platform added." in body
    assert '<section id="quote-lines-section" hx-swap-oob="true"' in body
    assert quote.lines.filter(parent__isnull=False).count() == 2


def test_product_search_and_configure_endpoints(client, quote, sales_rep):
    client.force_login(sales_rep)
    found = client.get(reverse("quotes:product_search", args=[quote.pk]), {"q": "platform"})
    assert "Configure" in found.content.decode()
    form = client.get(reverse("quotes:configure", args=[quote.pk]),
                      {"product": product("PLATFORM").pk}).content.decode()
    assert 'type="radio" name="one-1" value="PLAT-PRO"' in form


def test_remove_and_submit_from_the_builder(client, quote, sales_rep):
    client.force_login(sales_rep)
    onboarding = quote.lines.get(product__sku="ONBOARDING")
    client.post(reverse("quotes:line_remove", args=[quote.pk, onboarding.pk]))
    response = client.post(reverse("quotes:submit", args=[quote.pk]), follow=True)
    quote.refresh_from_db()
    assert quote.state == QuoteState.APPROVED and quote.lines.count() == 1
    assert "No approval rule applies" in response.content.decode()


def test_removing_a_line_returns_to_the_page_it_was_on(client, catalog, sales_rep):
    quote = draft_quote(sales_rep, lines=seat_lines(130))
    page_two = reverse("quotes:builder", args=[quote.pk]) + "?page=2"
    line = quote.lines.order_by("position").last()
    client.force_login(sales_rep)
    response = client.post(reverse("quotes:line_remove", args=[quote.pk, line.pk]),
                           HTTP_REFERER=f"http://testserver{page_two}")
    assert response["Location"] == f"http://testserver{page_two}"
    response = client.post(reverse("quotes:line_remove", args=[quote.pk, quote.lines.first().pk]),
                           HTTP_REFERER="https://elsewhere.example/")
    assert response["Location"] == reverse("quotes:builder", args=[quote.pk])
    assert quote.lines.count() == 128


def test_approvals_page_and_decisions(client, catalog, sales_rep, finance):
    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 10, "30")])
    services.submit_for_approval(quote=quote, by=sales_rep)
    client.force_login(finance)
    page = client.get(reverse("quotes:approvals")).content.decode()
    assert quote.number in page and "30.0% off" in page
    response = client.post(reverse("quotes:reject", args=[quote.pk]), {"comment": ""},
                           follow=True)
    assert "Say why" in response.content.decode()
    client.post(reverse("quotes:approve", args=[quote.pk]), {"comment": "fine"})
    quote.refresh_from_db()
    assert quote.state == QuoteState.APPROVED


def _queue_page(client):
    with CaptureQueriesContext(connection) as context:
        page = client.get(reverse("quotes:approvals")).content.decode()
    return page, len(context)


def test_the_approvals_queue_shows_what_the_approver_weighs(client, catalog, sales_rep,
                                                              teammate_rep, finance):
    # given 10 seats at 30% off (cost 2 a seat a month) and onboarding (cost 2,500)
    quote = draft_quote(sales_rep, lines=[("SEAT-USER", 10, "30"), ("ONBOARDING", 1, "0")])
    services.submit_for_approval(quote=quote, by=sales_rep)
    client.force_login(finance)
    # when finance opens the queue
    page, one = _queue_page(client)
    # then it shows the discount, what is given away over the term, the margin against unit
    # cost, the payment terms and the rule
    assert 'data-fact="discount">11.8% off a list of $8,240.00' in page
    assert 'data-fact="given-away">$972.00 over the whole 12-month term' in page
    assert ('data-fact="margin">62.3%: net of coupons $7,268.00 against a cost of $2,740.00'
            in page)
    assert f'data-fact="terms">{quote.payment_terms.name} (last amount due after ' in page
    assert 'data-fact="rules">Line discount above 20%' in page
    # and its queries do not grow with the quotes waiting
    for owner in (sales_rep, teammate_rep, teammate_rep):
        other = draft_quote(owner, lines=[("SEAT-USER", 5, "40"), ("API-CALLS", 1000, "0")])
        services.submit_for_approval(quote=other, by=owner)
    page, many = _queue_page(client)
    assert page.count('data-fact="margin"') == 4 and many == one


def test_detail_page_of_a_revision_shows_diff_timeline_and_send_actions(client, quote,
                                                                        sales_rep):
    services.submit_for_approval(quote=quote, by=sales_rep)
    revision = services.revise_quote(quote=quote, by=sales_rep)
    services.add_line(quote=revision, product=product("DEVICE-GW"), by=sales_rep)
    services.submit_for_approval(quote=revision, by=sales_rep)
    client.force_login(sales_rep)
    page = client.get(reverse("quotes:detail", args=[revision.pk])).content.decode()
    assert "Changes against the previous version" in page and "Edge gateway device" in page
    assert "History" in page and 'id="quote-actions"' in page


def _post_line(client, quote, line, **fields):
    data = {"quantity": "10", "discount_percent": "0", "discount_per_period": "0", **fields}
    return client.post(reverse("quotes:line_update", args=[quote.pk, line.pk]), data,
                       HTTP_HX_REQUEST="true").content.decode()


def test_the_rep_aligns_a_recurring_line_to_its_start_day(client, quote, sales_rep):
    seats = quote.lines.get(product__sku="SEAT-USER")
    client.force_login(sales_rep)
    builder = client.get(reverse("quotes:builder", args=[quote.pk])).content.decode()

    body = _post_line(client, quote, seats, billing_alignment="anniversary")

    assert f'aria-label="Billing alignment of line {seats.position}"' in builder
    assert '<option value="bill_day" selected>Account&#x27;s bill day</option>' in builder
    assert '<option value="anniversary" selected>' in body
    seats.refresh_from_db()
    assert seats.billing_alignment == "anniversary"


def test_a_line_change_without_an_alignment_keeps_it(client, quote, sales_rep):
    seats = quote.lines.get(product__sku="SEAT-USER")
    client.force_login(sales_rep)
    _post_line(client, quote, seats, billing_alignment="calendar")

    _post_line(client, quote, seats, quantity="12")

    seats.refresh_from_db()
    assert (seats.quantity, seats.billing_alignment) == (D(12), "calendar")


def test_an_unknown_alignment_is_refused_in_the_row(client, quote, sales_rep):
    seats = quote.lines.get(product__sku="SEAT-USER")
    client.force_login(sales_rep)

    body = _post_line(client, quote, seats, billing_alignment="fortnightly")

    assert 'role="alert"' in body and "fortnightly is not one of the available" in body
    seats.refresh_from_db()
    assert seats.billing_alignment == "bill_day"


def test_a_one_time_line_has_no_alignment_to_choose(client, quote, sales_rep):
    onboarding = quote.lines.get(product__sku="ONBOARDING")
    client.force_login(sales_rep)
    builder = client.get(reverse("quotes:builder", args=[quote.pk])).content.decode()

    body = _post_line(client, quote, onboarding, quantity="1", billing_alignment="calendar")

    assert f'aria-label="Billing alignment of line {onboarding.position}"' not in builder
    assert "A one-time line has no billing periods to align." in body
    onboarding.refresh_from_db()
    assert onboarding.billing_alignment == "bill_day"
