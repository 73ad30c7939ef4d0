"""Coupons on a quote: the rep applies a code to a draft (checked by `catalog.coupons`: its
window, currency, products, limit and stacking), or takes it off; the quote is priced again with
it (`quotes.coupon_amounts`). When the customer accepts, each coupon is redeemed: its row is
locked and its redemptions counted again, so two acceptances at once never pass its limit.

On an amendment quote a coupon applies to what the amendment changes (its new and changed
lines), from its effective date. A renewal quote made by the renewal task carries the contract's
running coupons (`carry_coupons`): a carried coupon is the earlier redemption going on, so it is
never redeemed again and never counts against the coupon's limit.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from catalog.coupons import coupon_problems
from catalog.models import Coupon
from core.actors import as_actor, require
from core.dates import business_date
from quotes.models import Quote, QuoteCoupon, QuoteKind, QuoteState
from quotes.selectors import coupons_of
from quotes.services._common import locked_draft, note_on_quote
from quotes.services.repricing import store_prices

MAX_CODE = 40  # Coupon.code


def redemptions_of(coupon_ids) -> Counter:
    """How many accepted quotes redeemed each coupon."""
    return Counter(dict(QuoteCoupon.objects.filter(coupon_id__in=coupon_ids,
                                                   redeemed_on__isnull=False)
                        .values("coupon").annotate(n=Count("pk")).values_list("coupon", "n")))


def _coupon(code: str) -> Coupon:
    code = (code or "").strip().upper()
    if not code:
        raise ValidationError({"code": "Type the coupon's code."})
    coupon = (Coupon.objects.filter(code=code[:MAX_CODE], active=True)
              .prefetch_related("products").first())
    if coupon is None:
        raise ValidationError({"code": f"There is no coupon {code}."})
    return coupon


def _lines(quote: Quote):
    return list(quote.lines.only("pk", "quote_id", "product_id", "quantity", "discount_percent",
                                 "discount_per_period", "price_snapshot", "billing_alignment",
                                 "billing_period", "prefilled_from"))


def _products_it_may_discount(quote: Quote, lines) -> set[int]:
    """The quote's products; on an amendment, those of the lines it adds or changes."""
    if quote.kind != QuoteKind.AMENDMENT:
        return {line.product_id for line in lines}
    changed = {line.product_id for line in lines if line.changes_its_contract_line}
    if not changed:
        raise ValidationError({"code": "A coupon on an amendment applies to what it changes: "
                                       "change a quantity or add a product first."})
    return changed


def _check_contract_stacking(quote: Quote, coupon: Coupon, lines) -> None:
    """On an amendment, the contract's coupons running on the lines it changes count for the
    stacking rule (the code meets them on the lines that replace those): a coupon that does
    not stack is used alone, whether it is the code or one already running. Coupons running
    only on lines the amendment leaves as they are never meet the code."""
    if quote.kind != QuoteKind.AMENDMENT:
        return
    changed = {coupon_id for line in lines if line.changes_its_contract_line
               for coupon_id in (line.prefilled_from or {}).get("contract_coupons", ())}
    running = [c for c in quote.contract_coupons.all()
               if c.pk in changed and c.pk != coupon.pk]
    solo = [c for c in running if not c.stackable]
    if solo:
        reason = ("which runs on this contract's lines and does not stack" if len(solo) == 1
                  else "which run on this contract's lines and do not stack")
        codes = ", ".join(c.code for c in solo)
    elif running and not coupon.stackable:
        reason = f"running on this contract's lines, and {coupon.code} does not stack"
        codes = ", ".join(c.code for c in running)
    else:
        return
    raise ValidationError({"code": f"{coupon.code} cannot be combined with {codes}, {reason}: "
                                   f"a coupon that does not stack is used alone."})


def check_contract_stacking(quote: Quote) -> None:
    """The amendment's coupons still meet no contract coupon that does not stack on the lines
    it changes now (a line changed after a code was applied can bring one in)."""
    if quote.kind != QuoteKind.AMENDMENT:
        return
    lines = _lines(quote)
    for applied in coupons_of(quote):
        _check_contract_stacking(quote, applied.coupon, lines)


@transaction.atomic
def apply_coupon(*, quote: Quote, code: str, by, on: date | None = None) -> Quote:
    """Put the coupon on a draft, after the ones it has (they apply in that order)."""
    quote = locked_draft(quote, by)
    today = business_date(on)
    coupon = _coupon(code)
    applied = list(coupons_of(quote))
    lines = _lines(quote)
    _check_contract_stacking(quote, coupon, lines)
    problems = coupon_problems(
        coupon.terms(), on=today, currency=quote.currency,
        product_ids=_products_it_may_discount(quote, lines),
        redemptions=redemptions_of([coupon.pk])[coupon.pk],
        others=[other.coupon.terms() for other in applied])
    if problems:
        raise ValidationError({"code": problems})
    QuoteCoupon.objects.create(quote=quote, coupon=coupon, applied_by=as_actor(by).user,
                               applied_on=today,
                               position=applied[-1].position + 1 if applied else 1)
    store_prices(quote)
    note_on_quote(quote, by, "apply_coupon", f"Coupon {coupon.code} applied ({coupon.name})", on)
    return quote


@transaction.atomic
def remove_coupon(*, quote: Quote, coupon_id: int, by, on: date | None = None) -> Quote:
    """Take a coupon off a draft (the others keep their order)."""
    quote = locked_draft(quote, by)
    removed = QuoteCoupon.objects.filter(quote=quote, coupon_id=coupon_id).select_related(
        "coupon").first()
    if removed is None:
        raise ValidationError({"code": "That coupon is not on this quote."})
    removed.delete()
    store_prices(quote)
    note_on_quote(quote, by, "remove_coupon", f"Coupon {removed.coupon.code} taken off", on)
    return quote


def redeem_coupons(quote: Quote, today: date) -> None:
    """Count the accepted quote's coupons as redeemed, or refuse when one has reached its limit
    since it was applied. Locks the coupons' rows (in pk order) until the caller commits."""
    applied = list(QuoteCoupon.objects.filter(quote=quote, carried_from__isnull=True)
                   .order_by("pk"))
    if not applied:
        return
    ids = sorted(a.coupon_id for a in applied)
    limits = dict(Coupon.objects.select_for_update().filter(pk__in=ids).order_by("pk")
                  .values_list("pk", "max_redemptions"))
    counts = redemptions_of(ids)
    full = [a for a in applied if limits[a.coupon_id] is not None
            and counts[a.coupon_id] >= limits[a.coupon_id]]
    if full:
        codes = ", ".join(Coupon.objects.filter(pk__in=[a.coupon_id for a in full])
                          .values_list("code", flat=True))
        raise ValidationError(f"The coupon {codes} has been redeemed as often as it may be "
                              "since this quote was sent; ask your contact for a new quote.")
    QuoteCoupon.objects.filter(pk__in=[a.pk for a in applied]).update(redeemed_on=today)


@dataclass(frozen=True)
class CarriedCoupon:
    """A contract's coupon a renewal quote carries: its redemption and, for a repeating coupon,
    the billing periods it has left (None: its own duration, a forever coupon)."""

    redemption: QuoteCoupon
    periods: int | None = None


@transaction.atomic
def carry_coupons(*, quote: Quote, carried: Sequence[CarriedCoupon], by,
                  on: date | None = None) -> Quote:
    """Put the running coupons of the contract a renewal quote renews on it, after any it has;
    not a redemption (`redeem_coupons` leaves them, `redemptions_of` does not count them)."""
    # Who may make the renewal quote may carry its coupons (the renewal task, as system).
    require(by, "quotes.add_quote", "You are not allowed to create quotes.")
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.kind != QuoteKind.RENEWAL or quote.state != QuoteState.DRAFT:
        raise ValidationError("Only a draft renewal quote carries its contract's coupons.")
    if not carried:
        return quote
    today = business_date(on)
    user = as_actor(by).user or quote.owner
    last = max((a.position for a in coupons_of(quote)), default=0)
    QuoteCoupon.objects.bulk_create([
        QuoteCoupon(quote=quote, coupon_id=c.redemption.coupon_id, applied_by=user,
                    applied_on=today, position=last + n, carried_from_id=c.redemption.pk,
                    periods=c.periods)
        for n, c in enumerate(carried, start=1)])
    store_prices(quote)
    codes = ", ".join(Coupon.objects.filter(pk__in=[c.redemption.coupon_id for c in carried])
                      .values_list("code", flat=True))
    note_on_quote(quote, by, "carry_coupons", f"Carried from the contract: {codes}", on)
    return quote
