from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from billing import urls as billing_urls
from q2c import two_factor
from q2c.login import ThrottledAdminAuthenticationForm, ThrottledAuthenticationForm
from q2c.views import audit_pack, health, home, returns
from q2c.views import quotes as quote_views

urlpatterns = [
    path("", home.home, name="home"),
    path("health/", health.health, name="health"),
    path("login/", auth_views.LoginView.as_view(
        redirect_authenticated_user=True, authentication_form=ThrottledAuthenticationForm),
        name="login"),
    path("logout/", two_factor.second_factor_exempt(auth_views.LogoutView.as_view()),
         name="logout"),
    path("login/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("account/two-factor/", two_factor.setup, name="two_factor_setup"),
    path("account/two-factor/off/", two_factor.disable, name="two_factor_disable"),
    path("admin/", admin.site.urls),
    path("customers/", include("customers.urls")),
    re_path(r"^ledger/periods/(?P<pk>[0-9]+)/audit-pack\.(?P<kind>xlsx|zip)$",
            audit_pack.audit_pack, name="audit_pack"),
    path("ledger/", include("ledger.urls")),
    path("quotes/", include("quotes.urls")),
    path("accounts/", include("q2c.account_urls")),
    path("quotes/documents/", include("quotes.document_urls")),
    path("quotes/", include(([path("<int:pk>/send/", quote_views.send, name="send")],
                             "quote_flows"))),
    path("portal/", include("q2c.portal_urls")),
    path("", include("q2c.contract_urls")),
    path("orders/", include("orders.urls")),
    path("billing/lines/<int:pk>/return/", returns.return_goods, name="return_goods"),
    path("billing/", include("billing.urls")),
    path("billing/", include((billing_urls.document_urlpatterns, "billing_documents"))),
    path("payments/", include("payments.urls")),
    path("revenue/", include("revrec.urls")),
    path("pay/", include("q2c.pay_urls")),
    path("analytics/", include("analytics.urls")),
    path("operations/", include("operations.urls")),
    path("inbox/", include("notifications.urls")),
    path("api/v1/", include("q2c.api_urls")),
]
admin.site.login_form = ThrottledAdminAuthenticationForm
admin.site.site_header = "Q2C administration"
admin.site.site_title = "Q2C admin"
