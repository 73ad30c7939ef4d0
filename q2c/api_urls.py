"""The API's routes (/api/v1/) and its OpenAPI schema and docs: each app keeps its viewsets in
its own `api.py`; this module only puts them together."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from billing.api import CreditNoteViewSet, InvoiceViewSet, UsageEventViewSet
from catalog.api import PriceBookViewSet, ProductViewSet
from contracts.api import ContractViewSet
from core.middleware import with_content_security_policy
from customers.api import AccountViewSet, ContactViewSet
from ledger.api import JournalEntryViewSet, LedgerExportViewSet
from orders.api import OrderViewSet
from payments.api import PaymentViewSet
from q2c.api import QuoteViewSet
from revrec.api import RevenueContractViewSet

router = SimpleRouter()
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")
router.register("products", ProductViewSet, basename="product")
router.register("price-books", PriceBookViewSet, basename="price-book")
router.register("quotes", QuoteViewSet, basename="quote")
router.register("contracts", ContractViewSet, basename="contract")
router.register("orders", OrderViewSet, basename="order")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("credit-notes", CreditNoteViewSet, basename="credit-note")
router.register("usage-events", UsageEventViewSet, basename="usage-event")
router.register("payments", PaymentViewSet, basename="payment")
router.register("revenue-contracts", RevenueContractViewSet, basename="revenue-contract")
router.register("journal-entries", JournalEntryViewSet, basename="journal-entry")
router.register("ledger/exports", LedgerExportViewSet, basename="ledger-export")

app_name = "api"
urlpatterns = [
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", login_not_required(with_content_security_policy(
        SpectacularSwaggerView.as_view(url_name="api:schema"))), name="docs"),
    path("redoc/", login_not_required(with_content_security_policy(
        SpectacularRedocView.as_view(url_name="api:schema"))), name="redoc"),
    *router.urls,
]
