from django.urls import path

from revrec import financing_views, judgement_views, views

app_name = "revrec"

urlpatterns = [
    path("", views.contract_list, name="contracts"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/policy/", views.contract_policy, name="contract_policy"),
    path("contracts/<int:pk>/variable/", views.contract_variable, name="contract_variable"),
    path("contracts/<int:pk>/minimum/", judgement_views.contract_minimum, name="contract_minimum"),
    path("contracts/<int:pk>/financing/", judgement_views.contract_financing,
         name="contract_financing"),
    path("contracts/<int:pk>/returns/", judgement_views.contract_returns, name="contract_returns"),
    path("contracts/<int:pk>/rights/", judgement_views.contract_right, name="contract_right"),
    path("contracts/<int:pk>/prepaid/", judgement_views.contract_prepaid,
         name="contract_prepaid"),
    path("rights/<int:pk>/events/", judgement_views.right_event, name="right_event"),
    path("modifications/<int:pk>/override/", views.modification_override,
         name="modification_override"),
    path("contracts/refresh/", views.contracts_refresh, name="contracts_refresh"),
    path("financing/", financing_views.financing_list, name="financing"),
    path("financing/<int:pk>/", financing_views.financing_detail, name="financing_component"),
    path("runs/", views.run_list, name="runs"),
    path("runs/start/", views.run_start, name="start_run"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("close/", views.close, name="close"),
    path("close/month/", views.close_month, name="close_month"),
    path("reports/", views.report_index, name="reports"),
    path("reports/<slug:slug>/", views.report, name="report"),
]
