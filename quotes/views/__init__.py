"""The quotes app's pages. Every page reads through `quotes_visible_to` (404 for quotes one may
not see); every write is one service call behind its permission (403 without it)."""

from quotes.views.builder import (
    configure,
    configure_check,
    guided,
    line_add,
    line_move,
    line_remove,
    line_update,
    lines_add_many,
    lines_copy,
    lines_paste,
    lines_reorder,
    lines_table,
    lines_template,
    lines_upload,
    product_search,
    quote_builder,
    template_save,
)
from quotes.views.coupons import coupon_apply, coupon_remove
from quotes.views.pages import (
    approval_cards,
    approvals,
    deal_desk,
    quote_approve,
    quote_clone,
    quote_create,
    quote_detail,
    quote_edit,
    quote_list,
    quote_reject,
    quote_revise,
    quote_send_again,
    quote_submit,
)

__all__ = [
    "approval_cards", "approvals", "configure", "configure_check", "coupon_apply",
    "coupon_remove", "deal_desk", "guided",
    "line_add",
    "line_move",
    "line_remove", "line_update", "lines_add_many", "lines_copy", "lines_paste", "lines_reorder",
    "lines_table", "lines_template", "lines_upload", "product_search", "quote_approve",
    "quote_builder", "quote_clone",
    "quote_create", "quote_detail", "quote_edit", "quote_list", "quote_reject", "quote_revise",
    "quote_send_again", "quote_submit", "template_save",
]
