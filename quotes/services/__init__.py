"""The verbs of the quotes app: each one transaction, permission-checked, validated by field.

Split by concept; import from here (`quotes.services.add_line`).
"""

from quotes.services.approvals import approve, quote_facts, reject, submit_for_approval
from quotes.services.arranging import move_line, reorder_lines
from quotes.services.building import (
    LineItem,
    add_line,
    add_lines,
    add_lines_from,
    create_quote,
    remove_line,
    update_line,
    update_quote,
)
from quotes.services.coupons import CarriedCoupon, apply_coupon, carry_coupons, remove_coupon
from quotes.services.repricing import price_lines, reprice
from quotes.services.revisions import clone_quote, revise_quote
from quotes.services.sending import (
    accept_quote,
    decline_quote,
    expire_due_quotes,
    quote_for_link,
    quote_link_url,
    send_quote,
    send_quote_again,
)
from quotes.services.templates import (
    add_lines_from_template,
    create_quote_from_template,
    save_as_template,
)

__all__ = [
    "CarriedCoupon", "LineItem", "accept_quote", "add_line", "add_lines", "add_lines_from",
    "add_lines_from_template", "apply_coupon", "approve", "carry_coupons", "clone_quote",
    "create_quote",
    "create_quote_from_template", "decline_quote", "expire_due_quotes", "move_line",
    "price_lines", "quote_facts",
    "quote_for_link", "quote_link_url", "reject", "remove_coupon", "remove_line",
    "reorder_lines", "reprice",
    "revise_quote", "send_quote_again",
    "save_as_template", "send_quote", "submit_for_approval", "update_line", "update_quote",
]
