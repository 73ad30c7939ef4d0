"""The buyer's e-invoicing data on its account: a VAT ID of its country's format (python-stdnum),
kept compact; the mandate a direct debit needs; a valid debtor IBAN."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers import services
from tests.customers.factories import terms

pytestmark = pytest.mark.django_db


def _fields(**overrides):
    fields = {"name": "Brussels Analytics", "country": "BE", "currency": "EUR",
              "payment_terms": terms("net-30"), "credit_limit": Decimal("0")}
    return {**fields, **overrides}


def test_a_belgian_vat_id_is_checked_and_kept_compact(sales_rep):
    account = services.create_account(by=sales_rep, **_fields(vat_id="be 0477.472.701",
                                                              purchase_order="PO-1"))

    assert (account.vat_id, account.purchase_order) == ("BE0477472701", "PO-1")


@pytest.mark.parametrize(("country", "vat_id", "message"), [
    ("BE", "BE0477472702", "not a valid EU VAT ID"),  # check digits wrong
    ("BE", "DE811128135", "starting with BE"),  # valid, but of another member state
    ("GR", "GR094259216", "starting with EL"),  # Greece writes EL
    ("CH", "CHE-116.281.711 MWST", "not a valid VAT ID of CH"),
])
def test_a_vat_id_of_the_wrong_format_is_refused_on_its_field(sales_rep, country, vat_id,
                                                              message):
    with pytest.raises(ValidationError) as refused:
        services.create_account(by=sales_rep, **_fields(country=country, vat_id=vat_id))

    assert message in " ".join(refused.value.message_dict["vat_id"])


def test_a_swiss_uid_and_a_greek_el_number_are_accepted(sales_rep):
    swiss = services.create_account(by=sales_rep, **_fields(country="CH", currency="CHF",
                                                            vat_id="CHE-116.281.710 MWST"))
    greek = services.create_account(by=sales_rep, **_fields(country="GR",
                                                            vat_id="EL094259216"))

    assert (swiss.vat_id, greek.vat_id) == ("CHE116281710MWST", "EL094259216")


def test_direct_debit_needs_a_mandate_and_a_valid_iban(sales_rep):
    with pytest.raises(ValidationError) as refused:
        services.create_account(by=sales_rep, **_fields(payment_means="direct_debit",
                                                        debtor_iban="BE71 0961 2345 6770"))

    assert set(refused.value.message_dict) == {"mandate_reference", "debtor_iban"}
    account = services.create_account(by=sales_rep, **_fields(
        payment_means="direct_debit", mandate_reference="M-42",
        debtor_iban="BE71 0961 2345 6769"))
    assert account.debtor_iban == "BE71096123456769"
