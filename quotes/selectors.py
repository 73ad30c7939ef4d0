"""The questions about quotes: which a user may see, one quote for its page, the approval queue.

`quotes_visible_to` is the one visibility rule: list, detail, search, the builder's endpoints,
the approvals queue and every service that changes a quote go through it.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Case, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, When
from django.shortcuts import get_object_or_404

from catalog.coupons import CouponDuration, CouponTerms
from catalog.due_schedule import InstalmentTerm, TermsSpec
from catalog.models import (
    BillingPeriod,
    GuidedAnswer,
    GuidedProposal,
    GuidedQuestion,
    OptionGroup,
    PriceBookEntry,
    PriceTier,
    Product,
    ProductKind,
    StandaloneSellingPrice,
)
from catalog.policies import default_convention, due_dates_on_business_days, time_zone_of
from catalog.selectors import products_visible_to
from core.money import round_money
from core.visibility import user_of, visible_to
from ledger.fx import MissingRate
from ledger.services import rate_book
from quotes import approval_rules, deal_desk, diff
from quotes.models import (
    ApprovalRequest,
    ApprovalRule,
    ApprovalState,
    Quote,
    QuoteCoupon,
    QuoteLine,
    QuoteTemplate,
)
from quotes.paste import PastedRow
from quotes.term_amounts import QuoteTerm

ZERO = Decimal(0)
VIEW = "quotes.view_quote"
VIEW_TEAM = "quotes.view_team_quotes"
VIEW_ALL = "quotes.view_all_quotes"


def quotes_visible_to(user) -> QuerySet[Quote]:
    """Rep: owned; manager: own and the team's; finance, accountants, system: all; else none."""
    quotes = Quote.objects.select_related("account", "owner", "contact", "price_book",
                                          "payment_terms")
    return visible_to(quotes, user, view=VIEW, view_team=VIEW_TEAM, view_all=VIEW_ALL)


def search_quotes(quotes: QuerySet[Quote], text: str) -> QuerySet[Quote]:
    text = text.strip()
    if not text:
        return quotes
    return quotes.filter(Q(number__icontains=text) | Q(account__name__icontains=text))


def quote_for_detail(*, pk, user) -> Quote:
    """The quote if the user may see it, else 404."""
    return get_object_or_404(quotes_visible_to(user), pk=pk)


def quote_for_update(*, pk, user) -> Quote | None:
    """Lock the quote row (in the caller's transaction) if the user may see it; else None."""
    return (quotes_visible_to(user).select_for_update(of=("self",)).filter(pk=pk).first())


def lines_of(quote: Quote) -> QuerySet[QuoteLine]:
    """Lines for pages and rules; the price snapshot (JSON) is left out until it is needed."""
    return (quote.lines.select_related("product").defer("price_snapshot")
            .order_by("position", "pk"))


def quote_templates_for(user) -> QuerySet[QuoteTemplate]:
    """The named templates a user who makes quotes may start from (shared by the sales team)."""
    user = user_of(user)
    if not user.is_authenticated or not user.has_perm("quotes.add_quote"):
        return QuoteTemplate.objects.none()
    return QuoteTemplate.objects.order_by("name", "pk")


def approval_requests_of(quote: Quote) -> QuerySet[ApprovalRequest]:
    return quote.approval_requests.select_related("group", "decided_by", "approver").order_by(
        "-created_at", "level", "pk")


def may_decide(user, quote: Quote) -> bool:
    """Whether `user` may approve or reject `quote` at all: an active user holding the approval
    permission who sees the quote and does not own it (groups and levels aside)."""
    user = user_of(user)
    return (user.is_active and user.pk != quote.owner_id
            and user.has_perm("quotes.approve_quote")
            and quotes_visible_to(user).filter(pk=quote.pk).exists())


def first_decider_in(group, quote: Quote):
    """A member of `group` who may decide `quote` (see `may_decide`), or None."""
    members = group.user_set.filter(is_active=True).exclude(pk=quote.owner_id).order_by("pk")
    return next((user for user in members if may_decide(user, quote)), None)


def addressed_to(user) -> Q:
    """Requests `user` decides: those named for them, and their groups' unnamed ones."""
    return Q(approver=user) | Q(approver__isnull=True, group__in=user.groups.all())


def approvals_queue(user) -> QuerySet[ApprovalRequest]:
    """Pending requests addressed to the user on quotes they may see, not on their own quotes,
    at each quote's current (lowest pending) level."""
    user = user_of(user)
    if not user.is_authenticated or not user.has_perm("quotes.approve_quote"):
        return ApprovalRequest.objects.none()
    visible = quotes_visible_to(user).exclude(owner=user).values("pk")
    pending = ApprovalRequest.objects.filter(state=ApprovalState.PENDING)
    lower = pending.filter(quote=OuterRef("quote"), level__lt=OuterRef("level"))
    return (pending.filter(addressed_to(user), quote__in=visible)
            .exclude(Exists(lower))
            .select_related("quote", "quote__account", "quote__owner", "quote__payment_terms",
                            "group", "approver")
            .order_by("quote__submitted_at", "pk"))


FACT_COLUMNS = ("quote_id", "position", "product__sku", "product__name", "quantity",
                "billing_period", "list_amount", "discount_amount", "net_amount",
                "product__unit_cost", "product__unit_cost_currency", "coupon_amount")


def quote_facts_for(quotes) -> dict[int, approval_rules.QuoteFacts]:
    """The plain snapshots the approval rules read (each quote's priced lines, not those
    included in a parent), for many quotes with one query of their lines' columns. A unit cost
    counts only in the quote's currency; quotes come with their payment terms."""
    quotes = list(quotes)
    rows: dict[int, list] = {quote.pk: [] for quote in quotes}
    for row in (QuoteLine.objects.filter(quote__in=quotes, included=False)
                .order_by("quote", "position", "pk").values_list(*FACT_COLUMNS)):
        rows[row[0]].append(row)
    rules = list(ApprovalRule.objects.filter(active=True).values_list("currency", "condition"))
    rates = _rates_for(quotes, {currency.upper() for currency, _ in rules if currency})
    desk = {c for _, c in rules} & approval_rules.DESK_CONDITIONS
    facts = {}
    for quote in quotes:
        facts[quote.pk] = _facts(quote, rows[quote.pk], rates)
        if desk:  # only when a rule reads them: the preview prices the whole schedule
            preview = deal_desk_preview(quote)
            facts[quote.pk] = replace(
                facts[quote.pk], first_year_cash=preview.first_year_cash(quote.start_on),
                revenue_after_first_year=preview.revenue_after_first_year(quote.start_on))
    return facts


def _rates_for(quotes, rule_currencies: set[str]) -> dict[int, tuple]:
    """Each quote's rates on its start day, of its own currency and every amount rule's (one
    query for all the quotes)."""
    if not quotes:
        return {}
    wanted = {q.currency for q in quotes} | rule_currencies
    book = rate_book(wanted, up_to=max(q.start_on for q in quotes))
    rates = {}
    for quote in quotes:
        known = []
        for currency in sorted(wanted):
            try:
                known.append((currency, book.rate_on(currency, quote.start_on)))
            except MissingRate:
                continue
        rates[quote.pk] = tuple(known)
    return rates


def _facts(quote: Quote, rows, rates: dict[int, tuple]) -> approval_rules.QuoteFacts:
    lines = tuple(
        approval_rules.LineFacts(
            position=position, sku=sku, name=name, quantity=quantity,
            cost_months=Decimal(1 if period == BillingPeriod.ONE_TIME else quote.term_months),
            list_amount=list_amount, discount_amount=discount, net_amount=net - coupon,
            coupon_amount=coupon,
            unit_cost=cost if cost is not None and cost_currency == quote.currency else None)
        for _, position, sku, name, quantity, period, list_amount, discount, net, cost,
        cost_currency, coupon in rows)
    return approval_rules.QuoteFacts(
        currency=quote.currency, term_months=quote.term_months, list_total=quote.list_total,
        discount_total=quote.discount_total, total_contract_value=quote.total_contract_value,
        coupon_total=quote.coupon_total,
        payment_terms_name=quote.payment_terms.name,
        payment_terms_days=quote.payment_terms.longest_days, lines=lines,
        rates=rates.get(quote.pk, ()), rates_on=quote.start_on)


def line_snapshots(quote: Quote) -> list[diff.LineSnapshot]:
    return [
        diff.LineSnapshot(
            position=line.position, sku=line.product.sku, name=line.product.name,
            billing_period=line.billing_period, quantity=line.quantity,
            discount_percent=line.discount_percent,
            discount_per_period=line.discount_per_period, net_amount=line.net_amount)
        for line in lines_of(quote)
    ]


def diff_against_previous(quote: Quote) -> diff.QuoteDiff | None:
    """What changed against the version this one revises (None for a first version)."""
    if quote.revises_id is None:
        return None
    return diff.quote_diff(line_snapshots(quote.revises), line_snapshots(quote))


@dataclass(frozen=True)
class CatalogRow:
    """A product of the builder's catalog panel with its prices in the quote's book (one entry
    per billing period; none when the book does not sell it)."""

    product: Product
    configurable: bool
    entries: tuple


CATALOG_ROWS = 40


def catalog_families(user) -> list[str]:
    """The product families the user may quote from, for the panel's filter."""
    return list(products_visible_to(user).filter(active=True).exclude(family="")
                .order_by("family").values_list("family", flat=True).distinct())


def catalog_rows(*, quote: Quote, user, text: str = "", family: str = "",
                 priced_only: bool = False) -> list[CatalogRow]:
    """Active products matching the text (name or SKU) and family, each with its active
    entries in the quote's price book; two queries whatever the number of products."""
    products = products_visible_to(user).filter(active=True).annotate(
        configurable=Exists(OptionGroup.objects.filter(product=OuterRef("pk"))))
    text = text.strip()
    if text:
        products = products.filter(Q(name__icontains=text) | Q(sku__icontains=text))
    if family:
        products = products.filter(family=family)
    entries = (PriceBookEntry.objects.filter(price_book=quote.price_book_id, active=True)
               .prefetch_related(Prefetch("tiers", queryset=PriceTier.objects.order_by(
                   "from_quantity"))).order_by("billing_period"))
    if priced_only:
        products = products.filter(Exists(entries.filter(product=OuterRef("pk"))))
    products = list(products.order_by("family", "name", "pk")[:CATALOG_ROWS])
    by_product: dict[int, list] = {}
    for entry in entries.filter(product__in=[p.pk for p in products]):
        by_product.setdefault(entry.product_id, []).append(entry)
    return [CatalogRow(product=p, configurable=p.configurable,
                       entries=tuple(by_product.get(p.pk, ()))) for p in products]


@dataclass(frozen=True)
class PreviewRow:
    """A pasted row as the preview shows it: the product found and what stops it, in words."""

    number: int
    sku: str
    quantity: Decimal | None
    product: Product | None
    entry: PriceBookEntry | None
    error: str
    section: str = ""


def pasted_preview(*, quote: Quote, user, rows) -> list[PreviewRow]:
    """Resolve pasted rows (quotes.paste.PastedRow) against the products the user may quote
    and the quote's book: two queries for the whole list."""
    skus = {row.sku for row in rows if row.sku}
    products = {p.sku: p for p in products_visible_to(user).filter(sku__in=skus).annotate(
        configurable=Exists(OptionGroup.objects.filter(product=OuterRef("pk"))))}
    entries: dict[int, PriceBookEntry] = {}
    for entry in (PriceBookEntry.objects.filter(
            price_book=quote.price_book_id, active=True,
            product__in=[p.pk for p in products.values()]).prefetch_related(Prefetch(
                "tiers", queryset=PriceTier.objects.order_by("from_quantity")))
            .order_by("billing_period")):
        entries.setdefault(entry.product_id, entry)
    return [_preview_row(row, products.get(row.sku), entries, quote) for row in rows]


def guided_questions(*, family: str) -> list[GuidedQuestion]:
    """A family's active questions in order, each with its answers: two queries."""
    return list(GuidedQuestion.objects.filter(family=family, active=True)
                .prefetch_related(Prefetch("answers", queryset=GuidedAnswer.objects.order_by(
                    "position", "pk"))).order_by("position", "pk"))


def guided_proposals(*, quote: Quote, user, answers) -> list[PreviewRow]:
    """What the chosen answers propose, one row per product (the quantities of a product that
    several answers propose added up), each with its price in the quote's book or why it
    cannot be added, as a pasted list is previewed: three queries."""
    quantities: dict[str, Decimal] = {}
    for proposal in (GuidedProposal.objects.filter(answer__in=answers)
                     .select_related("product").order_by(
                         "answer__question__position", "answer__position", "pk")):
        sku = proposal.product.sku
        quantities[sku] = quantities.get(sku, Decimal(0)) + proposal.quantity
    rows = [PastedRow(number, sku, quantity)
            for number, (sku, quantity) in enumerate(quantities.items(), start=1)]
    return pasted_preview(quote=quote, user=user, rows=rows)


def _preview_row(row, product, entries, quote: Quote) -> PreviewRow:
    entry = entries.get(product.pk) if product is not None else None
    error = row.error
    if not error:
        if product is None:
            error = f"No product has the SKU {row.sku}."
        elif not product.active:
            error = f"{product.name} is no longer sold."
        elif product.configurable:
            error = f"{product.name} has options: add it with Configure in the catalog."
        elif entry is None:
            error = f"{product.name} has no price in {quote.price_book.name}."
    return PreviewRow(number=row.number, sku=row.sku, quantity=row.quantity, product=product,
                      entry=entry, error=error, section=row.section)


DESK_COLUMNS = ("pk", "parent_id", "included", "quantity", "billing_period", "billing_alignment",
                "amount_per_period", "list_per_period", "product_id", "product__kind",
                "product__revenue_rule", "product__is_bundle", "proration_convention",
                "price_snapshot__source__proration_granularity")


def coupons_of(quote: Quote) -> QuerySet[QuoteCoupon]:
    """The quote's coupons in the order they apply, with their coupons and products."""
    return (QuoteCoupon.objects.filter(quote=quote).select_related("coupon")
            .prefetch_related("coupon__products").order_by("position", "pk"))


def coupon_terms_of(quote: Quote) -> list[CouponTerms]:
    """The quote's coupons as `catalog.coupons` reads them, in the order they apply."""
    if quote.pk is None:
        return []
    return [coupon_terms(applied) for applied in coupons_of(quote)]


def coupon_terms(applied: QuoteCoupon) -> CouponTerms:
    """One applied coupon's terms; a carried repeating coupon runs its remaining periods."""
    terms = applied.coupon.terms()
    if applied.periods is None:
        return terms
    return replace(terms, duration=CouponDuration.REPEATING, periods=applied.periods)


def term_of(quote: Quote) -> QuoteTerm:
    """What the quote's lines are scheduled under: its start and term, its bill day (the
    account's when the quote was made), and the day count its contract lines will record
    (`catalog.policies`)."""
    return QuoteTerm(currency=quote.currency, start_on=quote.start_on,
                     term_months=quote.term_months, bill_day=quote.billed_on_day,
                     convention=default_convention(), starts_at=quote.starts_at,
                     time_zone=time_zone_of(quote.account) if quote.starts_at else "UTC")


def deal_desk_lines(quote: Quote) -> list[deal_desk.DeskLine]:
    """The quote's lines as its contract lines will be (the schedule's terms, the catalog SSP
    in the quote's currency): two queries of plain columns, whatever the number of lines."""
    rows = list(quote.lines.order_by("position", "pk").values_list(*DESK_COLUMNS))
    ssps = dict(((product_id, (amount, basis)) for product_id, amount, basis in
                 StandaloneSellingPrice.objects.filter(
                     product_id__in={row[8] for row in rows}, amount_currency=quote.currency)
                 .values_list("product_id", "amount", "basis")))
    term = term_of(quote)
    lines = []
    for (pk, parent_id, included, quantity, period, alignment, per_period, list_per_period,
         product_id, kind, rule, is_bundle, day_count, granularity) in rows:
        terms = term.line(billing_period=period, amount_per_period=per_period,
                          alignment=alignment, usage=kind == ProductKind.USAGE,
                          day_count=day_count, granularity=granularity or "")
        lines.append(deal_desk.DeskLine(
            key=str(pk), terms=terms, list_per_period=list_per_period, quantity=quantity,
            revenue_rule=rule, is_bundle=is_bundle, included=included,
            parent_key=str(parent_id) if parent_id else None, ssp=ssps.get(product_id),
            product_id=product_id))
    return lines


def terms_spec_of(terms) -> TermsSpec:
    """Payment terms as the pure due-date module reads them, built as billing builds them when
    it issues an invoice (`billing.services.issuing`): each instalment on its own basis, due
    dates moved off weekends when the setting says so."""
    return TermsSpec(terms.kind, days=terms.days, instalments=tuple(
        InstalmentTerm(i.percent, i.due_days, i.basis) for i in terms.instalments.all()),
        business_days=due_dates_on_business_days())


def deal_desk_preview(quote: Quote) -> deal_desk.Preview:
    """Billing, revenue by month and cash of the quote as it stands (quotes.deal_desk)."""
    return deal_desk.preview(deal_desk_lines(quote), currency=quote.currency,
                             terms=terms_spec_of(quote.payment_terms),
                             coupons=coupon_terms_of(quote))


def section_subtotals(quote: Quote) -> dict[str, Decimal]:
    """Net over the term of each section (a line's options count in their product's), by
    section name, in one query; lines in no section are under ""."""
    heading = Case(When(parent__isnull=False, then=F("parent__section")), default=F("section"))
    return {row["heading"]: round_money(row["net"] or ZERO, quote.currency)
            for row in quote.lines.annotate(heading=heading).order_by().values("heading")
            .annotate(net=Sum("net_amount"))}


def with_section_starts(lines, subtotals: dict) -> list:
    """Mark each top-level line that starts a section on the page (its name differs from the
    top-level line before it) with the section's subtotal over the whole quote."""
    previous = None
    for line in lines:
        line.section_start = None
        if line.parent_id:
            continue
        if line.section != previous and (line.section or previous is not None):
            line.section_start = {"name": line.section, "subtotal": subtotals.get(line.section)}
        previous = line.section
    return lines


def entries_by_sku(*, quote: Quote, skus) -> dict[str, PriceBookEntry]:
    """Each product's first active entry in the quote's book, by SKU (one query)."""
    entries: dict[str, PriceBookEntry] = {}
    for entry in (PriceBookEntry.objects.filter(price_book=quote.price_book_id, active=True,
                                                product__sku__in=list(skus))
                  .select_related("product").prefetch_related(Prefetch(
                      "tiers", queryset=PriceTier.objects.order_by("from_quantity")))
                  .order_by("billing_period")):
        entries.setdefault(entry.product.sku, entry)
    return entries


def quote_numbered(*, number: str, user) -> Quote | None:
    """The latest version of the quote with this number that the user may see, or None."""
    return (quotes_visible_to(user).filter(number__iexact=number.strip())
            .order_by("-version").first())
