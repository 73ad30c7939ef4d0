from django.urls import path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list, name="list"),
    path("<int:pk>/", views.contract_detail, name="detail"),
    path("<int:pk>/send/", views.contract_send, name="send"),
    path("<int:pk>/activate/", views.contract_activate, name="activate"),
]
