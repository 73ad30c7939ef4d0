"""Building a draft: the header, and lines priced from the quote's book and frozen there.

Each line stores the book entry's snapshot when it is added; from then on it is priced from
that snapshot alone, so a later catalog change does not move it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from catalog import configuration as catalog_configuration
from catalog.charge_schedule import Alignment
from catalog.models import OptionGroup, PriceBook, Product
from catalog.policies import time_zone_of
from catalog.pricing import BillingPeriod, PriceModel, PriceSpec
from catalog.proration import local_day
from catalog.selectors import (
    bundle_components_of,
    configuration_errors,
    configuration_of,
    entries_of,
    standard_price_book,
)
from core.actors import require
from core.dates import business_date
from core.numbering import next_number
from customers.models import Contact
from customers.selectors import accounts_visible_to
from quotes.models import Quote, QuoteKind, QuoteLine
from quotes.periods import closed_period_error
from quotes.selectors import quotes_visible_to
from quotes.services._common import locked_draft, locked_line, number_for
from quotes.services.repricing import (
    PRICED_LINE_FIELDS,
    depends_on_others,
    price_alone,
    store_prices,
    store_totals,
)

DEFAULT_VALIDITY_DAYS = 30
HUNDRED = Decimal(100)
QUANTITY_PLACES = Decimal("0.0001")  # QuoteLine.quantity's places


def _header_errors(*, account, contact, price_book, term_months) -> dict:
    errors = {}
    if contact is not None and contact.account_id != account.pk:
        errors["contact"] = "The contact belongs to another account."
    if price_book is None:
        errors["price_book"] = f"There is no standard price book in {account.currency}."
    elif not price_book.active:
        errors["price_book"] = f"{price_book} is not active."
    if term_months is None or term_months < 1:
        errors["term_months"] = "The term is at least one month."
    return errors


@transaction.atomic
def create_quote(*, by, account, contact: Contact | None = None, start_on: date | None = None,
                 starts_at: datetime | None = None, term_months: int = 12,
                 expires_on: date | None = None,
                 price_book: PriceBook | None = None, payment_terms=None,
                 customer_notes: str = "", internal_notes: str = "",
                 on: date | None = None) -> Quote:
    """A new draft for an account the user may see, numbered Q-YYYY-NNNNN without gaps."""
    actor = require(by, "quotes.add_quote", "You are not allowed to create quotes.")
    if not accounts_visible_to(actor.user).filter(pk=account.pk).exists():
        raise ValidationError({"account": "You cannot quote for this account."})
    today = business_date(on)
    start_on = start_on or today
    price_book = price_book or standard_price_book(currency=account.currency, on=start_on)
    errors = _header_errors(account=account, contact=contact, price_book=price_book,
                            term_months=term_months)
    errors |= _expiry_errors(expires_on, today)
    errors |= start_errors(start_on)
    errors |= moment_errors(account, start_on, starts_at)
    if errors:
        raise ValidationError(errors)
    number = next_number(f"quote-{today.year}")
    return Quote.objects.create(
        number=number_for(today.year, number), account=account, contact=contact,
        owner=actor.user, currency=price_book.currency, price_book=price_book,
        payment_terms=payment_terms or account.payment_terms, start_on=start_on,
        starts_at=starts_at, term_months=term_months, bill_day=account.bill_day,
        expires_on=expires_on or today + timedelta(days=DEFAULT_VALIDITY_DAYS),
        customer_notes=customer_notes, internal_notes=internal_notes)


def _expiry_errors(expires_on: date | None, today: date) -> dict[str, str]:
    """A quote is never born expired: its expiry is today or later."""
    if expires_on is not None and expires_on < today:
        return {"expires_on": f"The quote would be born expired: its expiry "
                              f"{expires_on.isoformat()} is before today ({today.isoformat()})."}
    return {}


def start_errors(start_on: date | None) -> dict[str, str]:
    """A quote never starts in a month the books have closed."""
    error = closed_period_error(start_on, what="a quote starting on")
    return {"start_on": error} if error else {}


HEADER_FIELDS = ("contact", "start_on", "starts_at", "term_months", "expires_on", "price_book",
                 "payment_terms", "customer_notes", "internal_notes")


def moment_errors(account, start_on, starts_at) -> dict:
    """The moment service starts falls on the start day in the account's time zone (which
    decides the day a moment belongs to)."""
    if starts_at is None:
        return {}
    if starts_at.tzinfo is None:
        return {"starts_at": "Give the moment with its time zone."}
    zone = time_zone_of(account)
    if local_day(starts_at, zone) != start_on:
        return {"starts_at": f"{starts_at.astimezone(ZoneInfo(zone)):%d %B %Y %H:%M} in "
                             f"{zone} is not on the start day, {start_on:%d %B %Y}."}
    return {}


FIXED_BY_AMENDMENT = ("start_on", "starts_at", "term_months")


def amendment_fixed_errors(quote: Quote, changes: Mapping) -> dict[str, str]:
    """An amendment quote's start and term are its amendment's: it applies at its own effective
    date and time, its lines are the contract's in force then, and it runs to the contract's
    end. Moving them here would quote one thing and apply another, so a change is refused at
    each field (the rep starts another amendment for another date)."""
    if quote.kind != QuoteKind.AMENDMENT:
        return {}
    moved = [name for name in FIXED_BY_AMENDMENT
             if name in changes and changes[name] != getattr(quote, name)]
    if not moved:
        return {}
    when = f"{quote.start_on:%d %B %Y}"
    if quote.starts_at is not None:
        zone = time_zone_of(quote.account)
        when += f" at {quote.starts_at.astimezone(ZoneInfo(zone)):%H:%M} {zone}"
    message = (f"An amendment quote starts when its amendment takes effect ({when}) and runs to "
               f"the contract's end; start another amendment from the contract to change that.")
    return dict.fromkeys(moved, message)


@transaction.atomic
def update_quote(*, quote: Quote, by, **changes) -> Quote:
    """Change a draft's header; a new price book re-snapshots every line from it."""
    unknown = set(changes) - set(HEADER_FIELDS)
    if unknown:
        raise TypeError(f"update_quote() cannot change {sorted(unknown)}")
    quote = locked_draft(quote, by)
    fixed = amendment_fixed_errors(quote, changes)
    if fixed:
        raise ValidationError(fixed)
    values = {name: getattr(quote, name) for name in HEADER_FIELDS} | changes
    errors = _header_errors(account=quote.account, contact=values["contact"],
                            price_book=values["price_book"], term_months=values["term_months"])
    if "expires_on" in changes and changes["expires_on"] != quote.expires_on:
        errors |= _expiry_errors(changes["expires_on"], business_date())
    if "start_on" in changes and changes["start_on"] != quote.start_on:
        errors |= start_errors(changes["start_on"])
    errors |= moment_errors(quote.account, values["start_on"], values["starts_at"])
    new_book = values["price_book"] is not None and values["price_book"].pk != quote.price_book_id
    if new_book and values["price_book"].currency != quote.currency:
        errors["price_book"] = f"Choose a book in {quote.currency}, the quote's currency."
    if errors:
        raise ValidationError(errors)
    for name, value in values.items():
        setattr(quote, name, value)
    quote.save()
    if new_book:
        _snapshot_again(quote)
    store_prices(quote)
    return quote


def _snapshot_again(quote: Quote) -> None:
    lines = list(quote.lines.select_related("product"))
    entries = _entries_by_product(quote.price_book, {line.product_id for line in lines})
    missing = []
    for line in lines:
        if line.price_snapshot.get("source", {}).get("configured"):
            continue
        entry = _pick_entry(entries.get(line.product_id, []), line.billing_period)
        if entry is None:
            missing.append(line.product.name)
        else:
            line.price_snapshot = entry.snapshot()
    if missing:
        raise ValidationError({"price_book": f"{quote.price_book} has no price for "
                                             f"{', '.join(sorted(set(missing)))}."})
    QuoteLine.objects.bulk_update(lines, ["price_snapshot"], batch_size=500)


@dataclass(frozen=True)
class LineItem:
    """One product to add, with its options (SKU → quantity) when it is configurable."""

    product: Product
    quantity: Decimal = Decimal(1)
    options: Mapping[str, Decimal] | None = None
    discount_percent: Decimal = Decimal(0)
    discount_per_period: Decimal = Decimal(0)
    billing_period: str | None = None
    section: str = ""
    note: str = ""


SECTION_LENGTH = 100
NOTE_LENGTH = 2000


def text_errors(*, section: str | None = None, note: str | None = None) -> dict:
    errors = {}
    if section is not None and len(section.strip()) > SECTION_LENGTH:
        errors["section"] = f"A section name has at most {SECTION_LENGTH} characters."
    if note is not None and len(note.strip()) > NOTE_LENGTH:
        errors["note"] = f"A line note has at most {NOTE_LENGTH:,} characters."
    return errors


def line_errors(*, quantity, discount_percent, discount_per_period) -> dict:
    errors = {}
    if quantity is None or quantity <= 0:
        errors["quantity"] = "The quantity must be greater than zero."
    if discount_percent is None or not 0 <= discount_percent <= HUNDRED:
        errors["discount_percent"] = "A discount is between 0 and 100%."
    if discount_per_period is None or discount_per_period < 0:
        errors["discount_per_period"] = "A discount amount cannot be negative."
    if discount_percent and discount_per_period:
        errors["discount_per_period"] = "Give a discount percent or an amount, not both."
    return errors


def alignment_errors(line: QuoteLine, alignment: str) -> dict:
    """Where a recurring line's billing periods start (`catalog.charge_schedule.Alignment`);
    a one-time line has none."""
    if alignment not in Alignment.__members__.values():
        return {"billing_alignment": f"{alignment} is not a billing alignment."}
    if line.billing_period == BillingPeriod.ONE_TIME:
        return {"billing_alignment": "A one-time line has no billing periods to align."}
    return {}


def _entries_by_product(book: PriceBook, product_ids) -> dict[int, list]:
    entries: dict[int, list] = {}
    for entry in entries_of(book).filter(product_id__in=product_ids, active=True):
        entries.setdefault(entry.product_id, []).append(entry)
    return entries


def _pick_entry(entries: list, billing_period: str | None):
    if billing_period:
        return next((e for e in entries if e.billing_period == billing_period), None)
    return min(entries, key=lambda e: e.billing_period, default=None)


def _configured_snapshot(quote: Quote) -> dict:
    """A configured product without a price of its own: a zero monthly line its options
    price under."""
    spec = PriceSpec(model=PriceModel.FLAT, currency=quote.currency,
                     billing_period=BillingPeriod.MONTHLY)
    return {**spec.to_dict(), "source": {"configured": True}}


class _Planner:
    """Turns items into unsaved lines (parents first, each with its options or components)."""

    def __init__(self, quote: Quote, items: Sequence[LineItem]):
        self.quote = quote
        self.items = items
        product_ids = {item.product.pk for item in items}
        self.configurable = set(OptionGroup.objects.filter(product_id__in=product_ids)
                                .values_list("product_id", flat=True))
        self.children: dict[int, list[tuple[Product, Decimal, bool]]] = {}
        self.errors: dict[str, list[str]] = {}
        for item in items:
            self._children_of(item)
        wanted = product_ids | {p.pk for kids in self.children.values() for p, _, _ in kids}
        self.entries = _entries_by_product(quote.price_book, wanted)
        self.snapshots: dict[int, dict] = {}  # entry pk → its snapshot, shared by its lines

    def _children_of(self, item: LineItem) -> None:
        product = item.product
        if product.pk in self.configurable:
            config = configuration_of(product)
            selections = (dict(item.options) if item.options is not None else
                          catalog_configuration.default_selections(config, item.quantity))
            errors = configuration_errors(product=product, selections=selections,
                                          quantity=item.quantity)
            if errors:
                self.errors.setdefault("options", []).extend(errors)
                return
            chosen = {sku: q for sku, q in selections.items() if q}
            products = {p.sku: p for p in Product.objects.filter(sku__in=chosen)}
            self.children[id(item)] = [(products[sku], Decimal(q), config.option(sku).included)
                                       for sku, q in chosen.items()]
        elif product.is_bundle:
            self.children[id(item)] = [
                (c.component, c.quantity * item.quantity, c.pricing == "included")
                for c in bundle_components_of(product)]
        elif not product.active:
            self.errors.setdefault("product", []).append(f"{product.name} is no longer sold.")

    def _snapshot(self, product: Product, billing_period: str | None, configured: bool):
        entry = _pick_entry(self.entries.get(product.pk, []), billing_period)
        if entry is not None:
            if entry.pk not in self.snapshots:
                self.snapshots[entry.pk] = entry.snapshot()
            return self.snapshots[entry.pk]
        if configured:
            return _configured_snapshot(self.quote)
        self.errors.setdefault("product", []).append(
            f"{product.name} has no price in {self.quote.price_book}"
            + (f" billed {billing_period.replace('_', ' ')}." if billing_period else "."))
        return None

    def plan(self, first_position: int) -> list[tuple[QuoteLine, list[QuoteLine]]]:
        position = first_position
        planned = []
        for item in self.items:
            snapshot = self._snapshot(item.product, item.billing_period,
                                      item.product.pk in self.configurable)
            if snapshot is None:
                continue
            parent = self._line(item.product, item.quantity, snapshot, position,
                                discount_percent=item.discount_percent,
                                discount_per_period=item.discount_per_period,
                                section=item.section.strip(), note=item.note.strip())
            position += 1
            kids = []
            for product, quantity, included in self.children.get(id(item), []):
                kid_snapshot = self._snapshot(product, None, False)
                if kid_snapshot is None:
                    continue
                kids.append(self._line(product, quantity, kid_snapshot, position,
                                       included=included))
                position += 1
            planned.append((parent, kids))
        return planned

    def _line(self, product, quantity, snapshot, position, **extra) -> QuoteLine:
        return QuoteLine(quote=self.quote, product=product, description=product.name,
                         quantity=quantity, billing_period=snapshot["billing_period"],
                         price_snapshot=snapshot, position=position, **extra)


@transaction.atomic
def add_lines(*, quote: Quote, items: Sequence[LineItem], by) -> list[QuoteLine]:
    """Add products to a draft in one go (options and bundle components as child lines), then
    price the whole quote; returns the new top-level lines."""
    quote = locked_draft(quote, by)
    errors: dict[str, list[str]] = {}
    for item in items:
        item_errors = line_errors(quantity=item.quantity, discount_percent=item.discount_percent,
                                  discount_per_period=item.discount_per_period)
        for name, message in (item_errors | text_errors(section=item.section,
                                                         note=item.note)).items():
            errors.setdefault(name, []).append(message)
    if errors:
        raise ValidationError(errors)
    planner = _Planner(quote, items)
    last = quote.lines.aggregate(last=Max("position"))["last"] or 0
    planned = planner.plan(last + 1)
    if planner.errors:
        raise ValidationError(planner.errors)
    parents = [parent for parent, _ in planned]
    kids = []
    for parent, children in planned:
        for child in children:
            child.parent = parent
            kids.append(child)
    priced_alone = not depends_on_others(quote, parents + kids)
    if priced_alone:
        price_alone(quote, parents + kids)
    else:
        store_prices(quote, parents + kids)
    QuoteLine.objects.bulk_create(parents, batch_size=500)
    QuoteLine.objects.bulk_create(kids, batch_size=500)
    if priced_alone:
        store_totals(quote)
    return parents


def add_line(*, quote: Quote, product: Product, by, quantity: Decimal = Decimal(1),
             options: Mapping[str, Decimal] | None = None,
             discount_percent: Decimal = Decimal(0), discount_per_period: Decimal = Decimal(0),
             billing_period: str | None = None) -> QuoteLine:
    """Add one product (configured with `options`, SKU → quantity) and reprice the quote."""
    item = LineItem(product=product, quantity=Decimal(quantity), options=options,
                    discount_percent=Decimal(discount_percent),
                    discount_per_period=Decimal(discount_per_period),
                    billing_period=billing_period)
    return add_lines(quote=quote, items=[item], by=by)[0]


@transaction.atomic
def update_line(*, line: QuoteLine, by, quantity: Decimal | None = None,
                discount_percent: Decimal | None = None,
                discount_per_period: Decimal | None = None,
                billing_alignment: str | None = None, section: str | None = None,
                note: str | None = None) -> QuoteLine:
    """Change a draft line's quantity, discount, billing alignment, section or note and
    reprice the quote (left out: kept as it is). A component included in its bundle keeps the
    bundle's quantity and no discount of its own; a bundle's new quantity carries its included
    components along."""
    quote = locked_draft(line.quote, by)
    line = locked_line(line, quote)
    values = {
        "quantity": line.quantity if quantity is None else Decimal(quantity),
        "discount_percent": (line.discount_percent if discount_percent is None
                             else Decimal(discount_percent)),
        "discount_per_period": (line.discount_per_period if discount_per_period is None
                                else Decimal(discount_per_period)),
    }
    errors = line_errors(**values) | _locked_errors(line, values)
    if billing_alignment is not None and billing_alignment != line.billing_alignment:
        errors.update(alignment_errors(line, billing_alignment))
    errors.update(text_errors(section=section, note=note))
    if section is not None and section.strip() and line.parent_id:
        errors["section"] = "An option follows its product's section."
    if errors:
        raise ValidationError(errors)
    if billing_alignment is not None:
        values["billing_alignment"] = billing_alignment
    for name, text in (("section", section), ("note", note)):
        if text is not None:
            values[name] = text.strip()
    _follow_bundle(line, values["quantity"])
    for name, value in values.items():
        setattr(line, name, value)
    if depends_on_others(quote, [line]):
        line.save(update_fields=list(values))
        line = next(x for x in store_prices(quote) if x.pk == line.pk)
    else:
        price_alone(quote, [line])
        line.save(update_fields=[*values, *PRICED_LINE_FIELDS])
        store_totals(quote)
    line.quote = quote
    return line


def _locked_errors(line: QuoteLine, values: dict) -> dict:
    """A component included in its bundle (or an option included in its product) is priced
    there: its quantity follows its parent's and it takes no discount of its own."""
    if not (line.included and line.parent_id):
        return {}
    parent = line.parent.product.name
    errors = {}
    if values["quantity"] != line.quantity:
        errors["quantity"] = (f"{line.product.name} is included in {parent}: change "
                              f"{parent}'s quantity instead.")
    if (values["discount_percent"], values["discount_per_period"]) != (
            line.discount_percent, line.discount_per_period):
        errors["discount_percent"] = (f"{line.product.name} is priced in {parent}: discount "
                                      f"{parent} instead.")
    return errors


def _follow_bundle(line: QuoteLine, quantity: Decimal) -> None:
    """A bundle's included components keep their quantity per bundle when its quantity
    changes (the catalog's component quantity × the bundle's)."""
    if quantity == line.quantity or not line.product.is_bundle:
        return
    components = list(line.options.filter(included=True).select_for_update().order_by("pk"))
    for component in components:
        component.quantity = (component.quantity * quantity / line.quantity).quantize(
            QUANTITY_PLACES)
    QuoteLine.objects.bulk_update(components, ["quantity"])


@transaction.atomic
def remove_line(*, line: QuoteLine, by) -> Quote:
    """Remove a draft line (with its options) and reprice the quote; a component included in
    its bundle goes only with the bundle."""
    quote = locked_draft(line.quote, by)
    line = locked_line(line, quote)
    if line.included and line.parent_id:
        parent = line.parent.product.name
        raise ValidationError({"line": f"{line.product.name} is included in {parent}: remove "
                                       f"{parent} to remove it."})
    line.delete()
    if depends_on_others(quote):
        store_prices(quote)
    else:
        store_totals(quote)
    return quote


def items_of(source: Quote) -> list[LineItem]:
    """A quote's top-level lines as items to add elsewhere: same products, quantities,
    discounts, billing, sections and notes; a configured product with the options it has
    (bundle components come again from the bundle)."""
    lines = list(source.lines.select_related("product").order_by("position", "pk"))
    configurable = set(OptionGroup.objects.filter(
        product_id__in={line.product_id for line in lines}).values_list("product_id", flat=True))
    options: dict[int, dict[str, Decimal]] = {}
    for line in lines:
        if line.parent_id:
            options.setdefault(line.parent_id, {})[line.product.sku] = line.quantity
    return [LineItem(product=line.product, quantity=line.quantity,
                     options=(options.get(line.pk, {}) if line.product_id in configurable
                              else None),
                     discount_percent=line.discount_percent,
                     discount_per_period=line.discount_per_period,
                     billing_period=line.billing_period, section=line.section, note=line.note)
            for line in lines if not line.parent_id]


def add_lines_from(*, quote: Quote, source: Quote, by) -> list[QuoteLine]:
    """Add another quote's lines to a draft (a previous deal as a template), priced from the
    draft's own book; refused when the user may not see the source."""
    actor = require(by, "quotes.change_quote", "You are not allowed to change quotes.")
    if not quotes_visible_to(actor.user).filter(pk=source.pk).exists():
        raise ValidationError({"source": "You cannot copy lines from that quote."})
    if source.pk == quote.pk:
        raise ValidationError({"source": "Choose another quote to copy lines from."})
    items = items_of(source)
    if not items:
        raise ValidationError({"source": f"Quote {source} has no lines to copy."})
    return add_lines(quote=quote, items=items, by=by)
