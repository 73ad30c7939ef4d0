"""A draft quote prefilled with lines priced from given frozen snapshots (never the live book).

Contracts build amendment and renewal quotes with it: the lines are the contract's, with the
price snapshots the contract froze (a renewal's already uplifted). From then on the quote is an
ordinary draft: the builder, approval, sending and the customer's link treat it like any other;
only its `kind` tells what accepting it does.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.charge_schedule import Alignment
from catalog.models import Product
from catalog.proration import DayCount
from catalog.selectors import standard_price_book
from core.actors import require
from core.dates import business_date
from core.numbering import next_number
from quotes.models import Quote, QuoteKind, QuoteLine
from quotes.services._common import number_for
from quotes.services.building import DEFAULT_VALIDITY_DAYS
from quotes.services.repricing import store_prices

__all__ = ["PrefilledLine", "create_prefilled_quote"]

ALIGNMENTS = {a.value for a in Alignment}
DAY_COUNTS = {d.value for d in DayCount}


@dataclass(frozen=True)
class PrefilledLine:
    """One line to copy: its product, quantity, frozen snapshot and discount. `key` names it
    and `parent_key` the line it is included in (a configured product's option). The billing
    alignment and day count are the contract line's, so the quote schedules (and prices) the
    line as the contract does; an empty day count is the policy's."""

    key: str
    product: Product
    quantity: Decimal
    price_snapshot: dict
    discount_percent: Decimal = Decimal(0)
    included: bool = False
    description: str = ""
    parent_key: str | None = None
    billing_alignment: str = Alignment.BILL_DAY
    proration_convention: str = ""
    contract_coupons: tuple[int, ...] = ()  # coupons running on the contract line (ids)


def _errors(*, account, owner, currency, kind, term_months, lines) -> dict:
    errors = {}
    if kind not in (QuoteKind.AMENDMENT, QuoteKind.RENEWAL):
        errors["kind"] = "A prefilled quote is an amendment or a renewal."
    if term_months < 1:
        errors["term_months"] = "The term is at least one month."
    line_errors = [] if lines else ["There is nothing to quote."]
    wrong = sorted({line.product.name for line in lines
                    if line.price_snapshot.get("currency", "").upper() != currency})
    if wrong:
        line_errors.append(f"Prices are not in {currency}: {', '.join(wrong)}.")
    for line in lines:
        if line.billing_alignment not in ALIGNMENTS:
            line_errors.append(f"Billing alignment {line.billing_alignment} is not known "
                               f"(line {line.key}).")
        if line.proration_convention and line.proration_convention not in DAY_COUNTS:
            line_errors.append(f"Day count {line.proration_convention} is not known "
                               f"(line {line.key}).")
    if line_errors:
        errors["lines"] = line_errors
    if not owner.has_perm("quotes.view_quote"):
        errors["owner"] = f"{owner} cannot own quotes."
    return errors


def _baseline(line: PrefilledLine) -> dict:
    """What the line was prefilled with (`QuoteLine.changes_its_contract_line` compares)."""
    return {"quantity": str(line.quantity), "discount_percent": str(line.discount_percent),
            "discount_per_period": "0", "price_snapshot": line.price_snapshot,
            "billing_alignment": line.billing_alignment,
            "billing_period": line.price_snapshot["billing_period"],
            "contract_coupons": list(line.contract_coupons)}


@transaction.atomic
def create_prefilled_quote(*, by, kind: str, account, owner, currency: str, start_on: date,
                           term_months: int, lines: Sequence[PrefilledLine], payment_terms,
                           contact=None, expires_on: date | None = None,
                           customer_notes: str = "", internal_notes: str = "",
                           starts_at: datetime | None = None,
                           on: date | None = None) -> Quote:
    """A draft of `kind` for `owner` whose lines keep the given snapshots, priced from them
    (`starts_at`: the moment service starts on `start_on`, for prices counted by the second)."""
    actor = require(by, "quotes.add_quote", "You are not allowed to create quotes.")
    today = business_date(on)
    errors = _errors(account=account, owner=owner, currency=currency, kind=kind,
                     term_months=term_months, lines=lines)
    price_book = standard_price_book(currency=currency, on=start_on)
    if price_book is None:
        errors["price_book"] = f"There is no standard price book in {currency}."
    if errors:
        raise ValidationError(errors)
    number = next_number(f"quote-{today.year}")
    quote = Quote.objects.create(
        number=number_for(today.year, number), kind=kind, account=account, contact=contact,
        owner=owner, currency=currency, price_book=price_book, payment_terms=payment_terms,
        start_on=start_on, starts_at=starts_at, term_months=term_months,
        bill_day=account.bill_day,
        expires_on=expires_on or today + timedelta(days=DEFAULT_VALIDITY_DAYS),
        customer_notes=customer_notes,
        internal_notes=internal_notes or f"Prefilled by {actor.label}.")
    made = {line.key: QuoteLine(
        quote=quote, position=position, product=line.product,
        description=line.description or line.product.name, quantity=line.quantity,
        billing_period=line.price_snapshot["billing_period"],
        billing_alignment=line.billing_alignment,
        proration_convention=line.proration_convention,
        price_snapshot=line.price_snapshot, discount_percent=line.discount_percent,
        included=line.included, prefilled_from=_baseline(line))
        for position, line in enumerate(lines, start=1)}
    for line in lines:
        if line.parent_key in made:
            made[line.key].parent = made[line.parent_key]
    ordered = [made[line.key] for line in lines]
    store_prices(quote, ordered)  # priced before insert, as add_lines does
    QuoteLine.objects.bulk_create([x for x in ordered if x.parent is None], batch_size=500)
    QuoteLine.objects.bulk_create([x for x in ordered if x.parent is not None], batch_size=500)
    return quote
