"""An invoice or credit note as EN 16931 sees it, in plain frozen dataclasses (no ORM), and the
sums the standard checks: the VAT breakdown per category and rate (BG-23) and the document totals
(BG-22). Business terms (BT-n) are named where a field carries one.

Amounts are the document's own, already rounded to its currency (core.money): line net amounts
and line taxes are added, never recomputed, so the XML says exactly what the PDF says. The VAT
breakdown's tax is the sum of the stored line taxes, which is what per-line rounding charged;
EN 16931 allows it to differ from base × rate by less than one unit (BR-CO-17).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

ZERO = Decimal(0)


class DocumentKind(StrEnum):
    INVOICE = "380"  # UNTDID 1001: commercial invoice
    CREDIT_NOTE = "381"


class Category(StrEnum):
    """UNCL 5305 VAT category codes (BT-151, BT-118)."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    OUTSIDE_SCOPE = "O"


NO_TAX = frozenset({Category.ZERO, Category.EXEMPT, Category.REVERSE_CHARGE,
                    Category.INTRA_COMMUNITY, Category.EXPORT, Category.OUTSIDE_SCOPE})
NEEDS_REASON = frozenset({Category.EXEMPT, Category.REVERSE_CHARGE, Category.INTRA_COMMUNITY,
                          Category.EXPORT, Category.OUTSIDE_SCOPE})


class PaymentKind(StrEnum):
    """UNCL 4461 payment means codes (BT-81)."""

    CREDIT_TRANSFER = "58"  # SEPA credit transfer
    CARD = "48"  # bank card
    DIRECT_DEBIT = "59"  # SEPA direct debit


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    postal_code: str
    country: str  # ISO 3166-1 alpha-2
    region: str = ""


@dataclass(frozen=True)
class Contact:
    """The seller's contact (BG-6), which XRechnung requires whole (BR-DE-2, BR-DE-5 to 7)."""

    name: str  # BT-41
    phone: str  # BT-42
    email: str  # BT-43


@dataclass(frozen=True)
class Party:
    name: str  # BT-27 / BT-44 (legal name)
    address: Address
    vat_id: str = ""  # BT-31 / BT-48
    company_id: str = ""  # BT-30 / BT-47
    trading_name: str = ""  # BT-28 / BT-45
    email: str = ""  # the electronic address (scheme EM) when there is no Peppol ID
    peppol_id: str = ""  # BT-34 / BT-49 as scheme:identifier (0208:0477472701)
    contact: Contact | None = None

    @property
    def endpoint(self) -> tuple[str, str] | None:
        """The electronic address (BT-34 / BT-49) as (scheme, identifier)."""
        if self.peppol_id:
            scheme, _, identifier = self.peppol_id.partition(":")
            return scheme, identifier
        return ("EM", self.email) if self.email else None


@dataclass(frozen=True)
class PaymentMeans:
    kind: PaymentKind
    iban: str = ""  # BT-84, the seller's account for a credit transfer
    bic: str = ""  # BT-86
    account_name: str = ""  # BT-85
    mandate_reference: str = ""  # BT-89
    debtor_iban: str = ""  # BT-91
    creditor_id: str = ""  # BT-90, the seller's SEPA creditor identifier
    card_number: str = ""  # BT-87, the card's last four to six digits only (BR-51)
    card_network: str = ""  # the card's network (UBL's NetworkID: VISA, MC, ...)
    card_holder: str = ""  # BT-88


@dataclass(frozen=True)
class LineCharge:
    """An invoice line charge (BG-28): a levy per unit carried in the line's net amount, so the
    VAT base of the line's category includes it (EN 16931 has no fixed amounts in BG-23)."""

    amount: Decimal  # BT-141
    reason: str  # BT-144
    reason_code: str = "ABK"  # BT-145, UNCL 7161 ("miscellaneous")


@dataclass(frozen=True)
class Line:
    id: str  # BT-126
    name: str  # BT-153
    quantity: Decimal  # BT-129
    unit_price: Decimal  # BT-146, net, never negative (BR-27)
    net_amount: Decimal  # BT-131
    tax_amount: Decimal  # not an EN 16931 term: what the line was charged, summed into BG-23
    category: Category  # BT-151
    percent: Decimal = ZERO  # BT-152
    exemption_reason: str = ""  # BT-120, carried into the breakdown of its category
    exemption_code: str = ""  # BT-121
    unit_code: str = "C62"  # BT-130, UN/ECE rec 20 "one"
    period_start: date | None = None  # BT-134
    period_end: date | None = None  # BT-135
    charges: tuple[LineCharge, ...] = ()  # BG-28, already in net_amount


@dataclass(frozen=True)
class AllowanceCharge:
    """A document-level allowance (BG-20) or charge (BG-21) with its VAT."""

    charge: bool
    amount: Decimal  # BT-92 / BT-99, positive
    tax_amount: Decimal
    reason: str  # BT-97 / BT-104
    category: Category
    percent: Decimal = ZERO
    reason_code: str = ""  # UNCL 5189 (allowance) / 7161 (charge)


@dataclass(frozen=True)
class PrecedingInvoice:
    number: str  # BT-25
    issued_on: date | None = None  # BT-26


@dataclass(frozen=True)
class Document:
    kind: DocumentKind
    number: str  # BT-1
    issued_on: date  # BT-2
    currency: str  # BT-5
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    due_on: date | None = None  # BT-9
    payment_terms: str = ""  # BT-20
    notes: tuple[str, ...] = ()  # BT-22
    buyer_reference: str = ""  # BT-10
    purchase_order: str = ""  # BT-13
    preceding: tuple[PrecedingInvoice, ...] = ()  # BG-3
    payment_means: PaymentMeans | None = None  # BG-16
    allowances_charges: tuple[AllowanceCharge, ...] = ()
    delivered_on: date | None = None  # BT-72
    deliver_to_country: str = ""  # BT-80
    prepaid: Decimal = ZERO  # BT-113
    rounding: Decimal = ZERO  # BT-114, the cash rounding added to the total to pay
    language: str = "en"

    @property
    def period(self) -> tuple[date, date] | None:
        """The invoicing period (BG-14): from the first line's start to the last line's end."""
        starts = [line.period_start for line in self.lines if line.period_start]
        ends = [line.period_end for line in self.lines if line.period_end]
        return (min(starts), max(ends)) if starts and ends else None


@dataclass(frozen=True)
class VatBreakdown:
    """One VAT category and rate of the document (BG-23)."""

    category: Category  # BT-118
    percent: Decimal  # BT-119
    taxable: Decimal  # BT-116
    tax: Decimal  # BT-117
    exemption_reason: str = ""  # BT-120
    exemption_code: str = ""  # BT-121


@dataclass(frozen=True)
class Totals:
    lines: Decimal  # BT-106
    allowances: Decimal  # BT-107
    charges: Decimal  # BT-108
    without_vat: Decimal  # BT-109
    vat: Decimal  # BT-110
    with_vat: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    due: Decimal  # BT-115
    rounding: Decimal = ZERO  # BT-114
    breakdown: tuple[VatBreakdown, ...] = field(default=())


def _key(category: Category, percent: Decimal) -> tuple[Category, Decimal]:
    # Categories without tax have exactly one breakdown each (BR-E-01, BR-AE-01, ...).
    return (category, ZERO if category in NO_TAX else percent)


def vat_breakdown(document: Document) -> tuple[VatBreakdown, ...]:
    """BG-23: per category and rate, the taxable amount (lines − allowances + charges) and the
    tax charged; categories without tax carry their exemption reason (BR-E-10, BR-AE-10, ...)."""
    groups: dict[tuple[Category, Decimal], list] = {}
    for line in document.lines:
        group = groups.setdefault(_key(line.category, line.percent), [ZERO, ZERO, "", ""])
        group[0] += line.net_amount
        group[1] += line.tax_amount
        group[2] = group[2] or line.exemption_reason
        group[3] = group[3] or line.exemption_code
    for item in document.allowances_charges:
        sign = 1 if item.charge else -1
        group = groups.setdefault(_key(item.category, item.percent), [ZERO, ZERO, "", ""])
        group[0] += sign * item.amount
        group[1] += sign * item.tax_amount
    return tuple(
        VatBreakdown(category, percent, taxable, tax,
                     reason if category in NEEDS_REASON else "",
                     code if category in NEEDS_REASON else "")
        for (category, percent), (taxable, tax, reason, code) in sorted(
            groups.items(), key=lambda item: (item[0][0].value, item[0][1])))


def totals(document: Document) -> Totals:
    """BG-22, adding up as BR-CO-10, BR-CO-13, BR-CO-14, BR-CO-15 and BR-CO-16 require (the
    amount due is the total with VAT, less what was paid, plus the rounding amount)."""
    breakdown = vat_breakdown(document)
    lines = sum((line.net_amount for line in document.lines), ZERO)
    allowances = sum((a.amount for a in document.allowances_charges if not a.charge), ZERO)
    charges = sum((c.amount for c in document.allowances_charges if c.charge), ZERO)
    without_vat = lines - allowances + charges
    vat = sum((b.tax for b in breakdown), ZERO)
    with_vat = without_vat + vat
    return Totals(lines, allowances, charges, without_vat, vat, with_vat, document.prepaid,
                  with_vat - document.prepaid + document.rounding, document.rounding, breakdown)


def categories(document: Document) -> set[Category]:
    return {line.category for line in document.lines} | {
        a.category for a in document.allowances_charges}


def amount_text(amount: Decimal, places: int) -> str:
    """An amount as the XML writes it, with the currency's places (EN 16931 allows at most 2)."""
    rounded = amount.quantize(Decimal(1).scaleb(-places))
    if rounded != amount:
        raise ValueError(f"{amount} has more decimals than an EN 16931 amount may (BR-DEC)")
    return f"{rounded:f}"


def plain_number(value: Decimal) -> str:
    """A quantity, rate or price without exponent or trailing zeros (1.5, 19, 0.125)."""
    text = f"{value.normalize():f}"
    return text if text not in ("-0", "") else "0"


def unsigned(lines: Sequence[Line]) -> tuple[Line, ...]:
    """Lines whose unit price is never negative (BR-27): a credit line keeps its negative net
    amount with a negative quantity instead."""
    result = []
    for line in lines:
        if line.unit_price < 0:
            line = replace(line, unit_price=-line.unit_price, quantity=-line.quantity)
        result.append(line)
    return tuple(result)
