"""The account page: q2c's, because it gathers every stage's panel for one customer."""

from django.urls import path

from q2c.views import accounts

app_name = "accounts"

urlpatterns = [
    path("<int:pk>/", accounts.account_detail, name="detail"),
]
