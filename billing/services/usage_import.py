"""Importing a usage file (CSV or XLSX): every row or none, in one transaction, each key
counted once.

A file with any bad row raises a ValidationError listing every bad row's line and reason, and
writes nothing. A good file is written with one `bulk_create` (keys already stored are skipped
by the unique constraint), so importing the same file again adds nothing. Rating the usage is
the invoice run's (billing.services.planning).
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from billing.models import BillingRecord, RecordKind, UsageImport, UsageRecord
from billing.selectors import account_zones
from billing.usage_csv import UsageRow, parse_usage, resolve_usage
from catalog.models import Product, ProductKind
from core.actors import require
from customers.models import Account

INSERT_BATCH = 5_000  # rows per INSERT: ~37k rows/s with bulk_create, far below a query per row
KEY_LOOKUP_BATCH = 400  # (account, key) pairs per lookup (SQLite allows ~999 parameters)


@dataclass(frozen=True)
class UsageImportResult:
    usage_import: UsageImport
    repeated_file: bool

    @property
    def created(self) -> int:
        return self.usage_import.created_count

    @property
    def skipped(self) -> int:
        return self.usage_import.row_count - self.usage_import.created_count


def accounts_named(names: set[str]) -> dict[str, int | None]:
    """An account is named by its id or its exact name (None when the name is not unique)."""
    ids = {int(name) for name in names if name.isdigit()}
    found: dict[str, int | None] = {
        str(pk): pk for pk in Account.objects.filter(pk__in=ids).values_list("pk", flat=True)}
    for pk, name in Account.objects.filter(name__in=names - found.keys()).values_list("pk",
                                                                                       "name"):
        found[name] = None if name in found else pk
    return found


def _products(rows: list[UsageRow]) -> dict[str, tuple[int, bool]]:
    return {sku: (pk, kind == ProductKind.USAGE) for pk, sku, kind in Product.objects.filter(
        sku__in={row.sku for row in rows}).values_list("pk", "sku", "kind")}


def _stored(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], tuple]:
    """The stored facts of keys the file repeats, looked up in batches (never a query per row):
    each batch reads its accounts' rows with its keys, a superset narrowed here to the pairs."""
    stored, pairs = {}, sorted(pairs)
    for start in range(0, len(pairs), KEY_LOOKUP_BATCH):
        batch = pairs[start:start + KEY_LOOKUP_BATCH]
        wanted = set(batch)
        rows = UsageRecord.objects.filter(
            account_id__in={a for a, _ in batch}, idempotency_key__in={k for _, k in batch},
        ).values_list("account_id", "idempotency_key", "product_id", "quantity", "occurred_at")
        for account_id, key, product_id, quantity, moment in rows:
            if (account_id, key) in wanted:
                stored[(account_id, key)] = (product_id, quantity, moment)
    return stored


def billed_periods(resolved) -> dict[tuple[int, int], list]:
    """Usage periods already on an invoice, per (account, product), for the file's accounts."""
    periods = defaultdict(list)
    for account_id, product_id, start, end, number, invoice_id in BillingRecord.objects.filter(
            kind=RecordKind.USAGE,
            contract_line__contract__account_id__in={r.account_id for r in resolved},
            contract_line__product_id__in={r.product_id for r in resolved},
    ).values_list("contract_line__contract__account_id", "contract_line__product_id",
                  "period_start", "period_end", "invoice__number", "invoice_id"):
        periods[(account_id, product_id)].append(
            (start, end, number or f"draft invoice {invoice_id}"))
    return periods


def _checked_rows(rows: list[UsageRow]):
    accounts, products = accounts_named({r.account for r in rows}), _products(rows)
    # First resolve without stored facts, to learn which (account, key) pairs to look up.
    resolved, errors = resolve_usage(rows, accounts=accounts, products=products, stored={})
    if errors:
        raise ValidationError(errors, code="bad_rows")
    stored = _stored({(r.account_id, r.idempotency_key) for r in resolved})
    resolved, errors = resolve_usage(rows, accounts=accounts, products=products, stored=stored,
                                     billed=billed_periods(resolved),
                                     zones=account_zones({r.account_id for r in resolved}))
    if errors:
        raise ValidationError(errors, code="bad_rows")
    return resolved, stored


@transaction.atomic
def import_usage_csv(*, content: bytes, file_name: str, by) -> UsageImportResult:
    """Import every usage row of the file or none; keys already stored count once."""
    actor = require(by, "billing.import_usage", "You are not allowed to import usage.")
    rows, errors = parse_usage(content, zone=timezone.get_current_timezone(),
                               filename=file_name)
    if errors:
        raise ValidationError(errors, code="bad_rows")
    return _import(rows, name=file_name, sha256=hashlib.sha256(content).hexdigest(),
                   actor=actor)


def _import(rows: list[UsageRow], *, name: str, sha256: str, actor) -> UsageImportResult:
    resolved, stored = _checked_rows(rows)
    earlier = UsageImport.objects.filter(sha256=sha256).order_by("pk").first()
    if earlier is not None and all((r.account_id, r.idempotency_key) in stored
                                   for r in resolved):
        return UsageImportResult(earlier, repeated_file=True)
    usage_import = UsageImport.objects.create(
        file_name=name[:255], sha256=sha256, row_count=len(resolved),
        imported_by=actor.user)
    new = [UsageRecord(account_id=r.account_id, product_id=r.product_id, quantity=r.quantity,
                       occurred_at=r.occurred_at, idempotency_key=r.idempotency_key,
                       usage_import=usage_import)
           for r in resolved if (r.account_id, r.idempotency_key) not in stored]
    # ignore_conflicts: a key another import stored since the check still counts once.
    UsageRecord.objects.bulk_create(new, batch_size=INSERT_BATCH, ignore_conflicts=True)
    usage_import.created_count = UsageRecord.objects.filter(usage_import=usage_import).count()
    usage_import.save(update_fields=["created_count"])
    return UsageImportResult(usage_import, repeated_file=False)


def recent_usage_imports(limit: int = 20):
    return UsageImport.objects.select_related("imported_by").order_by("-imported_at", "-pk")[
        :limit]
