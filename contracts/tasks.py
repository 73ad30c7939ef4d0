"""Contracts' Celery tasks: each one line of glue around a service, taking ids."""

from celery import shared_task

from contracts.services import (
    activate_due_contracts,
    email_renewal_reminder,
    email_sent_contract,
    process_renewals,
)
from core.actors import Actor


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)  # SMTP errors too
def email_sent_contract_task(contract_id: int, link: str) -> None:
    email_sent_contract(contract_id=contract_id, link=link)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_renewal_reminder_task(contract_id: int, days_before: int) -> None:
    email_renewal_reminder(contract_id=contract_id, days_before=days_before)


@shared_task
def activate_due_contracts_task() -> int:
    return len(activate_due_contracts(by=Actor.task("activate_due_contracts")))


@shared_task
def process_renewals_task() -> dict:
    run = process_renewals(by=Actor.task("process_renewals"))
    return {"quotes": len(run.quotes), "reminders": len(run.reminders),
            "renewed": len(run.renewed), "auto_renewed": len(run.auto_renewed),
            "expired": len(run.expired)}
