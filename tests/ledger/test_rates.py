import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ledger import services
from ledger.fx import MissingRate
from ledger.models import ExchangeRate
from tests.ledger.factories import ExchangeRateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def eur_rates(db):
    ExchangeRateFactory(currency="EUR", valid_on=dt.date(2026, 1, 1), rate=Decimal("1.10"))
    ExchangeRateFactory(currency="EUR", valid_on=dt.date(2026, 2, 1), rate=Decimal("1.08"))
    ExchangeRateFactory(currency="GBP", valid_on=dt.date(2026, 3, 1), rate=Decimal("1.27"))


def test_rate_on_is_the_latest_on_or_before_the_date(eur_rates):
    assert services.rate_on("EUR", dt.date(2026, 1, 31)) == Decimal("1.10")
    assert services.rate_on("eur", dt.date(2026, 2, 1)) == Decimal("1.08")
    assert services.rate_on("EUR", dt.date(2027, 1, 1)) == Decimal("1.08")


def test_functional_currency_rate_is_one(db):
    assert services.rate_on("USD", dt.date(2000, 1, 1)) == 1


def test_missing_rate_is_a_clear_error(eur_rates):
    with pytest.raises(ValidationError, match="No exchange rate for EUR on or before 2025-12-31"):
        services.rate_on("EUR", dt.date(2025, 12, 31))
    with pytest.raises(ValidationError, match="No exchange rate for JPY"):
        services.to_functional(Decimal("100"), "JPY", dt.date(2026, 5, 1))


def test_to_functional_rounds_once_to_the_functional_currency(eur_rates):
    assert services.to_functional(Decimal("10.05"), "EUR", dt.date(2026, 1, 15)) == (
        Decimal("11.06"), Decimal("1.10"))  # 11.055 rounds half up
    assert services.to_functional(Decimal("3"), "USD", dt.date(2026, 1, 15)) == (
        Decimal("3.00"), Decimal("1"))


def test_rate_book_answers_in_memory_like_rate_on(eur_rates, django_assert_num_queries):
    with django_assert_num_queries(1):
        book = services.rate_book(["EUR", "GBP", "USD"], up_to=dt.date(2026, 12, 31))
    with django_assert_num_queries(0):
        assert book.rate_on("EUR", dt.date(2026, 1, 31)) == Decimal("1.10")
        assert book.rate_on("EUR", dt.date(2026, 2, 1)) == Decimal("1.08")
        assert book.to_functional(Decimal("2"), "GBP", dt.date(2026, 3, 1)) == (
            Decimal("2.54"), Decimal("1.27"))
        assert book.rate_on("USD", dt.date(2026, 3, 1)) == 1
        with pytest.raises(MissingRate, match="No exchange rate for GBP on or before 2026-02-28"):
            book.rate_on("GBP", dt.date(2026, 2, 28))


def test_good_file_imports_and_upserts(finance, eur_rates):
    csv = "currency,date,rate\nEUR,2026-01-01,1.12\nGBP,2026-04-01,1.2612345\n"

    result = services.import_rate_file(io.BytesIO(csv.encode()), by=finance)

    assert (result.created, result.updated) == (1, 1)
    assert services.rate_on("EUR", dt.date(2026, 1, 5)) == Decimal("1.12")
    assert services.rate_on("GBP", dt.date(2026, 4, 2)) == Decimal("1.2612345")


def test_header_order_case_and_bom_do_not_matter(finance):
    csv = "\ufeffRate, Date ,CURRENCY\n0.0067,2026-01-01,jpy\n"
    services.import_rate_file(io.BytesIO(csv.encode()), by=finance)
    assert ExchangeRate.objects.get().currency == "JPY"


def test_bad_file_is_refused_whole_with_each_line_and_reason(finance, eur_rates):
    before = list(ExchangeRate.objects.values_list("currency", "valid_on", "rate"))
    csv = ("currency,date,rate\n"
           "EUR,2026-01-01,1.50\n"        # good, but must not be saved
           "EUR,2026-13-01,1.1\n"         # line 3
           "XYZ,2026-01-01,abc\n"         # line 4: two reasons
           "GBP,2026-01-02,-1\n"          # line 5
           "USD,2026-01-02,1\n"           # line 6
           "EUR,2026-01-01,1.51\n")       # line 7 repeats line 2

    with pytest.raises(ValidationError) as caught:
        services.import_rate_file(io.BytesIO(csv.encode()), by=finance)

    messages = caught.value.messages
    assert [m.split(":")[0] for m in messages] == ["Line 3", "Line 4", "Line 5", "Line 6", "Line 7"]
    assert "the date '2026-13-01' is not a date" in messages[0]
    assert "unknown currency 'XYZ'" in messages[1]
    assert "the rate 'abc' is not a number" in messages[1]
    assert "must be positive" in messages[2]
    assert "USD is the functional currency" in messages[3]
    assert "EUR on 2026-01-01 is already on line 2" in messages[4]
    assert list(ExchangeRate.objects.values_list("currency", "valid_on", "rate")) == before


@pytest.mark.parametrize("content, message", [
    (b"currency,rate\nEUR,1\n", "Line 1: the header needs the columns currency, date, rate; "
                                "missing date"),
    (b"currency,date,rate\n", "The file has no rates"),
    (b"\xff\xfe\x00", "The file is not UTF-8 text"),
    (b"currency,date,rate\nEUR,2026-01-01,1.123456789\n", "more than 8 decimal places"),
    (b"currency,date,rate\nEUR,2026-01-01,1,extra\n", "more columns than the header"),
])
def test_malformed_files_are_refused(finance, content, message):
    with pytest.raises(ValidationError, match=message):
        services.import_rate_file(io.BytesIO(content), by=finance)
    assert not ExchangeRate.objects.exists()


def test_a_workbook_of_rates_is_read_like_a_csv(finance):
    from tests.core.test_imports import xlsx

    workbook = io.BytesIO(xlsx([["Currency", "Date", "Rate"], ["eur", dt.date(2026, 1, 1), 1.25],
                                ["GBP", "2026-01-01", "1.2612345"]]))
    workbook.name = "rates.xlsx"
    assert services.import_rate_file(workbook, by=finance).created == 2
    assert services.rate_on("EUR", dt.date(2026, 1, 2)) == Decimal("1.25")
    assert services.rate_on("GBP", dt.date(2026, 1, 2)) == Decimal("1.2612345")


def test_a_file_over_two_megabytes_is_refused_before_it_is_read(finance):
    big = b"currency,date,rate\n" + b"EUR,2026-01-01,1.1\n" * 120_000
    with pytest.raises(ValidationError, match="The file is larger than 2 MB, the most this "
                                              "import reads."):
        services.import_rate_file(io.BytesIO(big), by=finance)


def test_import_needs_the_permission(sales_rep):
    with pytest.raises(PermissionDenied):
        services.import_rate_file(io.BytesIO(b"currency,date,rate\nEUR,2026-01-01,1\n"),
                                  by=sales_rep)
