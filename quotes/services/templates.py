"""Named quote templates: a quote's lines saved under a name, and new quotes started from one.

A template keeps what a rep chose (products, quantities, options, discounts, billing period,
sections, notes), never prices: a quote made from it prices each line from its own book, as
copying another quote's lines does (`add_lines_from`).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.actors import require
from quotes.models import Quote, QuoteLine, QuoteTemplate, QuoteTemplateLine
from quotes.selectors import quotes_visible_to
from quotes.services.building import LineItem, add_lines, create_quote, items_of

NAME_LENGTH = 100


def _name_errors(name: str) -> dict:
    if not name:
        return {"name": "Give the template a name."}
    if len(name) > NAME_LENGTH:
        return {"name": f"A template name has at most {NAME_LENGTH} characters."}
    if QuoteTemplate.objects.filter(name__iexact=name).exists():
        return {"name": f"A template named “{name}” exists already: choose another name."}
    return {}


@transaction.atomic
def save_as_template(*, quote: Quote, name: str, by) -> QuoteTemplate:
    """Save the top-level lines of a quote the user may see (a configured product with its
    options; a bundle's components come again from the bundle) as a new named template."""
    actor = require(by, "quotes.add_quote", "You are not allowed to save quote templates.")
    if not quotes_visible_to(actor.user).filter(pk=quote.pk).exists():
        raise ValidationError({"quote": "You cannot save that quote as a template."})
    name = name.strip()
    errors = _name_errors(name)
    items = items_of(quote)
    if not items:
        errors["quote"] = f"Quote {quote} has no lines to save."
    if errors:
        raise ValidationError(errors)
    template = QuoteTemplate.objects.create(name=name, created_by=actor.user)
    QuoteTemplateLine.objects.bulk_create([
        QuoteTemplateLine(
            template=template, position=position, product=item.product,
            quantity=item.quantity,
            options=(None if item.options is None
                     else {sku: str(q) for sku, q in item.options.items()}),
            discount_percent=item.discount_percent,
            discount_per_period=item.discount_per_period,
            billing_period=item.billing_period or "", section=item.section, note=item.note)
        for position, item in enumerate(items, start=1)])
    return template


def template_items(template: QuoteTemplate) -> list[LineItem]:
    """The template's lines as items to add, in order (one query for lines and products)."""
    lines = template.lines.select_related("product").order_by("position", "pk")
    return [LineItem(product=line.product, quantity=line.quantity,
                     options=(None if line.options is None
                              else {sku: Decimal(q) for sku, q in line.options.items()}),
                     discount_percent=line.discount_percent,
                     discount_per_period=line.discount_per_period,
                     billing_period=line.billing_period or None, section=line.section,
                     note=line.note)
            for line in lines]


def add_lines_from_template(*, quote: Quote, template: QuoteTemplate, by) -> list[QuoteLine]:
    """Add a template's lines to a draft, priced from the draft's book."""
    items = template_items(template)
    if not items:
        raise ValidationError({"template": f"Template {template} has no lines."})
    return add_lines(quote=quote, items=items, by=by)


@transaction.atomic
def create_quote_from_template(*, template: QuoteTemplate, by, **header) -> Quote:
    """A new draft (header as `create_quote` takes it) with the template's lines; nothing is
    created when a line cannot be added (a product the book does not sell, say)."""
    quote = create_quote(by=by, **header)
    try:
        add_lines_from_template(quote=quote, template=template, by=by)
    except ValidationError as error:  # the lines' errors are the template's, on the form
        raise ValidationError({"template": error.messages}) from error
    quote.refresh_from_db()
    return quote
