"""Pricing a whole quote from its lines' frozen snapshots, and storing the result.

Queries do not grow with the lines: one read of the lines, one of the tax rates, one bulk
update of the lines whose priced values changed, one update of the quote.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from catalog.pricing import DocumentLine, LineInput, PriceSpec, price_document
from catalog.selectors import tax_rates_for_account
from catalog.tax import TaxLine, tax_document
from core.money import round_money
from quotes.models import Quote, QuoteLine
from quotes.services._common import locked_draft

PRICED_LINE_FIELDS = ["list_unit_price", "list_per_period", "amount_per_period", "list_amount",
                      "discount_amount", "net_amount", "tax_amount"]
TOTAL_FIELDS = ["list_total", "discount_total", "one_time_total", "recurring_monthly",
                "annual_contract_value", "total_contract_value", "tax_estimate"]
UNIT_PLACES = Decimal("0.000001")


def _spec(line: QuoteLine, cache: dict) -> PriceSpec:
    # Many lines share a snapshot (the same entry); read each distinct one once.
    key = repr(sorted((k, str(v)) for k, v in line.price_snapshot.items() if k != "source"))
    if key not in cache:
        cache[key] = PriceSpec.from_dict(line.price_snapshot)
    return cache[key]


def _key(line: QuoteLine) -> str:
    # Lines not saved yet (being added) are keyed by their object; their parent may be too.
    return str(line.pk) if line.pk else f"new-{id(line)}"


def document_lines(quote: Quote, lines: list[QuoteLine]) -> list[DocumentLine]:
    cache: dict = {}
    out = []
    for line in lines:
        parent = line.parent if line.parent_id is None and line.included else None
        spec = _spec(line, cache)
        out.append(DocumentLine(
            key=_key(line),
            line=LineInput(spec=spec, quantity=line.quantity,
                           term_months=quote.term_months if spec.billing_period.recurring
                           else None,
                           discount_percent=line.discount_percent,
                           discount_amount=line.discount_per_period),
            tags=line.product.tags,
            included_in=(_key(parent) if parent is not None
                         else str(line.parent_id) if line.included and line.parent_id
                         else None)))
    return out


def price_lines(quote: Quote, lines: list[QuoteLine]) -> list[QuoteLine]:
    """Price `lines` (the whole quote) in memory: set each line's priced fields and the quote's
    totals; return the lines whose priced fields changed. Saves nothing."""
    currency = quote.currency
    try:
        document = price_document(document_lines(quote, lines), currency)
    except ValueError as error:
        raise ValidationError({"lines": str(error)}) from error
    rates = tax_rates_for_account(account=quote.account,
                                  products={line.product for line in lines}, on=quote.start_on)
    taxes = tax_document(
        [TaxLine(p.key, p.price.net_amount, rates.get(line.product_id, ()))
         for p, line in zip(document.lines, lines, strict=True)],
        currency, inclusive=quote.price_book.prices_include_tax,
        exempt=quote.account.tax_exempt)
    changed = []
    for line, priced, tax in zip(lines, document.lines, taxes.lines, strict=True):
        price = priced.price
        unit = (price.list_per_period / line.quantity).quantize(UNIT_PLACES) if line.quantity \
            else Decimal(0)
        values = [unit, price.list_per_period, price.amount_per_period, price.list_amount,
                  price.discount_amount, price.net_amount, tax.tax]
        before = [getattr(line, name) for name in PRICED_LINE_FIELDS]
        if before != values:
            for name, value in zip(PRICED_LINE_FIELDS, values, strict=True):
                setattr(line, name, value)
            changed.append(line)
    _set_totals(quote, document, taxes.tax)
    return changed


def _set_totals(quote: Quote, document, tax: Decimal) -> None:
    """One-time and recurring split; the monthly figure restates each period's net per month,
    and the ACV is the recurring net over the term per year (the TCV less one-time, × 12 / term
    months), each rounded once to the currency."""
    currency = quote.currency
    monthly = sum((amount / period.months for period, amount
                   in document.recurring_per_period.items()), Decimal(0))
    recurring_over_term = document.net_amount - document.one_time_amount
    quote.list_total = document.list_amount
    quote.discount_total = document.discount_amount
    quote.one_time_total = document.one_time_amount
    quote.recurring_monthly = round_money(monthly, currency)
    quote.annual_contract_value = round_money(
        recurring_over_term * 12 / quote.term_months, currency)
    quote.total_contract_value = document.net_amount
    quote.tax_estimate = tax


def store_prices(quote: Quote, new_lines: list[QuoteLine] = ()) -> list[QuoteLine]:
    """Reprice every line of a locked draft with `new_lines` (unsaved, priced before they are
    inserted so they need no update) and write what changed; returns all the lines."""
    lines = list(quote.lines.select_related("product__tax_category").order_by("position", "pk"))
    new_lines = list(new_lines)
    changed = price_lines(quote, lines + new_lines)
    changed = [line for line in changed if line.pk]
    if changed:
        QuoteLine.objects.bulk_update(changed, PRICED_LINE_FIELDS, batch_size=500)
    quote.save(update_fields=[*TOTAL_FIELDS, "updated_at"])
    return lines + new_lines


@transaction.atomic
def reprice(*, quote: Quote, by) -> Quote:
    """Price a draft again from its lines' frozen snapshots (never from the live book)."""
    quote = locked_draft(quote, by)
    store_prices(quote)
    return quote
