from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="mark_read"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/send-again/", views.send_again, name="send_again"),
]
