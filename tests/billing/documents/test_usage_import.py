"""Usage import: a good file is imported whole, a bad or tampered one not at all, a repeat adds
nothing."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import UsageImport, UsageRecord
from billing.services.usage_import import import_usage_csv
from catalog.models import ProductKind, RevenueRule
from tests.catalog.factories import ProductFactory
from tests.customers.factories import AccountFactory

pytestmark = pytest.mark.django_db

HEADER = "account,sku,quantity,timestamp,idempotency_key\n"


@pytest.fixture
def metered():
    return ProductFactory(sku="API-CALLS", kind=ProductKind.USAGE,
                          revenue_rule=RevenueRule.AS_BILLED)


def _file(account, *rows) -> bytes:
    return (HEADER + "".join(f"{account.pk},API-CALLS,{q},2026-11-{d:02d}T10:00:00Z,{k}\n"
                             for q, d, k in rows)).encode()


def test_a_good_file_is_imported_in_one_go_and_recorded(finance, metered):
    account = AccountFactory()
    content = _file(account, ("10", 1, "a-1"), ("2.5", 2, "a-2"), ("0", 3, "a-3"))

    result = import_usage_csv(content=content, file_name="nov.csv", by=finance)

    assert (result.created, result.skipped, result.repeated_file) == (3, 0, False)
    assert sorted(UsageRecord.objects.values_list("idempotency_key", "quantity")) == [
        ("a-1", D("10")), ("a-2", D("2.5")), ("a-3", D("0"))]
    assert result.usage_import.sha256 and result.usage_import.row_count == 3


def test_reimporting_the_same_file_adds_nothing(finance, metered):
    account = AccountFactory()
    content = _file(account, ("10", 1, "a-1"), ("2", 2, "a-2"))
    first = import_usage_csv(content=content, file_name="nov.csv", by=finance)

    again = import_usage_csv(content=content, file_name="nov (copy).csv", by=finance)

    assert again.repeated_file and again.usage_import == first.usage_import
    assert UsageRecord.objects.count() == 2 and UsageImport.objects.count() == 1


def test_an_overlapping_file_adds_only_its_new_keys(finance, metered):
    account = AccountFactory()
    import_usage_csv(content=_file(account, ("10", 1, "a-1")), file_name="a.csv", by=finance)

    result = import_usage_csv(content=_file(account, ("10", 1, "a-1"), ("4", 2, "a-2")),
                              file_name="b.csv", by=finance)

    assert (result.created, result.skipped) == (1, 1)
    assert UsageRecord.objects.count() == 2


def test_a_file_with_one_bad_row_imports_nothing_and_names_each_bad_line(finance, metered):
    account = AccountFactory()
    content = (_file(account, ("10", 1, "a-1"))
               + b"999999,API-CALLS,1,2026-11-01T10:00:00Z,a-2\n"
               + f"{account.pk},API-CALLS,lots,2026-11-01T10:00:00Z,a-3\n".encode())

    with pytest.raises(ValidationError) as caught:
        import_usage_csv(content=content, file_name="bad.csv", by=finance)

    assert caught.value.messages == [
        "Line 4: the quantity 'lots' is not a number."]
    assert not UsageRecord.objects.exists() and not UsageImport.objects.exists()

    content = _file(account, ("10", 1, "a-1")) + b"999999,API-CALLS,1,2026-11-01T10:00:00Z,x\n"
    with pytest.raises(ValidationError) as caught:
        import_usage_csv(content=content, file_name="bad.csv", by=finance)
    assert caught.value.messages == ["Line 3: unknown account '999999'."]
    assert not UsageRecord.objects.exists()


def test_a_tampered_file_changing_a_stored_key_imports_nothing(finance, metered):
    account = AccountFactory()
    import_usage_csv(content=_file(account, ("10", 1, "a-1")), file_name="a.csv", by=finance)

    tampered = _file(account, ("1000", 1, "a-1"), ("5", 2, "a-2"))
    with pytest.raises(ValidationError, match="Line 2: the idempotency key 'a-1' was imported "
                                              "before with another product, quantity or time"):
        import_usage_csv(content=tampered, file_name="a.csv", by=finance)

    assert list(UsageRecord.objects.values_list("idempotency_key", "quantity")) == [
        ("a-1", D("10"))]


def test_an_account_can_be_named_by_its_unique_name(finance, metered):
    account = AccountFactory(name="Globex")
    content = HEADER + "Globex,API-CALLS,3,2026-11-01T10:00:00Z,g-1\n"
    import_usage_csv(content=content.encode(), file_name="g.csv", by=finance)
    assert UsageRecord.objects.get().account == account


def test_sales_and_accountants_cannot_import_usage(sales_rep, sales_manager, accountant,
                                                   metered):
    content = _file(AccountFactory(), ("1", 1, "k"))
    for user in (sales_rep, sales_manager, accountant):
        with pytest.raises(PermissionDenied):
            import_usage_csv(content=content, file_name="x.csv", by=user)
    assert not UsageRecord.objects.exists()


def test_the_import_query_count_does_not_grow_with_the_rows(finance, metered,
                                                            django_assert_num_queries):
    account = AccountFactory()
    few = _file(account, *[("1", 1, f"f-{i}") for i in range(3)])
    # 120 rows: one INSERT batch on SQLite too (it caps the parameters of a statement)
    many = _file(account, *[("1", 1, f"m-{i}") for i in range(120)])
    import_usage_csv(content=_file(account, ("1", 1, "warm")), file_name="w.csv",
                     by=finance)  # the user's permissions are cached from here on
    with CaptureQueriesContext(connection) as few_queries:
        import_usage_csv(content=few, file_name="few.csv", by=finance)
    with django_assert_num_queries(len(few_queries.captured_queries)):
        import_usage_csv(content=many, file_name="many.csv", by=finance)
