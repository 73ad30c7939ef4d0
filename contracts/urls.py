from django.urls import path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("import/", views.contract_import, name="import"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/pdf/", views.contract_pdf, name="pdf"),
    path("<int:pk>/pdf/download/", views.contract_pdf_download, name="pdf_download"),
    path("<int:pk>/send/", views.contract_send, name="send"),
    path("<int:pk>/amend/", views.amendment_start, name="amend"),
    path("<int:pk>/terminate/", views.contract_terminate, name="terminate"),
    path("<int:pk>/terminate/preview/", views.termination_preview, name="termination_preview"),
    path("amendments/<int:pk>/", views.amendment_detail, name="amendment"),
    path("amendments/<int:pk>/pdf/", views.amendment_pdf, name="amendment_pdf"),
]
