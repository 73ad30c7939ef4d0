"""Contract terms from a template: `{{ placeholder }}` filled from the deal. Pure, no ORM."""

import re

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")

PLACEHOLDERS = {
    "account": "The customer's account name",
    "contract_number": "C-YYYY-NNNNN",
    "quote_number": "The accepted quote's number",
    "start_on": "First day of the contract",
    "end_on": "Last day of the contract (inclusive)",
    "term_months": "Term in months",
    "payment_terms": "Payment terms, in words",
    "currency": "The contract's currency code",
    "total_contract_value": "Total contract value, formatted in the currency",
    "auto_renew": "'will' or 'will not' (renew automatically)",
    "renewal_term_months": "Renewal term in months",
    "uplift_percent": "Price uplift at renewal, in percent",
    "renewal_notice_days": "Days of notice before the end date",
    "company_name": "Our company's name",
}


def unknown_placeholders(body: str) -> list[str]:
    """Names in `body` that no deal fills (shown as an error when the template is saved)."""
    return sorted({name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})


def fill_terms(body: str, values: dict[str, str]) -> str:
    """Every known placeholder replaced by its value; unknown ones are left as typed."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), body)
