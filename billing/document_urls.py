"""Billing's document pages beside the invoices: credit notes, usage import, the tax report and
the opening-balance import."""

app_name = "billing_documents"

urlpatterns: list = []
