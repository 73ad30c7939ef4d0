"""Dunning email texts: `{{ placeholder }}` filled with plain strings. Pure, no ORM.

Texts are data that finance edits, so they are never run as Django templates (which would let
`{{ account.owner.password }}` walk from a model to a user's password hash): a fixed list of
names, each filled by the service with a string, and nothing else. The dotted names are the ones
the texts used when they were templates, kept so stored texts read the same.
"""

import re

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)

PLACEHOLDERS = {
    "invoice": "The invoice number",
    "invoice.number": "The invoice number",
    "invoice.currency": "The invoice's currency code",
    "invoice.due_on": "The due date (YYYY-MM-DD)",
    "invoice.issue_on": "The issue date (YYYY-MM-DD)",
    "invoice.total": "The invoice total, rounded to its currency",
    "account": "The customer's account name",
    "account.name": "The customer's account name",
    "amount_due": "What is still due, rounded to the invoice's currency",
    "currency": "The invoice's currency code",
    "days_past_due": "Days since the due date (negative before it)",
    "pay_url": "The customer's link to pay the invoice by card",
}


def text_problems(text: str) -> list[str]:
    """What a text may not contain (shown when a template is saved): unknown names, filters,
    template tags and comments."""
    problems = [f"only {{{{ placeholders }}}} may be used, not {tag}"
                for tag in TAG.findall(text)]
    problems += [f"unknown placeholder {{{{ {name} }}}}; the placeholders are "
                 f"{', '.join(sorted(PLACEHOLDERS))}"
                 for name in dict.fromkeys(PLACEHOLDER.findall(text))
                 if name not in PLACEHOLDERS]
    return problems


def fill_text(text: str, values: dict[str, str]) -> str:
    """Every known placeholder replaced by its value; anything else is left as typed."""
    return PLACEHOLDER.sub(
        lambda match: str(values[match.group(1)]) if match.group(1) in values
        else match.group(0), text)
