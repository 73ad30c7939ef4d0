from django.urls import path

from ledger import views

app_name = "ledger"

urlpatterns = [
    path("", views.trial_balance, name="index"),
    path("trial-balance/", views.trial_balance, name="trial_balance"),
    path("journal/", views.journal, name="journal"),
    path("journal/<int:pk>/", views.entry_detail, name="entry"),
    path("journal/<int:pk>/reverse/", views.reverse_entry, name="reverse_entry"),
    path("manual-journals/", views.manual_journals, name="manual_journals"),
    path("manual-journals/new/", views.manual_journal_new, name="manual_journal_new"),
    path("manual-journals/<int:pk>/", views.manual_journal_detail, name="manual_journal"),
    path("manual-journals/<int:pk>/approve/", views.manual_journal_approve,
         name="manual_journal_approve"),
    path("manual-journals/<int:pk>/reject/", views.manual_journal_reject,
         name="manual_journal_reject"),
    path("periods/", views.periods, name="periods"),
    path("periods/<int:pk>/", views.period_detail, name="period"),
    path("periods/<int:pk>/start-close/", views.start_close, name="start_close"),
    path("periods/<int:pk>/cancel-close/", views.cancel_close, name="cancel_close"),
    path("periods/<int:pk>/close/", views.close_period, name="close_period"),
    path("periods/<int:pk>/reopen/", views.reopen_period, name="reopen_period"),
    path("exports/", views.exports, name="exports"),
    path("exports/new/", views.export_new, name="export_new"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("rates/", views.rates, name="rates"),
    path("rates/import/", views.import_rates, name="import_rates"),
]
