"""The account's delivery choice for its documents (issue #16): set where accounts are edited;
post needs the billing address."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from customers.models import DocumentDelivery
from customers.services import update_account
from tests.customers.test_views import _account_post

pytestmark = pytest.mark.django_db


def test_a_new_account_takes_its_documents_by_email(book):
    assert book["rep"].document_delivery == DocumentDelivery.EMAIL


def test_the_edit_page_sets_the_delivery(client, book, sales_rep):
    account = book["rep"]
    client.force_login(sales_rep)

    response = client.post(reverse("customers:edit", args=[account.pk]), _account_post(
        owner=sales_rep.pk, document_delivery="post", billing_street="1 Main St",
        billing_city="Springfield", billing_postal_code="12345"))

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.document_delivery == DocumentDelivery.POST


def test_post_without_a_billing_address_is_refused_on_the_field(client, book, finance):
    account = book["rep"]
    client.force_login(finance)

    response = client.post(reverse("customers:edit", args=[account.pk]),
                           _account_post(owner=account.owner_id, document_delivery="post"))

    assert response.status_code == 200
    assert response.context["form"].errors["document_delivery"] == [
        "Documents sent by post need the billing address (street, city and postal code)."]
    with pytest.raises(ValidationError, match="need the billing address"):
        update_account(account=account, by=finance, document_delivery="post")
    account.refresh_from_db()
    assert account.document_delivery == DocumentDelivery.EMAIL


def test_an_unknown_delivery_is_refused(book, finance):
    with pytest.raises(ValidationError) as refused:
        update_account(account=book["rep"], by=finance, document_delivery="pigeon")
    assert "document_delivery" in refused.value.message_dict
