"""Reading a pasted SKU and quantity list (quotes.paste): worked examples and a round trip."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from quotes.paste import PastedRow, parse_pasted


def test_a_spreadsheet_copy_with_a_header_reads_each_row():
    text = "SKU\tQuantity\nseat-user\t25\nONBOARDING\t1\n\nDEVICE-GW\t1,200\n"
    assert parse_pasted(text) == [PastedRow(2, "SEAT-USER", D(25)),
                                  PastedRow(3, "ONBOARDING", D(1)),
                                  PastedRow(5, "DEVICE-GW", D(1200))]


def test_commas_spaces_and_a_missing_quantity_are_understood():
    assert parse_pasted("SEAT-USER, 10\nSEAT-SSO  2.5\nTRAINING-DAY") == [
        PastedRow(1, "SEAT-USER", D(10)), PastedRow(2, "SEAT-SSO", D("2.5")),
        PastedRow(3, "TRAINING-DAY", D(1))]


def test_each_bad_quantity_is_reported_on_its_own_line_in_plain_words():
    rows = parse_pasted("SEAT-USER ten\nSEAT-SSO -3\nSEAT-USER 0\nSEAT-USER 4")
    assert [(row.number, row.error) for row in rows] == [
        (1, "“ten” is not a quantity: write a number such as 12 or 2.5."),
        (2, "The quantity must be greater than zero."),
        (3, "The quantity must be greater than zero."),
        (4, "")]


def test_not_a_number_such_as_nan_or_infinity_is_refused():
    assert parse_pasted("SEAT-USER NaN")[0].error.startswith("“NaN” is not a quantity")
    assert parse_pasted("SEAT-USER Infinity")[0].quantity is None


SKU = st.from_regex(r"[A-Z][A-Z0-9-]{0,15}", fullmatch=True)
QUANTITY = st.decimals(min_value=D("0.0001"), max_value=D("1000000"), places=4)


@given(st.lists(st.tuples(SKU, QUANTITY, st.sampled_from(["\t", ",", " ", "; "])),
                max_size=30))
def test_rows_written_with_any_separator_read_back_exactly(rows):
    text = "\n".join(f"{sku}{sep}{quantity}" for sku, quantity, sep in rows)
    assert parse_pasted(text) == [PastedRow(n, sku, quantity)
                                  for n, (sku, quantity, _) in enumerate(rows, start=1)]


def test_a_sku_that_starts_like_a_header_word_is_still_a_row():
    assert parse_pasted("SKU-1 3\nPRODUCT-X\t2") == [PastedRow(1, "SKU-1", D(3)),
                                                    PastedRow(2, "PRODUCT-X", D(2))]


def test_a_hash_line_names_the_section_of_the_rows_after_it():
    rows = parse_pasted("SEAT-USER 5\n# Hardware\nDEVICE-GW 2\n## Services ##\nONBOARDING")
    assert [(row.sku, row.section) for row in rows] == [
        ("SEAT-USER", ""), ("DEVICE-GW", "Hardware"), ("ONBOARDING", "Services")]
