from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("import/", views.account_import, name="import"),
    path("export.csv", views.account_export, name="export"),
    path("<int:pk>/edit/", views.account_edit, name="edit"),
    path("<int:pk>/vat-check/", views.account_vat_check, name="vat_check"),
    path("<int:account_pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/remove/", views.contact_remove, name="contact_remove"),
]
