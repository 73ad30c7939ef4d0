"""The verbs of the quotes app: each one transaction, permission-checked, validated by field.

Split by concept; import from here (`quotes.services.add_line`).
"""

from quotes.services.approvals import approve, quote_facts, reject, submit_for_approval
from quotes.services.building import (
    LineItem,
    add_line,
    add_lines,
    create_quote,
    remove_line,
    update_line,
    update_quote,
)
from quotes.services.repricing import price_lines, reprice
from quotes.services.revisions import clone_quote, revise_quote

__all__ = [
    "LineItem", "add_line", "add_lines", "approve", "clone_quote", "create_quote",
    "price_lines", "quote_facts", "reject", "remove_line", "reprice", "revise_quote",
    "submit_for_approval", "update_line", "update_quote",
]
