from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("credit-holds/", views.credit_holds, name="credit_holds"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/release/", views.order_release, name="release"),
    path("<int:pk>/cancel/", views.order_cancel, name="cancel"),
    path("<int:pk>/fulfil/", views.order_fulfil, name="fulfil"),
    path("<int:pk>/close/", views.order_close, name="close"),
]
