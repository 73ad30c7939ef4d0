"""The verbs of an order: create it from a contract (and submit it, which runs the credit
check), release or cancel a held order, fulfil lines, close. Each is one transaction that locks
the order row before deciding, and changes state through `core.transitions.run_transition`."""

from orders.services.fulfilment import close_order, fulfil_lines
from orders.services.ordering import (
    cancel_order,
    create_order_from_contract,
    lines_to_provision,
    release_order,
    submit_order,
)

__all__ = ["cancel_order", "close_order", "create_order_from_contract", "fulfil_lines",
           "lines_to_provision", "release_order", "submit_order"]
