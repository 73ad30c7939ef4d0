from celery import shared_task

from analytics.services import refresh_mrr_snapshots


@shared_task
def refresh_mrr_snapshots_task():
    refresh_mrr_snapshots()
