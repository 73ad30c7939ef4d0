"""Payments' verbs, one module per concept. Other stages import them from here."""

from payments.services.autopay import run_autopay
from payments.services.cards import (
    charge_invoice,
    pay_invoice_by_card,
    record_charge_result,
    save_card,
    settle_pending_payment,
    settle_pending_payments,
)
from payments.services.cash import Application, allocate_payment, record_payment, split_across
from payments.services.dunning import preview_dunning, run_dunning
from payments.services.dunning_mail import send_dunning_emails
from payments.services.links import (
    LinkProblem,
    invoice_for_pay_link,
    pay_link_token,
    pay_link_url,
)
from payments.services.refunds import close_dispute, open_dispute, refund_payment
from payments.services.statements import (
    StatementRefused,
    confirm_statement_lines,
    import_statement,
)
from payments.services.webhooks import handle_gateway_event
from payments.services.write_offs import write_off_invoice

__all__ = [
    "Application", "LinkProblem", "StatementRefused", "allocate_payment", "charge_invoice",
    "close_dispute", "confirm_statement_lines", "handle_gateway_event", "import_statement",
    "invoice_for_pay_link", "open_dispute", "pay_invoice_by_card", "pay_link_token",
    "pay_link_url", "preview_dunning",
    "record_charge_result", "record_payment", "refund_payment", "run_autopay",
    "run_dunning", "save_card", "send_dunning_emails", "settle_pending_payment",
    "settle_pending_payments", "split_across", "write_off_invoice",
]
