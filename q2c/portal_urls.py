from django.urls import path

from q2c import portal

app_name = "portal"

urlpatterns = [
    path("quotes/<str:token>/", portal.quote_view, name="quote"),
    path("quotes/<str:token>/pdf/", portal.quote_pdf, name="quote_pdf"),
    path("quotes/<str:token>/accept/", portal.quote_accept, name="quote_accept"),
    path("quotes/<str:token>/decline/", portal.quote_decline, name="quote_decline"),
    path("account/<str:token>/", portal.account_documents, name="account"),
    path("account/<str:token>/invoices/<int:pk>/pdf/", portal.account_document_pdf,
         {"kind": "invoice"}, name="account_invoice_pdf"),
    path("account/<str:token>/credit-notes/<int:pk>/pdf/", portal.account_document_pdf,
         {"kind": "credit_note"}, name="account_credit_note_pdf"),
    path("account/<str:token>/statement.pdf", portal.account_statement_pdf,
         name="account_statement_pdf"),
    # finance's page: the link to hand over or email (signed in)
    path("accounts/<int:pk>/link/", portal.account_link, name="account_link"),
]
