from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("runs/", views.run_list, name="runs"),
    path("runs/preview/", views.run_preview, name="run_preview"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/resume/", views.run_resume, name="run_resume"),
    path("runs/<int:pk>/issue/", views.run_issue_drafts, name="run_issue"),
    path("invoices/", views.invoice_list, name="invoices"),
    path("invoices/new/", views.invoice_new, name="invoice_new"),
    path("invoices/issue/", views.invoice_issue_bulk, name="issue_bulk"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:pk>/issue/", views.invoice_issue, name="issue"),
    path("invoices/<int:pk>/void/", views.invoice_void, name="void"),
    path("invoices/<int:pk>/discard/", views.invoice_discard, name="discard"),
    path("invoices/<int:pk>/charges/", views.invoice_add_charge, name="add_charge"),
    path("invoices/<int:pk>/references/", views.invoice_references, name="references"),
    path("invoices/<int:pk>/lines/<int:line_pk>/", views.invoice_line_edit, name="line_edit"),
    path("invoices/<int:pk>/lines/<int:line_pk>/remove/", views.invoice_line_remove,
         name="line_remove"),
]
