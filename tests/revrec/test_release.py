"""What a run posts per revenue contract (pure): the booked-rate release, the contract asset,
and the revenue lines by family that add up exactly."""

from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from ledger import chart
from revrec.postings import revenue_entry, split_by_family
from revrec.release import Position, release

END = date(2026, 12, 31)


def test_revenue_up_to_what_was_billed_is_released_at_the_booked_rate():
    # 1,000 EUR billed at 1.10; 250 recognized while the month's rate is 1.30
    result = release(Position(), recognized=D("250.00"), billed=D("1000.00"),
                     billed_functional=D("1100.00"), rate=D("1.30"), currency="EUR",
                     functional_currency="USD")
    assert (result.revenue, result.reclass) == (D("275.00"), D(0))


def test_revenue_beyond_what_was_billed_is_a_contract_asset_at_the_months_rate():
    result = release(Position(), recognized=D("1200.00"), billed=D("1000.00"),
                     billed_functional=D("1100.00"), rate=D("1.30"), currency="EUR",
                     functional_currency="USD")
    assert result.revenue == D("1100.00") + D("260.00")
    assert result.reclass == result.after.contract_asset == D("260.00")


def test_when_the_bill_catches_up_the_asset_goes_back():
    before = Position(D("1200.00"), D("1360.00"), D("260.00"))
    result = release(before, recognized=D(0), billed=D("1200.00"),
                     billed_functional=D("1320.00"), rate=D("1.30"), currency="EUR",
                     functional_currency="USD")
    # everything billed is recognized: exactly what was booked is released (1,320); the 40
    # recognized at 1.30 and billed at 1.10 is an exchange loss, not less revenue
    assert (result.revenue, result.fx, result.reclass) == (D(0), D("-40.00"), D("-260.00"))
    assert result.after.contract_asset == D(0)


def test_the_revenue_entry_credits_each_family_and_balances():
    families = split_by_family(D("100.00"), {"Seats": D("60.00"), "Services": D("30.00")}, "USD",
                               rate=D(1))
    entry = revenue_entry(families=families, month_end=END, label="RC-1 2026-12", source=None,
                          customer_account_id=7, currency="EUR")
    assert entry.total_debit == entry.total_credit == D("100.00")
    assert [(line.gl_code, line.credit, line.description) for line in entry.lines[1:]] == [
        (chart.REVENUE, D("66.67"), "Seats"), (chart.REVENUE, D("33.33"), "Services")]
    assert entry.lines[0].document_amount == D("90.00")


def test_a_negative_month_mirrors_the_entry_and_an_asset_reclass_debits_unbilled():
    families = split_by_family(D("-10.00"), {"Seats": D("-10.00")}, "USD", rate=D(1))
    entry = revenue_entry(families=families, month_end=END, label="x", source=None,
                          customer_account_id=7, currency="USD")
    assert (entry.lines[0].credit, entry.lines[1].debit) == (D("10.00"), D("10.00"))
    reclass = revenue_entry(families=[], month_end=END, label="x", source=None,
                            customer_account_id=7, currency="USD", reclass=D("5.00"))
    assert reclass.memo == "Contract asset reclass x"
    assert [(line.gl_code, line.debit, line.credit) for line in reclass.lines] == [
        (chart.UNBILLED_RECEIVABLE, D("5.00"), D(0)), (chart.DEFERRED_REVENUE, D(0), D("5.00"))]
    assert revenue_entry(families=[], month_end=END, label="x", source=None,
                         customer_account_id=7, currency="USD") is None


def test_the_month_revenue_and_its_reclass_are_one_balanced_entry():
    # recognized ahead of billing (IFRS 15.107: a contract asset): the revenue released and
    # the asset it leaves in one entry of the contract's month, both on the customer account
    families = split_by_family(D("30.00"), {"Seats": D("30.00")}, "USD", rate=D(1))
    entry = revenue_entry(families=families, month_end=END, label="RC-1 2026-12", source=None,
                          customer_account_id=7, currency="USD", reclass=D("30.00"))
    assert entry.memo == "Revenue recognized RC-1 2026-12"
    assert [(line.gl_code, line.debit, line.credit, line.customer_account_id)
            for line in entry.lines] == [
        (chart.DEFERRED_REVENUE, D("30.00"), D(0), 7), (chart.REVENUE, D(0), D("30.00"), None),
        (chart.UNBILLED_RECEIVABLE, D("30.00"), D(0), 7),
        (chart.DEFERRED_REVENUE, D(0), D("30.00"), 7)]
    assert entry.total_debit == entry.total_credit == D("60.00")


amounts = st.integers(-10**8, 10**8).map(lambda n: D(n) / 100)


@given(st.dictionaries(st.sampled_from(["A", "B", "C", "D"]), amounts, min_size=1),
       st.integers(1, 300).map(lambda n: D(n) / 100))
def test_family_lines_add_up_to_the_months_revenue(families, rate):
    total = sum(families.values(), D(0))
    functional = (total * rate).quantize(D("0.01"))
    split = split_by_family(functional, families, "USD", rate=rate)
    assert sum(f.functional for f in split) == functional


@given(st.lists(st.tuples(amounts.filter(lambda a: a >= 0), st.integers(1, 300)), min_size=1,
                max_size=6))
def test_cumulative_release_never_drifts(months):
    # what is recognized, month after month, of a contract billed in full up front at 1.10
    total = sum((amount for amount, _ in months), D(0))
    position = Position()
    for amount, rate in months:
        result = release(position, recognized=amount, billed=total,
                         billed_functional=(total * D("1.1")).quantize(D("0.01")),
                         rate=D(rate) / 100, currency="EUR", functional_currency="USD")
        position = result.after
    assert position.recognized_functional == (total * D("1.1")).quantize(D("0.01"))
    assert position.contract_asset == 0


def test_a_month_without_recognition_posts_no_revenue_only_the_exchange_difference():
    before = Position(D("100.00"), D("130.00"), D("130.00"))  # recognized unbilled at 1.30
    result = release(before, recognized=D(0), billed=D("100.00"),
                     billed_functional=D("110.00"), rate=D("1.40"), currency="EUR",
                     functional_currency="USD")
    assert (result.revenue, result.fx) == (D(0), D("-20.00"))
    assert result.after.contract_asset == D(0) and result.reclass == D("-130.00")
