from django.urls import path

from payments.views import aging, credits, dunning, gateway, late_charges, payments, statements

app_name = "payments"

urlpatterns = [
    path("", payments.payment_list, name="list"),
    path("record/", payments.payment_record, name="record"),
    path("<int:pk>/", payments.payment_detail, name="detail"),
    path("<int:pk>/allocate/", payments.payment_allocate, name="allocate"),
    path("<int:pk>/refund/", payments.payment_refund, name="refund"),
    path("<int:pk>/dispute/", payments.payment_dispute, name="dispute"),
    path("disputes/<int:pk>/close/", payments.dispute_close, name="dispute_close"),
    path("<int:pk>/apply-in-order/", late_charges.payment_apply_in_order,
         name="apply_in_order"),
    path("credits/", credits.credit_list, name="credits"),
    path("credits/<int:pk>/", credits.credit_detail, name="credit"),
    path("credits/<int:pk>/apply/", credits.credit_apply, name="credit_apply"),
    path("credits/<int:pk>/refund/", credits.credit_refund, name="credit_refund"),
    path("late-charges/", late_charges.late_charge_list, name="late_charges"),
    path("late-charges/<int:pk>/", late_charges.late_charge_detail, name="late_charge"),
    path("late-charges/<int:pk>/pdf/", late_charges.late_charge_pdf, name="late_charge_pdf"),
    path("late-charges/<int:pk>/waive/", late_charges.late_charge_waive,
         name="late_charge_waive"),
    path("<int:pk>/settle/", payments.payment_settle, name="settle"),
    path("invoices/<int:pk>/write-off/", payments.invoice_write_off, name="write_off"),
    path("invoices/<int:pk>/pay-link/", payments.invoice_pay_link, name="pay_link"),
    path("statements/", statements.statement_import, name="statement_import"),
    path("statements/<int:pk>/", statements.statement_confirm, name="statement_confirm"),
    path("dunning/", dunning.dunning, name="dunning"),
    path("dunning/run/", dunning.dunning_run, name="dunning_run"),
    path("aging/", aging.aging, name="aging"),
    path("aging.csv", aging.aging_csv, name="aging_csv"),
    path("accounts/<int:pk>/statement.pdf", aging.customer_statement, name="customer_statement"),
    path("webhooks/sandbox/", gateway.webhook, name="webhook"),
    path("sandbox/tokenize/", gateway.sandbox_tokenize, name="sandbox_tokenize"),
]
