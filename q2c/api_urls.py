"""The API's routes (/api/v1/) and its OpenAPI schema and docs: each app keeps its viewsets in
its own `api.py`; this module only puts them together."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from catalog.api import PriceBookViewSet, ProductViewSet
from customers.api import AccountViewSet, ContactViewSet
from quotes.api import QuoteViewSet

router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")
router.register("products", ProductViewSet, basename="product")
router.register("price-books", PriceBookViewSet, basename="price-book")
router.register("quotes", QuoteViewSet, basename="quote")

app_name = "api"
urlpatterns = [
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", login_not_required(SpectacularSwaggerView.as_view(url_name="api:schema")),
         name="docs"),
    path("redoc/", login_not_required(SpectacularRedocView.as_view(url_name="api:schema")),
         name="redoc"),
    *router.urls,
]
