"""The customer's pay-by-card link pages (no login: the signed link is the permission)."""

from django.urls import path

from q2c.views import pay

app_name = "pay"

urlpatterns = [
    path("<str:token>/", pay.invoice, name="invoice"),
    path("<str:token>/card/", pay.card, name="card"),
    path("<str:token>/pdf/", pay.invoice_pdf, name="pdf"),
]
