from celery import shared_task

from analytics.services import refresh_snapshots


@shared_task
def refresh_mrr_snapshots_task():
    """Nightly (q2c/schedules.py): every analytics snapshot, MRR and receivables alike."""
    refresh_snapshots()
