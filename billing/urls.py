"""Every billing page's route, in one module, by subject.

Two namespaces, kept so that no page or link elsewhere changes: `billing` (`urlpatterns`: runs,
invoices, draft editing) and `billing_documents` (`document_urlpatterns`: credit notes, PDFs,
e-invoices, sending, the documents to post, imports, tax reports), both under /billing/.
"""

from django.urls import path

from billing.views import (
    credit_notes,
    einvoices,
    imports,
    invoices,
    pdfs,
    postal,
    runs,
    sending,
    tax,
)

app_name = "billing"

urlpatterns = [
    path("runs/", runs.run_list, name="runs"),
    path("runs/preview/", runs.run_preview, name="run_preview"),
    path("runs/<int:pk>/", runs.run_detail, name="run"),
    path("runs/<int:pk>/resume/", runs.run_resume, name="run_resume"),
    path("runs/<int:pk>/issue/", runs.run_issue_drafts, name="run_issue"),
    path("invoices/", invoices.invoice_list, name="invoices"),
    path("invoices/new/", invoices.invoice_new, name="invoice_new"),
    path("invoices/issue/", invoices.invoice_issue_bulk, name="issue_bulk"),
    path("invoices/<int:pk>/", invoices.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/issue/", invoices.invoice_issue, name="issue"),
    path("invoices/<int:pk>/void/", invoices.invoice_void, name="void"),
    path("invoices/<int:pk>/discard/", invoices.invoice_discard, name="discard"),
    path("invoices/<int:pk>/charges/", invoices.invoice_add_charge, name="add_charge"),
    path("invoices/<int:pk>/references/", invoices.invoice_references, name="references"),
    path("invoices/<int:pk>/lines/<int:line_pk>/", invoices.invoice_line_edit,
         name="line_edit"),
    path("invoices/<int:pk>/lines/<int:line_pk>/remove/", invoices.invoice_line_remove,
         name="line_remove"),
]

document_urlpatterns = [
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
    path("to-post/", postal.postal_copies, name="postal_copies"),
    path("to-post/posted/", postal.postal_mark_posted, name="postal_mark_posted"),
]
