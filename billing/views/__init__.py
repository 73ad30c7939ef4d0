"""Billing's pages, one module per subject: invoice runs, invoices (with draft editing), credit
notes, PDFs, e-invoices, sending, the usage and opening-balance imports, and the tax reports.
Views are thin: a selector or one service call each; the routes are all in `billing/urls.py`."""

from django.contrib import messages
from django.core.exceptions import ValidationError


def service_error(request, error: ValidationError) -> None:
    """A refused action's reasons, as one message on the page it returns to."""
    messages.error(request, " ".join(error.messages))
