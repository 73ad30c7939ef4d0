"""Statements of account by email, in the account's document language (payments/locale):
the statement PDF (payments.pdf: open items, late charges, aging, credit balance, the period's
invoices, payments and credit notes) sent to the account's billing contacts as a
`notifications.Delivery` of the account (queued, sent or failed, retried, Send again), on demand
from the statement page or monthly to the accounts that ask for it
(`PaymentsProfile.monthly_statement`)."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import pgettext

from billing.services.delivery import billing_contacts
from core.actors import Actor, require
from core.dates import business_date
from customers.models import Account
from notifications.models import Delivery
from notifications.services import SEND_PERMISSION, SEND_REFUSAL, queue_delivery
from payments.models import PaymentsProfile
from payments.pdf import render_statement_pdf

log = logging.getLogger(__name__)


@transaction.atomic
def send_statement(*, account: Account, start: date, end: date, by) -> Delivery:
    """Email the account's statement of the period (as of `end`) to its billing contacts,
    after commit."""
    require(by, SEND_PERMISSION, SEND_REFUSAL)
    if start > end:
        raise ValidationError({"start": "The period must start before it ends."})
    contacts = billing_contacts(account.pk)
    if not contacts:
        raise ValidationError(f"{account} has no billing contact with an email address.")
    pdf = render_statement_pdf(account, start=start, end=end)
    with translation.override(account.document_language or "en"):
        body = render_to_string("payments/email/statement.txt", {
            "account": account, "contact": contacts[0], "start": start, "end": end,
            "company_name": settings.COMPANY_NAME})
        subject = pgettext("statement email", "Statement of account %(account)s, %(date)s, "
                                              "from %(company)s") % {
            "account": account.name, "date": end.isoformat(), "company": settings.COMPANY_NAME}
    return queue_delivery(
        document=account, to=[c.email for c in contacts], subject=subject, body=body,
        attachments=[(f"statement-{account.pk}-{end}.pdf", pdf, "application/pdf")], by=by)


def last_month(day: date) -> tuple[date, date]:
    """The calendar month before `day`'s: its first and last days."""
    end = day.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def send_monthly_statements(*, on: date | None = None) -> int:
    """Last month's statement to every account that asks for one, once a month however often
    this runs (the account's `statements_sent_through` is claimed before its email is queued);
    how many were queued. One account at a time: each is a PDF (about 0.2 s), in its own
    transaction."""
    actor = Actor.task("send_monthly_statements")
    start, end = last_month(business_date(on))
    due = Q(statements_sent_through__isnull=True) | Q(statements_sent_through__lt=end)
    queued = 0
    for pk in PaymentsProfile.objects.filter(due, monthly_statement=True).order_by(
            "pk").values_list("pk", flat=True):
        with transaction.atomic():
            if not PaymentsProfile.objects.filter(due, pk=pk).update(
                    statements_sent_through=end):
                continue  # another worker took it
            account = Account.objects.get(payments_profile__pk=pk)
            try:
                send_statement(account=account, start=start, end=end, by=actor)
            except ValidationError as error:  # no billing contact: nobody to send it to
                log.warning("Monthly statement of %s not sent: %s", account, error.messages[0])
                continue
            queued += 1
    return queued
