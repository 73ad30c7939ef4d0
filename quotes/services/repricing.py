"""Pricing a quote from its lines' frozen snapshots, and storing the result.

`catalog.pricing` prices each line for one billing period; its figures over the term (list,
discount, net, so the quote's TCV) are what its charge schedule charges (`quotes.term_amounts`),
the rows its contract will store: a start off the account's bill day charges a prorated first
period, on the quote as on the contract and the first invoice.

Two ways, same figures. `store_prices` prices every line as one document (a percentage line
follows the lines it is a percentage of; bundle and option lines are included in their parent):
one read of the lines, one of the tax rates, one bulk update of the lines whose priced values
changed, one update of the quote. When nothing on the quote is priced from other lines (no
percentage lines; see `depends_on_others`), a line's price depends on that line alone:
`price_alone` prices just the lines that changed and `store_totals` adds the stored lines up in
the database, so a change to one line of a 1,000-line quote reads and writes a few rows, not
the whole quote. Both give the same figures (tests/quotes/test_repricing.py holds them to it).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Q, Sum, prefetch_related_objects

from catalog.charge_schedule import LineTerms
from catalog.coupons import CouponTerms
from catalog.models import Product, ProductKind
from catalog.policies import granularity_of
from catalog.pricing import (
    BillingPeriod,
    DocumentLine,
    LineInput,
    PricedLine,
    PriceModel,
    PriceSpec,
    percent_basis,
    price_document,
    price_line,
)
from catalog.selectors import tax_rates_for_account
from catalog.tax import TaxLine, tax_document
from core.money import round_money
from quotes.coupon_amounts import CouponSchedule, ScheduledLine, coupon_schedule
from quotes.models import Quote, QuoteCoupon, QuoteKind, QuoteLine
from quotes.selectors import coupon_terms_of, term_of
from quotes.services._common import locked_draft
from quotes.term_amounts import Schedules, TermAmounts

PRICED_LINE_FIELDS = ["list_unit_price", "list_per_period", "amount_per_period", "list_amount",
                      "discount_amount", "net_amount", "tax_amount", "coupon_amount"]
TOTAL_FIELDS = ["list_total", "discount_total", "one_time_total", "recurring_monthly",
                "annual_contract_value", "total_contract_value", "tax_estimate", "coupon_total"]
UNIT_PLACES = Decimal("0.000001")
RECURRING_PERIODS = [period for period in BillingPeriod if period.recurring]
ZERO = Decimal(0)


@dataclass(frozen=True)
class Sums:
    """What the quote's totals are made of: sums over its priced lines, already rounded."""

    list_amount: Decimal
    discount_amount: Decimal
    net_amount: Decimal
    one_time_amount: Decimal
    tax: Decimal
    recurring_per_period: dict[BillingPeriod, Decimal]
    coupon_amount: Decimal  # what coupons take off the lines, over the term
    one_time_coupon: Decimal  # the part of it taken off one-time lines
    coupon_by_code: dict[str, Decimal] = field(default_factory=dict)


def _spec(line: QuoteLine, cache: dict) -> PriceSpec:
    # Many lines share a snapshot (the same entry); read each distinct one once. Lines being
    # added share the very same dict, so its identity is tried before its content.
    snapshot = line.price_snapshot
    spec = cache.get(id(snapshot))
    if spec is None:
        key = repr(sorted((k, str(v)) for k, v in snapshot.items() if k != "source"))
        spec = cache.get(key)
        if spec is None:
            spec = cache[key] = PriceSpec.from_dict(snapshot)
        cache[id(snapshot)] = spec  # the lines keep their snapshots alive: ids stay unique
    return spec


def _key(line: QuoteLine) -> str:
    # Lines not saved yet (being added) are keyed by their object; their parent may be too.
    return str(line.pk) if line.pk else f"new-{id(line)}"


def document_lines(quote: Quote, lines: Sequence[QuoteLine]) -> list[DocumentLine]:
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


def _price(quote: Quote, lines: Sequence[QuoteLine], coupons: Sequence[CouponTerms] | None = None):
    """The priced document and its taxes for `lines`; sets each line's priced fields and returns
    those whose values changed."""
    currency = quote.currency
    inputs = document_lines(quote, lines)
    try:
        document = price_document(inputs, currency)
    except ValueError as error:
        raise ValidationError({"lines": str(error)}) from error
    schedules = Schedules()
    term, terms = _over_term(quote, lines, document.lines, schedules)
    priced_lines = _one_time_percentages(inputs, document.lines, term)
    if priced_lines is not document.lines:
        document = replace(document, lines=priced_lines)
        term, terms = _over_term(quote, lines, priced_lines, schedules)
    coupons = _coupons_off(quote, lines, terms, schedules,
                           coupon_terms_of(quote) if coupons is None else coupons)
    off = [coupons.line_total(_key(line)) for line in lines]
    products = list({line.product_id: line.product for line in lines}.values())
    # Products handed in by callers may not carry their tax category yet: one query for all.
    prefetch_related_objects([p for p in products if p.tax_category_id
                              and not Product.tax_category.is_cached(p)], "tax_category")
    rates = tax_rates_for_account(account=quote.account, products=products, on=quote.start_on)
    taxes = tax_document(
        [TaxLine(p.key, amounts.net_amount - coupon, rates.get(line.product_id, ()),
                 quantity=_units_billed(line, line_terms, schedules))
         for p, amounts, coupon, line, line_terms
         in zip(document.lines, term, off, lines, terms, strict=True)],
        currency, inclusive=quote.price_book.prices_include_tax,
        exempt=quote.account.tax_exempt)
    changed = []
    for line, priced, amounts, tax, coupon in zip(lines, document.lines, term, taxes.lines, off,
                                                  strict=True):
        price = priced.price
        unit = (price.list_per_period / line.quantity).quantize(UNIT_PLACES) if line.quantity \
            else ZERO
        values = [unit, price.list_per_period, price.amount_per_period, amounts.list_amount,
                  amounts.discount_amount, amounts.net_amount, tax.tax, coupon]
        if [getattr(line, name) for name in PRICED_LINE_FIELDS] != values:
            for name, value in zip(PRICED_LINE_FIELDS, values, strict=True):
                setattr(line, name, value)
            changed.append(line)
    zero = round_money(ZERO, currency)
    one_time = [not p.price.billing_period.recurring for p in document.lines]
    sums = Sums(sum((a.list_amount for a in term), zero),
                sum((a.discount_amount for a in term), zero),
                sum((a.net_amount for a in term), zero),
                sum((a.net_amount for a, once in zip(term, one_time, strict=True) if once), zero),
                taxes.tax, document.recurring_per_period, sum(off, zero),
                sum((c for c, once in zip(off, one_time, strict=True) if once), zero),
                coupons.by_code)
    return changed, sums


def _units_billed(line: QuoteLine, terms: LineTerms | None, schedules: Schedules) -> Decimal:
    """The units the line's invoices will bill over the term (its quantity on each scheduled
    charge): what a levy per unit multiplies, as billing will. None for a line included in
    its parent, which is never billed."""
    if terms is None:
        return ZERO
    return line.quantity * len(schedules.of(terms))


def _over_term(quote: Quote, lines: Sequence[QuoteLine], priced_lines: Sequence[PricedLine],
               schedules: Schedules) -> tuple[list[TermAmounts], list[LineTerms | None]]:
    """Each line's term figures from its charge schedule, as its contract line will take them
    (`contracts.services.schedules.price_from_schedule`), and the terms it is scheduled by
    (None when it charges nothing: included in its parent)."""
    quote_term = term_of(quote)
    amounts, scheduled = [], []
    for line, priced in zip(lines, priced_lines, strict=True):
        price = priced.price
        terms = quote_term.line(billing_period=price.billing_period.value,
                                amount_per_period=price.amount_per_period,
                                alignment=line.billing_alignment,
                                usage=line.product.kind == ProductKind.USAGE,
                                day_count=line.proration_convention,
                                granularity=granularity_of(line.price_snapshot).value)
        included = line.included or priced.included
        amounts.append(TermAmounts.of(terms, list_per_period=price.list_per_period,
                                      included=included, schedules=schedules))
        scheduled.append(None if included else terms)
    return amounts, scheduled


def _coupons_off(quote: Quote, lines: Sequence[QuoteLine], terms: Sequence[LineTerms | None],
                 schedules: Schedules, coupons: Sequence[CouponTerms]) -> CouponSchedule:
    """What the quote's coupons take off each line's charges (none: nothing is scheduled). On
    an amendment they apply to what it changes only: its new lines and the lines it changes,
    from its effective date (the quote's start); the lines it keeps as they are keep their
    contract's charges."""
    amending = quote.kind == QuoteKind.AMENDMENT
    return coupon_schedule(coupons, [
        ScheduledLine(_key(line), line.product_id,
                      tuple(charge.amount for charge in schedules.of(line_terms)))
        for line, line_terms in zip(lines, terms, strict=True)
        if coupons and line_terms is not None
        and (not amending or line.changes_its_contract_line)], quote.currency)


def _one_time_percentages(inputs, priced_lines, term):
    """The priced lines with each one-time percentage line priced again on what the lines it
    follows charge over the term by their schedules (a prorated first period included), not on
    whole periods: the amount its contract line copies is then the quote's, and the billed one.
    The same lines when there is none."""
    wanted = [n for n, (doc_line, priced) in enumerate(zip(inputs, priced_lines, strict=True))
              if doc_line.line.spec.model is PriceModel.PERCENT and not priced.included
              and not doc_line.line.spec.billing_period.recurring]
    if not wanted:
        return priced_lines
    followed = [(doc_line, replace(priced.price, net_amount=amounts.net_amount))
                for doc_line, priced, amounts in zip(inputs, priced_lines, term, strict=True)
                if doc_line.line.spec.model is not PriceModel.PERCENT]
    out = list(priced_lines)
    for n in wanted:
        basis = percent_basis(inputs[n].line.spec, followed)
        out[n] = replace(out[n], price=price_line(inputs[n].line, basis=basis),
                         basis_per_period=basis)
    return tuple(out)


def price_lines(quote: Quote, lines: list[QuoteLine]) -> list[QuoteLine]:
    """Price `lines` (the whole quote) in memory: set each line's priced fields and the quote's
    totals; return the lines whose priced fields changed. Saves nothing."""
    changed, sums = _price(quote, lines)
    set_totals(quote, sums)
    return changed


def set_totals(quote: Quote, sums: Sums) -> None:
    """One-time and recurring split; the monthly figure restates each period's net per month,
    and the ACV is the recurring net over the term per year (the TCV less one-time, × 12 / term
    months), each rounded once to the currency."""
    currency = quote.currency
    monthly = sum((amount / period.months for period, amount
                   in sums.recurring_per_period.items()), ZERO)
    recurring_over_term = (sums.net_amount - sums.coupon_amount
                           - (sums.one_time_amount - sums.one_time_coupon))
    quote.list_total = sums.list_amount
    quote.discount_total = sums.discount_amount
    quote.coupon_total = sums.coupon_amount
    quote.one_time_total = sums.one_time_amount - sums.one_time_coupon
    quote.recurring_monthly = round_money(monthly, currency)
    quote.annual_contract_value = round_money(
        recurring_over_term * 12 / quote.term_months, currency)
    quote.total_contract_value = sums.net_amount - sums.coupon_amount
    quote.tax_estimate = sums.tax


def store_prices(quote: Quote, new_lines: Sequence[QuoteLine] = ()) -> list[QuoteLine]:
    """Reprice every line of a locked draft with `new_lines` (unsaved, priced before they are
    inserted so they need no update) and write what changed; returns all the lines."""
    lines = list(quote.lines.select_related("product__tax_category").order_by("position", "pk"))
    new_lines = list(new_lines)
    changed, sums = _price(quote, lines + new_lines)
    set_totals(quote, sums)
    changed = [line for line in changed if line.pk]
    if changed:
        QuoteLine.objects.bulk_update(changed, PRICED_LINE_FIELDS, batch_size=500)
    quote.save(update_fields=[*TOTAL_FIELDS, "updated_at"])
    if sums.coupon_by_code:
        applied = list(quote.coupons.select_related("coupon"))
        for quote_coupon in applied:
            quote_coupon.discount_amount = sums.coupon_by_code[quote_coupon.coupon.code]
        QuoteCoupon.objects.bulk_update(applied, ["discount_amount"])
    return lines + new_lines


def _percent(line: QuoteLine) -> bool:
    return line.price_snapshot.get("model") == PriceModel.PERCENT


def depends_on_others(quote: Quote, lines: Sequence[QuoteLine] = ()) -> bool:
    """Whether pricing `lines` needs the rest of the quote: one of them is a percentage of other
    lines or a saved line inside its parent, or the quote has a percentage line (it moves with
    every line it follows), or the quote has a coupon. New option lines come with their new
    parent, so they price alone."""
    if any(_percent(line) or (line.pk and line.included) for line in lines):
        return True
    percent_lines = QuoteLine.objects.filter(quote=quote,
                                             price_snapshot__model=PriceModel.PERCENT.value)
    return Quote.objects.filter(pk=quote.pk).filter(  # one query for both
        Exists(percent_lines) | Exists(QuoteCoupon.objects.filter(quote=quote))).exists()


def price_alone(quote: Quote, lines: Sequence[QuoteLine]) -> None:
    """Set the priced fields of lines that do not depend on others (see `depends_on_others`:
    the quote has no coupon either), in memory."""
    _price(quote, lines, coupons=())


def stored_sums(quote: Quote) -> Sums:
    """The quote's totals from its stored lines, added up by the database in one query."""
    per_period = {f"period_{p.value}": Sum("amount_per_period", filter=Q(billing_period=p.value))
                  for p in RECURRING_PERIODS}
    row = quote.lines.aggregate(
        sum_list=Sum("list_amount"), sum_discount=Sum("discount_amount"),
        sum_net=Sum("net_amount"), sum_tax=Sum("tax_amount"), sum_coupon=Sum("coupon_amount"),
        sum_one_time=Sum("net_amount", filter=Q(billing_period=BillingPeriod.ONE_TIME.value)),
        sum_one_time_coupon=Sum("coupon_amount",
                                filter=Q(billing_period=BillingPeriod.ONE_TIME.value)),
        **per_period)
    currency = quote.currency

    def money(name):
        return round_money(row[name] or ZERO, currency)

    return Sums(money("sum_list"), money("sum_discount"), money("sum_net"),
                money("sum_one_time"), money("sum_tax"),
                {p: money(f"period_{p.value}") for p in RECURRING_PERIODS
                 if row[f"period_{p.value}"] is not None},
                money("sum_coupon"), money("sum_one_time_coupon"))


def store_totals(quote: Quote) -> None:
    """Set and save a locked draft's totals from its stored lines (their prices are current)."""
    set_totals(quote, stored_sums(quote))
    quote.save(update_fields=[*TOTAL_FIELDS, "updated_at"])


@transaction.atomic
def reprice(*, quote: Quote, by) -> Quote:
    """Price a draft again from its lines' frozen snapshots (never from the live book)."""
    quote = locked_draft(quote, by)
    store_prices(quote)
    return quote
