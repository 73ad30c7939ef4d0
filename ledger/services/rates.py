"""Exchange rates: the rate on a date, conversion to the functional currency, CSV import."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core.actors import as_actor
from ledger.fx import ONE, RateBook, convert, missing_rate_message
from ledger.models import ExchangeRate
from ledger.rate_csv import parse_rates


def rate_on(currency: str, on: date) -> Decimal:
    """Functional-currency units per unit of `currency`: the latest rate on or before `on`
    (1 for the functional currency); a clear ValidationError when there is none."""
    currency = currency.upper()
    if currency == settings.FUNCTIONAL_CURRENCY:
        return ONE
    rate = (ExchangeRate.objects.filter(currency=currency, valid_on__lte=on)
            .order_by("-valid_on").values_list("rate", flat=True).first())
    if rate is None:
        raise ValidationError(missing_rate_message(currency, on), code="missing_rate")
    return rate


def to_functional(amount: Decimal, currency: str, on: date) -> tuple[Decimal, Decimal]:
    """(amount in the functional currency rounded to its minor unit, the rate used)."""
    rate = rate_on(currency, on)
    return convert(amount, rate, settings.FUNCTIONAL_CURRENCY), rate


def rate_book(currencies: Iterable[str], *, up_to: date) -> RateBook:
    """Every rate of `currencies` valid on or before `up_to`, in memory (one query), for bulk
    runs; its `rate_on` raises fx.MissingRate where `rate_on` raises ValidationError."""
    wanted = {c.upper() for c in currencies} - {settings.FUNCTIONAL_CURRENCY}
    rows = ExchangeRate.objects.filter(currency__in=wanted, valid_on__lte=up_to)
    return RateBook.from_rows(settings.FUNCTIONAL_CURRENCY,
                              rows.values_list("currency", "valid_on", "rate"))


@dataclass(frozen=True)
class RateImport:
    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


@transaction.atomic
def import_rate_file(file, *, by) -> RateImport:
    """Upsert every rate of a CSV or XLSX file (currency, date, rate); a file with any bad row
    is refused whole, the ValidationError listing each bad row's line number and reason."""
    if not as_actor(by).has_perm("ledger.import_rates"):
        raise PermissionDenied("You are not allowed to import exchange rates.")
    content = file.read() if hasattr(file, "read") else file
    rows, errors = parse_rates(content, currencies=set(settings.CURRENCIES),
                               functional=settings.FUNCTIONAL_CURRENCY,
                               filename=getattr(file, "name", None) or "rates.csv")
    if errors:
        raise ValidationError(errors, code="bad_rows")
    existing = set(ExchangeRate.objects.filter(
        currency__in={r.currency for r in rows}, valid_on__in={r.valid_on for r in rows}
    ).values_list("currency", "valid_on"))
    ExchangeRate.objects.bulk_create(
        [ExchangeRate(currency=r.currency, valid_on=r.valid_on, rate=r.rate) for r in rows],
        update_conflicts=True, unique_fields=["currency", "valid_on"], update_fields=["rate"],
    )
    updated = sum((r.currency, r.valid_on) in existing for r in rows)
    return RateImport(created=len(rows) - updated, updated=updated)
