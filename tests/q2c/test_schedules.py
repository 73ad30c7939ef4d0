"""Every periodic task named in q2c/schedules.py exists on the Celery app a worker loads."""

from q2c.celery import app
from q2c.schedules import CELERY_BEAT_SCHEDULE


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()  # what a worker does at start: autodiscover tasks

    missing = [entry["task"] for entry in CELERY_BEAT_SCHEDULE.values()
               if entry["task"] not in app.tasks]

    assert missing == []
