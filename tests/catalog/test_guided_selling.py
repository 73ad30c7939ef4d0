"""Guided selling is kept by the catalog admin in Django admin: a family's questions with their
answers, and on each answer's page the lines it proposes; a sales rep may read, not edit."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError
from django.urls import reverse

from catalog.models import GuidedAnswer, GuidedProposal, GuidedQuestion
from tests.catalog.factories import ProductFactory
from tests.catalog.test_admin import form_data, with_rows

pytestmark = pytest.mark.django_db


def test_a_catalog_admin_writes_a_question_its_answers_and_the_lines_they_propose(
        client, catalog_admin):
    seats = ProductFactory(sku="SEAT-X", family="Seats")
    client.force_login(catalog_admin)

    # when the admin adds a question with two answers
    url = reverse("admin:catalog_guidedquestion_add")
    data = with_rows(form_data(client, url, family="Seats", position="1",
                               text="How many people will sign in?", active="on"),
                     "answers", [{"position": "1", "text": "Up to 10"},
                                 {"position": "2", "text": "More than 10"}])
    assert client.post(url, data).status_code == 302

    # and the lines the second answer proposes
    answer = GuidedAnswer.objects.get(text="More than 10")
    url = reverse("admin:catalog_guidedanswer_change", args=[answer.pk])
    data = with_rows(form_data(client, url), "proposals",
                     [{"product": str(seats.pk), "quantity": "25"}])
    assert client.post(url, data).status_code == 302

    # then
    question = GuidedQuestion.objects.get()
    assert [a.text for a in question.answers.all()] == ["Up to 10", "More than 10"]
    assert list(GuidedProposal.objects.values_list("answer__text", "product__sku",
                                                   "quantity")) == [
        ("More than 10", "SEAT-X", D(25))]


def test_a_sales_rep_reads_but_cannot_change_the_questionnaire(client, sales_rep):
    question = GuidedQuestion.objects.create(family="Seats", text="Who signs in?")
    client.force_login(sales_rep)

    assert sales_rep.has_perm("catalog.view_guidedquestion")
    assert not sales_rep.has_perm("catalog.change_guidedquestion")
    assert client.get(reverse("admin:catalog_guidedquestion_add")).status_code != 200
    client.post(reverse("admin:catalog_guidedquestion_change", args=[question.pk]),
                {"family": "X", "position": "1", "text": "Changed"})
    question.refresh_from_db()
    assert question.text == "Who signs in?"


def test_a_proposal_needs_a_positive_quantity():
    answer = GuidedAnswer.objects.create(
        question=GuidedQuestion.objects.create(family="Seats", text="Who?"), text="Many")

    with pytest.raises(IntegrityError):
        GuidedProposal.objects.create(answer=answer, product=ProductFactory(), quantity=D(0))
