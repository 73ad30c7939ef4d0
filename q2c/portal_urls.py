from django.urls import path

from q2c import portal

app_name = "portal"

urlpatterns = [
    path("quotes/<str:token>/", portal.quote_view, name="quote"),
    path("quotes/<str:token>/pdf/", portal.quote_pdf, name="quote_pdf"),
    path("quotes/<str:token>/accept/", portal.quote_accept, name="quote_accept"),
    path("quotes/<str:token>/decline/", portal.quote_decline, name="quote_decline"),
]
