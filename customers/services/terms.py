"""Payment terms rules kept outside the admin so any writer of terms checks the same way."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError

from customers.models import Instalment, InstalmentBasis, PaymentTerms, PaymentTermsKind

HUNDRED = Decimal("100")


def validate_instalments(terms: PaymentTerms, instalments: Iterable[Instalment] | None = None):
    """Instalment terms have instalments whose percents add up to exactly 100; other kinds
    have none. `instalments` are the unsaved rows of a form, else the stored ones."""
    rows = list(terms.instalments.all() if instalments is None else instalments)
    if terms.kind != PaymentTermsKind.INSTALMENTS:
        if rows:
            raise ValidationError("Only instalment terms have instalments; remove them or "
                                  "change the kind to instalments.")
        return
    if not rows:
        raise ValidationError("Instalment terms need at least one instalment.")
    total = sum((Decimal(row.percent) for row in rows), Decimal("0"))
    if total != HUNDRED:
        raise ValidationError(
            f"The instalment percents add up to {total.normalize():f}%, not exactly 100%.")
    offsets = [(row.basis, row.due_days) for row in rows]
    if len(set(offsets)) != len(offsets):
        raise ValidationError("Two instalments fall due on the same day; merge them.")
    for row in rows:
        if row.basis == InstalmentBasis.NEXT_MONTH_DAY and not 1 <= row.due_days <= 31:
            raise ValidationError(f"Instalment {row.sequence}: the day of the following month "
                                  "is between 1 and 31.")
