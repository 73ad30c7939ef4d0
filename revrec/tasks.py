"""revrec's Celery tasks: each one line of glue around a service, taking ids."""

from celery import shared_task

from core.actors import Actor
from revrec.models import RecognitionChunk
from revrec.services import create_revenue_contracts, fail_recognition_run, run_recognition_chunk


@shared_task
def create_revenue_contracts_task() -> int:
    return len(create_revenue_contracts(by=Actor.task("create_revenue_contracts")))


@shared_task
def run_recognition_chunk_task(chunk_id: int) -> int:
    actor = Actor.task("run_recognition_chunk")
    try:
        return run_recognition_chunk(chunk_id=chunk_id, by=actor)
    except Exception as error:  # the run records why and can be started again
        run_id = RecognitionChunk.objects.values_list("run_id", flat=True).get(pk=chunk_id)
        fail_recognition_run(run_id=run_id, error=f"{type(error).__name__}: {error}", by=actor)
        raise
