"""Every periodic task of the project, in one place (celery beat reads CELERY_BEAT_SCHEDULE).

Each entry says in plain words when it runs and why; times are in settings.TIME_ZONE. Every task
is idempotent: it selects only the work not yet done, so a missed or doubled beat is harmless.
"""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE = {
    # Every day at 08:00 (after the invoice runs), credit the blocked days of resumed billing
    # pauses whose held charges are now invoiced.
    "credit-blocked-days": {
        "task": "payments.tasks.credit_blocked_days_task",
        "schedule": crontab(hour=8, minute=0),
    },
    # Every day at 00:15, expire approved and sent quotes whose expiry date has passed.
    "expire-due-quotes": {
        "task": "quotes.tasks.expire_due_quotes_task",
        "schedule": crontab(hour=0, minute=15),
    },
    # Every day at 00:30, activate countersigned contracts whose start date has come.
    "activate-due-contracts": {
        "task": "contracts.tasks.activate_due_contracts_task",
        "schedule": crontab(hour=0, minute=30),
    },
    # Every day at 01:00, create renewal quotes and send renewal reminders (notice days, 30, 7),
    # then renew auto-renew contracts at their end date and expire the others.
    "process-renewals": {
        "task": "contracts.tasks.process_renewals_task",
        "schedule": crontab(hour=1, minute=0),
    },
    # Every hour, give each activated or amended contract its revenue contract.
    "create-revenue-contracts": {
        "task": "revrec.tasks.create_revenue_contracts_task",
        "schedule": crontab(minute=5),
    },
    # Every 10 minutes, charge the saved card of accounts with issued invoices not yet charged.
    "run-autopay": {
        "task": "payments.tasks.run_autopay_task",
        "schedule": crontab(minute="*/10"),
    },
    # Every 15 minutes, apply customer credit and unapplied cash to the open invoices of accounts
    # that asked for it (payments' profile: auto-apply credit).
    "apply-customer-credits": {
        "task": "payments.tasks.apply_customer_credits_task",
        "schedule": crontab(minute="*/15"),
    },
    # On the 1st of each month at 07:00, email last month's statement of account to every
    # account whose payments profile asks for it (once a month per account, however often run).
    "send-monthly-statements": {
        "task": "payments.tasks.send_monthly_statements_task",
        "schedule": crontab(day_of_month=1, hour=7, minute=0),
    },
    # Every day at 06:00, take the next dunning step for every overdue invoice.
    "run-dunning": {
        "task": "payments.tasks.run_dunning_task",
        "schedule": crontab(hour=6, minute=0),
    },
    # Every 5 minutes, render and email the PDFs of issued invoices and credit notes that have
    # none yet (50 a run; bulk issue does not queue 100,000 tasks).
    "deliver-pending-documents": {
        "task": "billing.tasks.deliver_pending_documents_task",
        "schedule": crontab(minute="*/5"),
    },
    # Every 5 minutes, send again the document emails that failed, once their backoff has passed.
    "retry-document-deliveries": {
        "task": "notifications.tasks.retry_due_deliveries_task",
        "schedule": crontab(minute="*/5"),
    },
    # Every minute, queue webhook deliveries of new outbox events and send those due (first
    # tries and retries after their backoff).
    "publish-webhook-events": {
        "task": "webhooks.tasks.publish_events_task",
        "schedule": crontab(minute="*"),
    },
    # Every day at 03:00, start the invoice run of the accounts whose bill day is today (1-28),
    # as drafts or drafted and issued per finance's schedule page (operations).
    "bill-day-invoice-run": {
        "task": "operations.tasks.bill_day_invoice_run_task",
        "schedule": crontab(hour=3, minute=0),
    },
    # Every 10 minutes, issue the drafts of finished bill-day runs set to draft and issue.
    "issue-scheduled-drafts": {
        "task": "operations.tasks.issue_scheduled_drafts_task",
        "schedule": crontab(minute="*/10"),
    },
    # Every day at 04:00, start last month's recognition run if it has none yet (on the 1st,
    # or the next day after a refusal such as an unclosed earlier month).
    "recognize-last-month": {
        "task": "operations.tasks.last_months_recognition_task",
        "schedule": crontab(hour=4, minute=0),
    },
    # Every minute, send the outbox's messages a broker refused (and note that beat is alive).
    "relay-outbox": {
        "task": "core.tasks.relay_outbox_task",
        "schedule": crontab(minute="*"),
    },
    # Every day at 02:00, rebuild the monthly MRR snapshots the analytics page reads.
    "refresh-mrr-snapshots": {
        "task": "analytics.tasks.refresh_mrr_snapshots_task",
        "schedule": crontab(hour=2, minute=0),
    },
}
