from django.urls import path

from operations import views

app_name = "operations"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("schedule/", views.schedule, name="schedule"),
    path("refusals/<int:pk>/dismiss/", views.dismiss_refusal, name="dismiss_refusal"),
    path("refusals/<int:pk>/retry/", views.retry_refusal, name="retry_refusal"),
]
