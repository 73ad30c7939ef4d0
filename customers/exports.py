"""The accounts list as rows for its CSV download."""

from core.money import round_money
from customers.services.importing import ACCOUNT_COLUMNS


def account_rows(accounts):
    """The accounts in the import's column layout, plus the overdue flag (header first); the
    credit limit at its currency's precision, as the import reads it back."""
    yield [*ACCOUNT_COLUMNS, "is_overdue"]
    for a in accounts.iterator(chunk_size=2000):
        yield [
            a.pk, a.name, a.legal_name, a.tax_id, a.country, a.region,
            a.billing_street, a.billing_city, a.billing_postal_code,
            a.shipping_street, a.shipping_city, a.shipping_postal_code,
            a.currency, a.payment_terms.code, round_money(a.credit_limit.amount, a.currency),
            "yes" if a.tax_exempt else "no", a.owner.username, a.status,
            "yes" if a.is_overdue else "no",
        ]
