"""What an invoice about to be issued lacks for its e-invoice, checked before it gets its number
(an issued invoice never changes, so a gap found later costs a credit note and a new invoice).

A pure pre-check of the data only EN 16931 rules ask for and our documents may lack: the
seller's identity from the company settings. The official rules still check every e-invoice
before it is sent (billing.einvoice.validation); this only stops the avoidable refusals early.
"""

from billing.einvoice.document import Category

SELLER_VAT_RULES = {  # category: the rule that wants the seller's VAT ID with it
    Category.STANDARD: "BR-S-02", Category.ZERO: "BR-Z-02", Category.EXEMPT: "BR-E-02",
    Category.REVERSE_CHARGE: "BR-AE-02", Category.INTRA_COMMUNITY: "BR-IC-02",
    Category.EXPORT: "BR-G-02",
}


def gaps(*, seller: dict, buyer: dict, categories: set[str], peppol: bool = False,
         xrechnung: bool = False, payment_means: dict | None = None,
         buyer_reference: str = "", purchase_order: str = "") -> list[str]:
    """Each EN 16931 rule the copies would break, with the field to fill and where; `peppol`:
    the document will claim Peppol BIS Billing 3.0, which wants a reference (R003);
    `xrechnung`: XRechnung, which wants the creditor ID with a direct debit (BR-DE-30)."""
    found = []
    means = payment_means or {}
    if xrechnung and means.get("kind") == "direct_debit" and not means.get("creditor_id"):
        found.append("BR-DE-30: a direct debit needs the company's SEPA creditor ID (BT-90), "
                     "which is not set (COMPANY_CREDITOR_ID).")
    if peppol and not (buyer_reference.strip() or purchase_order.strip()):
        found.append("PEPPOL-EN16931-R003: a Peppol invoice needs the buyer reference (BT-10) "
                     "or the PO number (BT-13): set the buyer reference or the PO number on "
                     "the account or on the draft.")
    if not (seller.get("legal_name") or seller.get("name")):
        found.append("BR-06: the seller's name (BT-27) is not set (COMPANY_LEGAL_NAME).")
    if not seller.get("country"):
        found.append("BR-09: the seller's country (BT-40) is not set (COMPANY_COUNTRY).")
    if not seller.get("vat_id"):
        rules = sorted({SELLER_VAT_RULES[Category(c)] for c in categories
                        if Category(c) in SELLER_VAT_RULES})
        if rules:
            found.append(f"{', '.join(rules)}: the seller's VAT ID (BT-31) is not set "
                         "(COMPANY_VAT_ID).")
    if not buyer.get("country"):
        found.append("BR-11: the buyer's country (BT-55) is not set on the account.")
    if Category.REVERSE_CHARGE in categories and not (buyer.get("vat_id")
                                                      or buyer.get("company_id")):
        found.append("BR-AE-02: the buyer's VAT ID (BT-48) is not set on the account.")
    if Category.INTRA_COMMUNITY in categories and not buyer.get("vat_id"):
        found.append("BR-IC-02: the buyer's VAT ID (BT-48) is not set on the account.")
    return found
