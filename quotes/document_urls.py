from django.urls import path

from quotes import document_views

app_name = "quote_documents"

urlpatterns = [
    path("<int:pk>/pdf/", document_views.preview, name="preview"),
    path("<int:pk>/pdf/download/", document_views.download, name="download"),
]
