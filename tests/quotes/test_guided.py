"""Guided selling in the builder: the rep picks a family, answers its questions, and reviews
the lines the answers propose (priced in the quote's book, or why one cannot be added) before
adding the ticked ones; nothing is added by answering. htmx swaps only the questionnaire."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from catalog.models import GuidedAnswer, GuidedProposal, GuidedQuestion
from tests.quotes.factories import draft_quote, product

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def questionnaire(catalog):
    """Seats: who signs in (10 or 50 seats), and SSO (adds single sign-on per seat); a third
    answer proposes the configurable platform, which must be configured instead."""
    people = GuidedQuestion.objects.create(family="Seats", position=1,
                                           text="How many people sign in?")
    few = GuidedAnswer.objects.create(question=people, position=1, text="About 10")
    many = GuidedAnswer.objects.create(question=people, position=2, text="About 50")
    sso = GuidedQuestion.objects.create(family="Seats", position=2, text="Do they use SSO?")
    yes = GuidedAnswer.objects.create(question=sso, position=1, text="Yes")
    platform = GuidedAnswer.objects.create(question=sso, position=2, text="We need a platform")
    GuidedProposal.objects.create(answer=few, product=product("SEAT-USER"), quantity=D(10))
    GuidedProposal.objects.create(answer=many, product=product("SEAT-USER"), quantity=D(50))
    GuidedProposal.objects.create(answer=yes, product=product("SEAT-SSO"), quantity=D(50))
    GuidedProposal.objects.create(answer=yes, product=product("SEAT-USER"), quantity=D(5))
    GuidedProposal.objects.create(answer=platform, product=product("PLATFORM"), quantity=D(1))
    return {"people": people, "few": few, "many": many, "sso": sso, "yes": yes,
            "platform": platform}


@pytest.fixture
def quote(catalog, sales_rep):
    return draft_quote(sales_rep)


def guided(client, quote, **params):
    return client.get(reverse("quotes:guided", args=[quote.pk]), params, **HTMX)


def test_the_answers_propose_lines_to_review_and_nothing_is_added(client, quote, sales_rep,
                                                                  questionnaire):
    client.force_login(sales_rep)
    q = questionnaire

    body = guided(client, quote, family="Seats", **{
        f"q-{q['people'].pk}": q["many"].pk, f"q-{q['sso'].pk}": q["yes"].pk}).content.decode()

    # the questions in order with the chosen answers checked
    assert body.index("How many people sign in?") < body.index("Do they use SSO?")
    assert f'name="q-{q["people"].pk}" value="{q["many"].pk}" checked' in body
    # one row per product, quantities of the same product added up (50 + 5 seats), ticked
    seat, sso = product("SEAT-USER"), product("SEAT-SSO")
    assert f'<input type="checkbox" name="pick" value="{seat.pk}" checked' in body
    assert f'name="qty-{seat.pk}" type="number" step="any" min="0" value="55"' in body
    assert f'name="qty-{sso.pk}" type="number" step="any" min="0" value="50"' in body
    assert "<span data-price>$4.00 a unit · monthly</span>" in body  # priced in the book
    assert quote.lines.count() == 0


def test_a_proposed_product_that_cannot_be_added_says_why(client, quote, sales_rep,
                                                          questionnaire):
    client.force_login(sales_rep)
    q = questionnaire

    body = guided(client, quote, family="Seats",
                  **{f"q-{q['sso'].pk}": q["platform"].pk}).content.decode()

    assert "Q2C Cloud Platform has options: add it with Configure in the catalog." in body
    assert 'name="pick"' not in body


def test_the_ticked_proposals_are_added_with_the_quantities_the_rep_left(client, quote,
                                                                         sales_rep,
                                                                         questionnaire):
    client.force_login(sales_rep)
    seat, sso = product("SEAT-USER"), product("SEAT-SSO")

    # when the rep unticks single sign-on and lowers the seats to 40
    response = client.post(reverse("quotes:lines_add_many", args=[quote.pk]), {
        "pick": [seat.pk], f"qty-{seat.pk}": "40", f"qty-{sso.pk}": "50"}, **HTMX)

    assert "User seat added." in response.content.decode()
    assert list(quote.lines.values_list("product__sku", "quantity")) == [("SEAT-USER", D(40))]


def test_an_answer_from_another_family_or_unknown_is_ignored(client, quote, sales_rep,
                                                             questionnaire):
    other = GuidedQuestion.objects.create(family="Services", text="Training?")
    stray = GuidedAnswer.objects.create(question=other, text="Yes")
    GuidedProposal.objects.create(answer=stray, product=product("TRAINING-DAY"), quantity=D(2))
    client.force_login(sales_rep)
    q = questionnaire

    body = guided(client, quote, family="Seats", **{
        f"q-{q['people'].pk}": stray.pk, f"q-{q['sso'].pk}": "x" * 30}).content.decode()

    assert "Training day" not in body and 'id="guided-rows"' not in body


def test_a_family_without_questions_says_so(client, quote, sales_rep, questionnaire):
    client.force_login(sales_rep)

    body = guided(client, quote, family="Hardware").content.decode()

    assert "There are no questions for Hardware yet" in body


def test_the_questionnaire_costs_the_same_queries_whatever_its_size(
        client, quote, sales_rep, questionnaire, django_assert_max_num_queries):
    client.force_login(sales_rep)
    q = questionnaire
    params = {f"q-{q['people'].pk}": q["many"].pk, f"q-{q['sso'].pk}": q["yes"].pk}
    guided(client, quote, family="Seats", **params)  # warm the session and content types
    with django_assert_max_num_queries(15) as small:
        guided(client, quote, family="Seats", **params)
    # given ten more questions with answers and proposals
    for n in range(3, 13):
        extra = GuidedQuestion.objects.create(family="Seats", position=n, text=f"Q{n}")
        answer = GuidedAnswer.objects.create(question=extra, text="Yes")
        GuidedProposal.objects.create(answer=answer, product=product("SEAT-ANALYTICS"),
                                      quantity=D(1))
        params[f"q-{extra.pk}"] = answer.pk
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        body = guided(client, quote, family="Seats", **params).content.decode()
    assert 'value="10"' in body  # ten analytics seats proposed, added up
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.parametrize("who, status", [("other_rep", 404), ("accountant", 403)])
def test_the_wrong_people_cannot_open_the_questionnaire(client, quote, request, who, status,
                                                        questionnaire):
    client.force_login(request.getfixturevalue(who))

    assert guided(client, quote, family="Seats").status_code == status


def test_the_builder_offers_guided_selling_by_family(client, quote, sales_rep):
    client.force_login(sales_rep)

    body = client.get(reverse("quotes:builder", args=[quote.pk])).content.decode()

    assert 'id="guided-family" name="family"' in body and '<option value="Seats"' in body
