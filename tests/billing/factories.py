"""Billing test data that always names the currency."""

from datetime import date
from decimal import Decimal

from billing.models import Invoice, InvoiceState
from catalog.models import Product
from catalog.pricing import PriceSpec
from contracts.models import (
    Contract,
    ContractLine,
    ContractState,
    LineStatus,
    ScheduleChange,
    ScheduleChangeKind,
)
from contracts.services.schedules import schedule_lines
from core.numbering import next_number
from tests.customers.factories import AccountFactory

ON = date(2026, 11, 23)


def issued_invoice_row(*, account=None, total=Decimal("100.00"), currency="USD") -> Invoice:
    """An issued invoice row with nothing else around it (no lines, no journal), for the
    settlement rules that only read its amounts."""
    account = account or AccountFactory(currency=currency)
    number = next_number(f"test-invoice-{ON.year}")
    return Invoice.objects.create(
        number=f"TST-{ON.year}-{number:06d}", account=account, currency=currency,
        state=InvoiceState.ISSUED, issue_on=ON, due_on=ON, subtotal=total, total=total,
        amount_due=total, functional_currency="USD", fx_rate=Decimal(1), functional_total=total)


_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def product(sku: str = "SEAT", *, kind: str = "subscription", name: str = "") -> Product:
    found = Product.objects.filter(sku=sku).first()
    return found or Product.objects.create(sku=sku, name=name or sku.title(), kind=kind)


def snapshot(currency: str, period: str, unit: Decimal, *, model: str = "per_unit",
             tiers=(), inclusive: bool = False) -> dict:
    spec = PriceSpec(model=model, currency=currency, billing_period=period, unit_amount=unit,
                     tiers=tuple(tiers))
    return {**spec.to_dict(), "source": {"prices_include_tax": inclusive}}


def active_contract(*, account, start_on: date, end_on: date, lines, currency: str = "USD",
                    state: str = ContractState.ACTIVE) -> Contract:
    """An active contract row with its lines, as an import or activation leaves it. `lines`
    are dicts: product, billing_period, amount (per period), quantity, start_on, end_on."""
    number = _next()
    contract = Contract.objects.create(
        number=f"C-T-{number:05d}", account=account, owner=account.owner, currency=currency,
        start_on=start_on, end_on=end_on, term_months=12, payment_terms=account.payment_terms,
        terms="Terms", state=state, external_reference=f"T-{number}")
    made = []
    for position, spec in enumerate(lines, start=1):
        period = spec.get("billing_period", "monthly")
        amount = Decimal(spec.get("amount", "100.00"))
        quantity = Decimal(spec.get("quantity", 1))
        made.append(ContractLine.objects.create(
            contract=contract, position=position, product=spec.get("product") or product(),
            quantity=quantity, billing_period=period,
            billing_alignment=spec.get("alignment", "bill_day"), bill_day=account.bill_day,
            price_snapshot=spec.get("snapshot") or snapshot(
                currency, period, amount / quantity, inclusive=spec.get("inclusive", False)),
            amount_per_period=amount, start_on=spec.get("start_on", start_on),
            end_on=spec.get("end_on", end_on), status=spec.get("status", LineStatus.ACTIVE),
            discount_percent=Decimal(spec.get("discount_percent", 0))))
    # as an import stores them: each line's charge schedule
    change = ScheduleChange.objects.create(contract=contract, kind=ScheduleChangeKind.IMPORT,
                                           effective_on=start_on)
    schedule_lines(made, change)
    return contract
