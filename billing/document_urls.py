"""Billing's document pages beside the invoices: credit notes, usage import, the tax report and
the opening-balance import, and the PDFs of invoices and credit notes."""

from django.urls import path

from billing.document_views import credit_notes, einvoices, imports, pdfs, sending, tax

app_name = "billing_documents"

urlpatterns = [
    path("credit-notes/", credit_notes.credit_note_list, name="credit_notes"),
    path("credit-notes/<int:pk>/", credit_notes.credit_note_detail, name="credit_note"),
    path("credit-notes/<int:pk>/pdf/", credit_notes.credit_note_pdf, name="credit_note_pdf"),
    path("invoices/<int:pk>/credit-note/", credit_notes.credit_note_create,
         name="credit_note_create"),
    path("invoices/<int:pk>/pdf/", pdfs.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/send/", sending.send_invoice, name="invoice_send"),
    path("credit-notes/<int:pk>/send/", sending.send_credit_note, name="credit_note_send"),
    path("invoices/<int:pk>/e-invoice/<str:syntax>/", einvoices.invoice_xml,
         name="invoice_xml"),
    path("invoices/<int:pk>/factur-x/", einvoices.invoice_facturx, name="invoice_facturx"),
    path("credit-notes/<int:pk>/e-invoice/<str:syntax>/", einvoices.credit_note_xml,
         name="credit_note_xml"),
    path("credit-notes/<int:pk>/factur-x/", einvoices.credit_note_facturx,
         name="credit_note_facturx"),
    path("usage/import/", imports.usage_import, name="usage_import"),
    path("opening-balances/", imports.opening_balances, name="opening_balances"),
    path("tax-report/", tax.tax_report_page, name="tax_report"),
    path("tax-report/export/", tax.tax_report_export, name="tax_report_export"),
    path("oss-report/", tax.oss_report_page, name="oss_report"),
]
