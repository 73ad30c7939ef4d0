"""Any mix of lines, rates and categories a document can carry builds into CII and UBL with no
fatal finding of the official rules, and the XML's totals add up to the lines. No database."""

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from billing.einvoice import cii, ubl, validation
from billing.einvoice.document import Category, Document, DocumentKind, Line
from core.money import round_money
from tests.billing.einvoice import examples

REASONS = {Category.EXEMPT: ("Exempt from VAT", ""), Category.REVERSE_CHARGE:
           examples.REVERSE_CHARGE, Category.INTRA_COMMUNITY: examples.INTRA_COMMUNITY,
           Category.EXPORT: examples.EXPORT}
CATEGORIES = [Category.STANDARD, Category.ZERO, Category.EXEMPT, Category.REVERSE_CHARGE,
              Category.INTRA_COMMUNITY, Category.EXPORT]


@st.composite
def lines(draw, currency):
    category = draw(st.sampled_from(CATEGORIES))
    percent = draw(st.sampled_from([D(19), D(7), D("5.5")])) if category is Category.STANDARD \
        else D(0)
    places = 0 if currency == "JPY" else 2
    net = D(draw(st.integers(min_value=-50_000, max_value=5_000_000))).scaleb(-places)
    quantity = D(draw(st.integers(min_value=1, max_value=40)))
    tax = round_money(net * percent / 100, currency)
    reason, code = REASONS.get(category, ("", ""))
    return Line("0", "Item", quantity, abs(net) / quantity, net, tax, category, percent, reason,
                code)


@st.composite
def documents(draw):
    currency = draw(st.sampled_from(["EUR", "JPY", "CHF"]))
    items = draw(st.lists(lines(currency), min_size=1, max_size=8))
    items = [replace(line, id=str(n)) for n, line in enumerate(items, start=1)]
    kind = draw(st.sampled_from(list(DocumentKind)))
    return Document(kind, "DOC-1", date(2026, 12, 7), currency, examples.SELLER,
                    examples.BELGIAN_BUYER, tuple(items), due_on=date(2027, 1, 6),
                    payment_means=examples.TRANSFER, delivered_on=date(2026, 12, 4),
                    deliver_to_country="BE")


@given(documents())
def test_any_document_passes_the_official_rules_in_both_syntaxes(document):
    for syntax, build in (("cii", cii.cii_xml), ("ubl", ubl.ubl_xml)):
        xml = build(document)
        assert validation.fatal(validation.findings(xml, syntax)) == [], syntax


@given(documents())
def test_the_payable_amount_is_the_lines_plus_their_tax(document):
    tree = etree.fromstring(ubl.ubl_xml(document))
    expected = sum((line.net_amount + line.tax_amount for line in document.lines), D(0))

    payable = tree.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount",
                            namespaces={"cac": ubl.CAC, "cbc": ubl.CBC})

    assert D(payable) == expected
