"""The contracts pages, and the contract hand-offs q2c owns (countersign, activate, the
customer's link)."""

from django.urls import include, path

from q2c.views import contracts

flow_patterns = ([
    path("contracts/<int:pk>/countersign/", contracts.countersign, name="countersign"),
    path("contracts/<int:pk>/activate/", contracts.activate, name="activate"),
    path("portal/contracts/<str:token>/", contracts.sign, name="sign"),
    path("portal/contracts/<str:token>/pdf/", contracts.sign_pdf, name="sign_pdf"),
], "contract_flows")

urlpatterns = [
    path("contracts/", include("contracts.urls")),
    path("", include(flow_patterns)),
]
