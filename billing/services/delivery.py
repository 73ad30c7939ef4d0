"""Delivering issued invoices and credit notes the way the account takes them
(customers.Account.document_delivery):
- email: to every billing contact of the account;
- portal only: nothing is sent; the customer reads the document in the portal;
- post: a postal copy waits on finance's "to print and post" list with its PDF until finance
  marks it posted (a transition with permission and history).

Each email is a `notifications.Delivery` (queued, sent, or failed with the reason and retried
with backoff; Send again), carrying the kept PDF, the e-invoice the account takes, and for an
invoice its pay link. The first email after issue is claimed once (`emailed_at`); Send on the
document's page emails it again on purpose.
"""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string

from billing.models import CreditNote, Invoice, PostalCopy, PostalState
from billing.services import einvoicing
from billing.services.documents import is_issued, stored_pdf
from billing.services.pay_links import pay_link_url
from core import clock
from core.actors import Actor, require
from core.dates import business_date
from core.transitions import run_bulk_transition
from customers.models import Contact, ContactRole, DocumentDelivery
from notifications.models import Delivery
from notifications.services import queue_delivery, send_delivery


def billing_contacts(account_id: int) -> list[Contact]:
    """The account's billing contacts with an email address, by name: nobody is guessed."""
    return list(Contact.objects.filter(account_id=account_id, role=ContactRole.BILLING)
                .exclude(email="").order_by("name", "pk"))


def _message(document, contacts, base_url) -> tuple[str, str]:
    kind = "credit_note" if isinstance(document, CreditNote) else "invoice"
    label = "Credit note" if kind == "credit_note" else "Invoice"
    pay_url = (pay_link_url(document, base_url)
               if kind == "invoice" and document.is_open and document.amount_due > 0 else "")
    body = render_to_string(f"billing/documents/email/{kind}.txt", {
        kind: document, "contact": contacts[0], "company_name": settings.COMPANY_NAME,
        "pay_url": pay_url})
    return f"{label} {document.number} from {settings.COMPANY_NAME}", body


def _queue(document, contacts, *, by, base_url=None, later=True) -> Delivery | None:
    """The delivery of the document's email, or None when its e-invoice breaks a rule (the
    findings are kept on the document for finance to fix)."""
    pdf = stored_pdf(document)
    try:
        files = einvoicing.attachments_for(document, pdf)
    except einvoicing.EInvoiceInvalid as invalid:
        einvoicing.record_findings(document, invalid.findings)
        return None
    einvoicing.record_findings(document, [])
    subject, body = _message(document, contacts, base_url)
    return queue_delivery(document=document, to=[c.email for c in contacts], subject=subject,
                          body=body, attachments=files, by=by, send_after_commit=later)


def email_document(document) -> bool:
    """Email an issued document to its billing contacts once, now (a background task calls
    this); True if this call sent it (or recorded why it failed)."""
    contacts = billing_contacts(document.account_id)
    if not contacts or document.emailed_at or not is_issued(document):
        return False
    model = type(document)
    if not model.objects.filter(pk=document.pk, emailed_at__isnull=True).update(
            emailed_at=clock.now()):
        return False  # another worker sent it
    delivery = _queue(document, contacts, by=Actor.task("deliver_documents"), later=False)
    if delivery is None:
        model.objects.filter(pk=document.pk).update(emailed_at=None)  # not sent: fix, resend
        return False
    send_delivery(delivery_id=delivery.pk)
    return True


def send_document(document: Invoice | CreditNote, *, by, base_url: str | None = None) -> Delivery:
    """Email an issued document to its billing contacts now, on purpose (its page's Send)."""
    if not is_issued(document):
        raise ValidationError(f"{document} is a draft: issue it before sending it.")
    contacts = billing_contacts(document.account_id)
    if not contacts:
        raise ValidationError(f"{document.account} has no billing contact with an email "
                              f"address.")
    delivery = _queue(document, contacts, by=by, base_url=base_url)
    if delivery is None:
        raise ValidationError(f"{document}'s e-invoice breaks a rule; see its findings.")
    type(document).objects.filter(pk=document.pk, emailed_at__isnull=True).update(
        emailed_at=clock.now())
    return delivery


def deliver_issued(document) -> None:
    """Deliver an issued document once, the way its account took documents when it was issued
    (copied onto it): email it, put it on the list to post, or leave it to the portal."""
    if document.delivery == DocumentDelivery.EMAIL:
        email_document(document)
    elif document.delivery == DocumentDelivery.POST:
        queue_for_post(document)


def queue_for_post(document) -> PostalCopy | None:
    """Put an issued document on finance's list to print and post, once (its postal copy is
    unique per document); None for a draft."""
    if not is_issued(document):
        return None
    kind = "credit_note" if isinstance(document, CreditNote) else "invoice"
    copy, _ = PostalCopy.objects.get_or_create(**{kind: document},
                                               defaults={"account_id": document.account_id})
    return copy


@transaction.atomic
def mark_posted(*, copies: Iterable, by, on: date | None = None) -> list[PostalCopy]:
    """Mark postal copies posted on `on` (locked in pk order); any one already posted refuses
    them all, each named."""
    actor = require(by, "billing.mark_posted", "You are not allowed to mark documents posted.")
    day = business_date(on)
    pks = sorted({getattr(copy, "pk", copy) for copy in copies})
    locked = list(PostalCopy.objects.select_for_update(of=("self",)).select_related(
        "invoice", "credit_note").filter(pk__in=pks).order_by("pk"))
    done = [str(copy.document) for copy in locked if copy.state != PostalState.TO_POST]
    if done:
        raise ValidationError(f"Already marked posted: {', '.join(done)}.")
    if len(locked) != len(pks):
        raise ValidationError("Some of these documents are not on the list to post.")
    return run_bulk_transition(locked, "mark_posted", by=actor, on=day,
                               update_fields=["posted_on", "posted_by"], day=day,
                               user=actor.user)
