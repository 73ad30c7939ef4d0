"""The `billing_documents` namespace as q2c/urls.py includes it today; its routes are in
billing/urls.py. Goes once q2c/urls.py includes `(billing.urls.document_urlpatterns,
"billing_documents")` itself."""

from billing.urls import document_urlpatterns as urlpatterns  # noqa: F401

app_name = "billing_documents"
