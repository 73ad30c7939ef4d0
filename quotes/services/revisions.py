"""New quotes from old ones: a clone (a fresh draft with its own number) and a revision (the
next version of the same number, which supersedes the one it revises)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from core.actors import require
from core.dates import business_date
from core.numbering import next_number
from core.transitions import run_transition
from quotes.models import OPEN_STATES, ApprovalState, Quote, QuoteCoupon, QuoteLine
from quotes.services._common import locked, number_for
from quotes.services.repricing import store_prices

COPIED_FIELDS = ("kind", "account", "contact", "currency", "price_book", "payment_terms",
                 "start_on", "starts_at", "term_months", "bill_day", "expires_on", "customer_notes",
                 "internal_notes")
COPIED_LINE_FIELDS = ("product_id", "description", "quantity", "billing_period",
                      "price_snapshot", "discount_percent", "discount_per_period", "included",
                      "list_unit_price", "list_per_period", "amount_per_period", "list_amount",
                      "discount_amount", "net_amount", "tax_amount", "billing_alignment",
                      "proration_convention", "section", "note", "coupon_amount",
                      "prefilled_from")
TOTALS = ("list_total", "discount_total", "one_time_total", "recurring_monthly",
          "annual_contract_value", "total_contract_value", "tax_estimate", "coupon_total")


def _copy(source: Quote, *, owner, **overrides) -> Quote:
    """A draft with the source's header, totals and lines (snapshots and prices as they are)."""
    fields = {name: getattr(source, name) for name in (*COPIED_FIELDS, *TOTALS)}
    quote = Quote.objects.create(owner=owner, **(fields | overrides))
    quote.contract_coupons.set(source.contract_coupons.all())
    lines = list(source.lines.order_by("position", "pk"))
    copies = {}
    for line in lines:
        copies[line.pk] = QuoteLine(quote=quote, position=line.position,
                                    **{name: getattr(line, name) for name in COPIED_LINE_FIELDS})
    QuoteLine.objects.bulk_create([copies[x.pk] for x in lines if x.parent_id is None],
                                  batch_size=500)
    children = [x for x in lines if x.parent_id is not None]
    for line in children:
        copies[line.pk].parent = copies[line.parent_id]
    QuoteLine.objects.bulk_create([copies[x.pk] for x in children], batch_size=500)
    return quote


@transaction.atomic
def clone_quote(*, quote: Quote, by, on=None) -> Quote:
    """A new draft (new number, version 1) with the same header and lines, owned by `by`."""
    actor = require(by, "quotes.add_quote", "You are not allowed to create quotes.")
    source = locked(quote, by)
    today = business_date(on)
    number = number_for(today.year, next_number(f"quote-{today.year}"))
    clone = _copy(source, owner=actor.user, number=number, version=1)
    if source.coupons.exists():  # a new deal: its coupons are applied (and checked) anew
        store_prices(clone)
    return clone


@transaction.atomic
def revise_quote(*, quote: Quote, by, note: str = "", on=None) -> Quote:
    """The next version as a draft that revises `quote`; the old one is superseded and its
    open approval requests are cancelled."""
    require(by, "quotes.revise_quote", "You are not allowed to revise quotes.")
    source = locked(quote, by)
    if source.state not in OPEN_STATES:
        raise ValidationError({"state": f"A {source.get_state_display().lower()} quote cannot "
                                        f"be revised."})
    last = Quote.objects.filter(number=source.number).aggregate(v=Max("version"))["v"]
    revision = _copy(source, owner=source.owner, number=source.number, version=last + 1,
                     revises=source)
    QuoteCoupon.objects.bulk_create([  # the same deal: its coupons stay, in their order
        QuoteCoupon(quote=revision, coupon_id=applied.coupon_id, position=applied.position,
                    applied_by_id=applied.applied_by_id, applied_on=applied.applied_on,
                    discount_amount=applied.discount_amount,
                    carried_from_id=applied.carried_from_id, periods=applied.periods)
        for applied in source.coupons.all()])
    for request in source.approval_requests.filter(state=ApprovalState.PENDING):
        run_transition(request, "cancel", by=by, note="The quote was revised.", on=on)
    run_transition(source, "supersede", by=by, on=on,
                   note=note or f"Revised as version {revision.version}.")
    return revision
