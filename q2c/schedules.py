"""Every periodic task of the project, in one place (celery beat reads CELERY_BEAT_SCHEDULE).

Each entry says in plain words when it runs and why; times are in settings.TIME_ZONE.
"""

from celery.schedules import crontab

CELERY_BEAT_SCHEDULE = {
    # Every day at 00:15, expire approved and sent quotes whose expiry date has passed.
    "expire-due-quotes": {
        "task": "quotes.tasks.expire_due_quotes_task",
        "schedule": crontab(hour=0, minute=15),
    },
}
