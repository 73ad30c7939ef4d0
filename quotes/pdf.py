"""The quote document: its context and template, rendered by `core.pdf`. Nothing here writes.

The billing schedule it shows is `catalog.charge_schedule` over the quote's lines (start date,
term, the account's bill day, each line's alignment): the same module that computes the rows
the contract stores when the quote is accepted, so the dates and amounts are the invoices', and
the lines' nets and the totals it shows are those schedules' sums (`quotes.term_amounts`).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.template.loader import render_to_string

from catalog.charge_schedule import Charge, ChargeKind
from catalog.models import ProductKind
from catalog.policies import granularity_of
from catalog.pricing import PriceSpec
from core.formatting import format_rate
from core.money import round_money
from core.pdf import INSTALL_HINT, PdfUnavailable, letterhead, render_pdf
from quotes.applied_tiers import applied_tiers
from quotes.coupon_amounts import less_coupons
from quotes.selectors import (
    coupon_terms_of,
    coupons_of,
    section_subtotals,
    term_of,
    with_section_starts,
)
from quotes.term_amounts import Schedules

TEMPLATE = "quotes/pdf/quote.html"

__all__ = ["INSTALL_HINT", "PdfUnavailable", "billing_schedule", "quote_pdf_context",
           "render_quote_html", "render_quote_pdf"]


@dataclass(frozen=True)
class ScheduledInvoice:
    """The charges of the quote's lines due on one day (one invoice, before tax)."""

    due_on: date
    charges: tuple[tuple[object, Charge], ...]  # (quote line, its charge)
    amount: Decimal
    usage: bool  # some charge is usage, billed as used


def billing_schedule(quote, lines, coupons=None) -> list[ScheduledInvoice]:
    """What the quote's lines charge, by due date, as the contract's schedule will (included
    lines charge nothing; the quote's coupons are taken off the charges they discount)."""
    term, schedules = term_of(quote), Schedules()
    scheduled = [line for line in lines if not line.included]
    coupons = coupon_terms_of(quote) if coupons is None else coupons
    charged = less_coupons(coupons, [
        (str(line.pk), line.product_id, schedules.of(term.line(
            billing_period=line.billing_period, amount_per_period=line.amount_per_period,
            alignment=line.billing_alignment, usage=line.product.kind == ProductKind.USAGE,
            day_count=line.proration_convention,
            granularity=granularity_of(line.price_snapshot).value)))
        for line in scheduled], quote.currency)
    by_day = defaultdict(list)
    for line in scheduled:
        for charge in charged[str(line.pk)]:
            by_day[charge.due_on].append((line, charge))
    return [ScheduledInvoice(day, tuple(by_day[day]), round_money(
        sum((c.amount for _, c in by_day[day]), Decimal(0)), quote.currency),
        any(c.kind == ChargeKind.USAGE for _, c in by_day[day])) for day in sorted(by_day)]


def with_prices_shown(lines, currency: str):
    """Each line with its unit price as a rate (every place it has: $0.0008, not $0.00) and,
    for a tiered price, its tiers with what each charges at the line's quantity (`tiers`, as
    (tier, rate) pairs) in place of a unit price."""
    specs = {}
    for line in lines:
        key = repr(sorted(line.price_snapshot.items()))
        spec = specs.get(key) or specs.setdefault(key, PriceSpec.from_dict(line.price_snapshot))
        line.tiers = [(tier, format_rate(tier.unit_amount, currency))
                      for tier in applied_tiers(spec, line.quantity)]
        line.unit_rate = format_rate(line.list_unit_price, currency)
    return lines


def quote_pdf_context(quote) -> dict:
    """Everything the document shows: letterhead, customer, lines (tiers applied), totals, the
    billing schedule, payment terms, signature."""
    lines = with_prices_shown(with_section_starts(
        list(quote.lines.select_related("product").order_by("position", "pk")),
        section_subtotals(quote)), quote.currency)
    # a coupon that takes nothing off (none of its charges on the quote) is not on the document
    coupons = list(coupons_of(quote)) if quote.coupon_total else []
    return {
        "quote": quote,
        "lines": lines,
        "schedule": billing_schedule(quote, lines, [c.coupon.terms() for c in coupons]),
        "coupons": coupons,
        "company": letterhead(),
        "account": quote.account,
        "contact": quote.contact,
        "currency": quote.currency,
    }


def render_quote_html(quote, *, renewal=None) -> str:
    return render_to_string(TEMPLATE, {**quote_pdf_context(quote), "renewal": renewal})


def render_quote_pdf(quote, *, renewal=None) -> bytes:
    """The quote's PDF bytes, rendered now from its stored lines and totals; a renewal quote
    may carry its prices against the contract it renews (`renewal`, given by q2c's flow)."""
    return render_pdf(TEMPLATE, {**quote_pdf_context(quote), "renewal": renewal})
