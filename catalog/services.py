"""The catalog's verbs: record price history, import and export price books."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from catalog import price_book_files, pricing
from catalog.models import (
    PriceBook,
    PriceBookEntry,
    PriceChange,
    PriceChangeAction,
    PriceModel,
    PriceTier,
    Product,
)
from catalog.selectors import entries_of, price_snapshots
from catalog.tiers import WrittenTier, written_tier_errors
from core import clock
from core.actors import as_actor
from core.imports import TableRefused, TableRow


class PriceImportRejected(Exception):
    """A price book file with bad rows: nothing was imported. `errors` lists every bad row."""

    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} error(s) in the file")
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def _describe(before: dict | None, after: dict | None) -> str:
    if before is None or after is None:
        return ""
    fields = [key for key in after if key != "source" and before.get(key) != after.get(key)]
    return ", ".join(f"{key}: {before.get(key)} → {after.get(key)}" for key in fields)


@transaction.atomic
def record_price_changes(*, before: Mapping[int, dict], after: Mapping[int, dict], by,
                         source: str = "admin", labels: Mapping[int, str] | None = None
                         ) -> list[PriceChange]:
    """One history row per entry whose price snapshot differs between `before` and `after`."""
    actor = as_actor(by)
    labels = labels or {}
    changes = []
    for pk in sorted(set(before) | set(after)):
        old, new = before.get(pk), after.get(pk)
        if old == new:
            continue
        action = (PriceChangeAction.CREATED if old is None else
                  PriceChangeAction.DELETED if new is None else PriceChangeAction.CHANGED)
        source_info = (new or old)["source"]
        changes.append(PriceChange(
            entry_id=pk if new is not None else None,
            price_book_id=source_info["price_book_id"], product_id=source_info["product_id"],
            label=labels.get(pk) or f"{source_info['sku']} {(new or old)['billing_period']} "
                                    f"in {source_info['price_book']}",
            action=action, before=old, after=new, summary=_describe(old, new), source=source,
            changed_by=actor.user, changed_by_name=actor.label,
        ))
    return PriceChange.objects.bulk_create(changes)


def export_price_book(*, price_book: PriceBook, fmt: str, by) -> bytes:
    """The book's entries as a CSV or XLSX file that `import_price_book` reads back."""
    if not as_actor(by).has_perm("catalog.view_pricebookentry"):
        raise PermissionDenied("You are not allowed to see prices.")
    rows = []
    for entry in entries_of(price_book):
        base = {
            "sku": entry.product.sku, "billing_period": entry.billing_period,
            "price_model": entry.price_model, "unit_amount": _plain(entry.unit_amount),
            "package_size": _plain(entry.package_size),
            "minimum_amount": _plain(entry.minimum_amount), "percent": _plain(entry.percent),
            "percent_of_kind": entry.percent_of_kind,
            "percent_of_family": entry.percent_of_family,
            "active": "yes" if entry.active else "no",
            "included_units": _plain(entry.included_units),
            "maximum_amount": _plain(entry.maximum_amount),
            "minimum_packages": _plain(entry.minimum_packages),
            "charge_at_zero": "yes" if entry.charge_at_zero else "no",
            "fixed_fee": _plain(entry.fixed_fee), "free_transactions": entry.free_transactions,
            "transaction_minimum": _plain(entry.transaction_minimum),
            "transaction_maximum": _plain(entry.transaction_maximum),
        }
        tiers = list(entry.tiers.all()) if entry.price_model in pricing.TIERED_MODELS else []
        for tier in tiers or [None]:
            row = dict(base)
            if tier is not None:
                row.update(tier_from=_plain(tier.from_quantity), tier_up_to=_plain(tier.up_to),
                           tier_unit_amount=_plain(tier.unit_amount),
                           tier_flat_amount=_plain(tier.flat_amount),
                           tier_block_size=_plain(tier.block_size))
            rows.append(row)
    return price_book_files.write_rows(rows, fmt)


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


@transaction.atomic
def import_price_book(*, price_book: PriceBook, data: bytes, filename: str, by) -> ImportResult:
    """Create or update the file's entries (and replace their tiers) in one transaction.

    Entries the file does not mention stay as they are. A file with any bad row is refused
    whole: `PriceImportRejected.errors` names every bad row by its line number.
    """
    actor = as_actor(by)
    if not actor.has_perm("catalog.import_prices"):
        raise PermissionDenied("You are not allowed to import prices.")
    try:
        rows = price_book_files.read_rows(data, filename)
    except TableRefused as refused:
        raise PriceImportRejected(refused.problems) from refused
    if not rows:
        raise PriceImportRejected(["The file has no price rows."])
    parsed, errors = _ParsedFile(price_book, rows).parse()
    if errors:
        raise PriceImportRejected(errors)
    existing = {(e.product_id, e.billing_period): e
                for e in PriceBookEntry.objects.select_for_update().filter(
                    price_book=price_book).order_by("pk")}
    before = price_snapshots(e.pk for e in existing.values())
    entries = _entries_of(price_book, parsed, existing)
    new = [entry for entry, _ in entries if entry.pk is None]
    changed = [entry for entry, _ in entries if entry.pk is not None]
    PriceBookEntry.objects.bulk_create(new)
    _update_entries(changed)
    PriceTier.objects.filter(entry__in=[entry.pk for entry in changed]).delete()
    PriceTier.objects.bulk_create([PriceTier(entry=entry, **t)
                                   for entry, tiers in entries for t in tiers])
    touched = [entry.pk for entry, _ in entries]
    after = price_snapshots(touched)
    record_price_changes(before={pk: before[pk] for pk in touched if pk in before},
                         after=after, by=actor, source=f"import {filename}")
    return ImportResult(created=len(new), updated=len(changed))


def _entries_of(price_book, parsed, existing) -> list[tuple[PriceBookEntry, list[dict]]]:
    """The file's entries in its order, each with its tiers: a new one unsaved, an existing one
    with the file's values set (the file names each product and period once)."""
    entries = []
    for entry_values, tiers in parsed:
        entry = existing.get((entry_values["product"].pk, entry_values["billing_period"]))
        if entry is None:
            entry = PriceBookEntry(price_book=price_book, **entry_values)
        else:
            for name, value in entry_values.items():
                setattr(entry, name, value)
        entries.append((entry, tiers))
    return entries


def _update_entries(entries: list) -> None:
    """One UPDATE per batch for the entries' own columns (bulk_update skips `auto_now`, so the
    stamp is set here, as save() would)."""
    if not entries:
        return
    now = clock.now()
    for entry in entries:
        entry.updated_at = now
    fields = [f.name for f in PriceBookEntry._meta.concrete_fields
              if not f.primary_key and f.name != "price_book"]
    PriceBookEntry.objects.bulk_update(entries, fields)


_ENTRY_DECIMALS = ["unit_amount", "package_size", "minimum_amount", "percent"]
_OPTIONAL_DECIMALS = {"included_units": Decimal(0), "maximum_amount": None,
                      "minimum_packages": Decimal(0), "fixed_fee": Decimal(0),
                      "transaction_minimum": None, "transaction_maximum": None}
_TIER_DECIMALS = {"tier_from": "from_quantity", "tier_up_to": "up_to",
                  "tier_unit_amount": "unit_amount", "tier_flat_amount": "flat_amount",
                  "tier_block_size": "block_size"}
_FIELD_COLUMNS = {"product": "sku", "from_quantity": "tier_from", "up_to": "tier_up_to",
                  "unit_amount": "unit_amount", "flat_amount": "tier_flat_amount",
                  "block_size": "tier_block_size"}
_YES_NO = {"": None, "yes": True, "true": True, "1": True, "no": False, "false": False,
           "0": False}


class _ParsedFile:
    """Checks every row of a price book file, collecting errors rather than stopping."""

    def __init__(self, price_book: PriceBook, rows: list[TableRow]):
        self.price_book = price_book
        self.rows = rows
        self.errors: list[tuple[int, str]] = []
        skus = {row["sku"] for row in rows}
        self.products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}

    def error(self, line: int, message: str) -> None:
        self.errors.append((line, message))

    def parse(self):
        groups: dict[tuple[str, str], list[TableRow]] = {}
        for row in self.rows:
            groups.setdefault((row["sku"], row["billing_period"]), []).append(row)
        parsed = []
        for group in groups.values():
            result = self._group(group)
            if result is not None:
                parsed.append(result)
        messages = [f"Line {line}: {message}" for line, message in sorted(self.errors)]
        return parsed, messages

    def _decimal(self, row, column, *, blank=None):
        text = row[column].replace(",", "")
        if not text:
            return blank
        try:
            value = Decimal(text)
        except InvalidOperation:
            self.error(row.line, f'{column} "{row[column]}" is not a number.')
            return blank
        if not value.is_finite():
            self.error(row.line, f'{column} "{row[column]}" is not a number.')
            return blank
        return value

    def _group(self, group):
        first = group[0]
        product = self.products.get(first["sku"])
        if not first["sku"]:
            self.error(first.line, "sku is empty.")
        elif product is None:
            self.error(first.line, f'unknown SKU "{first["sku"]}".')
        values = self._entry_values(first, product)
        tiered = values is not None and values["price_model"] in pricing.TIERED_MODELS
        if not tiered and len(group) > 1:
            for row in group[1:]:
                self.error(row.line, f"{first['sku']} {first['billing_period']} appears twice "
                                     f"(only tiered prices take one row per tier).")
        tiers = self._tiers(group) if tiered else []
        if values is None or product is None:
            return None
        entry = PriceBookEntry(price_book=self.price_book, **values)
        try:
            entry.full_clean(exclude=["price_book"], validate_unique=False,
                             validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                column = _FIELD_COLUMNS.get(field, field)
                for message in messages:
                    prefix = f"{column}: " if column != "__all__" else ""
                    self.error(first.line, prefix + message)
            return None
        return values, tiers

    def _entry_values(self, row, product):
        values = {"product": product}
        for column, choices in (("billing_period", pricing.BillingPeriod),
                                ("price_model", PriceModel)):
            allowed = [str(c.value) if hasattr(c, "value") else c for c in choices]
            if row[column] not in allowed:
                self.error(row.line,
                           f'{column} "{row[column]}" is not one of {", ".join(allowed)}.')
                return None
            values[column] = row[column]
        for column in _ENTRY_DECIMALS:
            default = Decimal(0) if column in ("unit_amount", "minimum_amount") else None
            values[column] = self._decimal(row, column, blank=default)
        values["percent_of_kind"] = row["percent_of_kind"]
        values["percent_of_family"] = row["percent_of_family"]
        active = row["active"].lower()
        if active not in _YES_NO:
            self.error(row.line, f'active "{row["active"]}" must be yes or no.')
        values["active"] = active not in ("no", "false", "0")
        self._optional_values(row, values)
        return values

    def _optional_values(self, row, values):
        """The options of the December 2026 columns, for the columns the file has."""
        for column, default in _OPTIONAL_DECIMALS.items():
            if row.has(column):
                values[column] = self._decimal(row, column, blank=default)
        if row.has("free_transactions"):
            count = self._decimal(row, "free_transactions", blank=Decimal(0))
            if count is not None and (count < 0 or count != count.to_integral_value()):
                self.error(row.line, "free_transactions must be a whole number, 0 or more.")
            else:
                values["free_transactions"] = int(count or 0)
        if row.has("charge_at_zero"):
            flag = row["charge_at_zero"].lower()
            if flag not in _YES_NO:
                self.error(row.line, f'charge_at_zero "{row["charge_at_zero"]}" must be yes '
                                     f'or no.')
            values["charge_at_zero"] = bool(_YES_NO.get(flag))

    def _tiers(self, group):
        tiers = []
        for row in group:
            if not row["tier_from"]:
                self.error(row.line, "tier_from is empty: tiered prices need one row per tier.")
                return []
            tier = {field: self._decimal(row, column, blank=None)
                    for column, field in _TIER_DECIMALS.items()}
            tier["unit_amount"] = tier["unit_amount"] or Decimal(0)
            tier["flat_amount"] = tier["flat_amount"] or Decimal(0)
            if tier["from_quantity"] is None:
                return []
            tiers.append(tier)
        written = [WrittenTier(**t) for t in tiers]
        for index, field, message in written_tier_errors(written):
            column = _FIELD_COLUMNS.get(field, field) or "tiers"
            self.error(group[index].line, f"{column}: {message}")
        return tiers
