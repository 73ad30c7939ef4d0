"""Emailing issued invoices and credit notes to every billing contact of the account.

Each email is a `notifications.Delivery` (queued, sent, or failed with the reason and retried
with backoff; Send again), carrying the kept PDF, the e-invoice the account takes, and for an
invoice its pay link. The first email after issue is claimed once (`emailed_at`); Send on the
document's page emails it again on purpose.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from billing.models import CreditNote, Invoice
from billing.services import einvoicing
from billing.services.documents import is_issued, stored_pdf
from billing.services.pay_links import pay_link_url
from core.actors import Actor
from customers.models import Contact, ContactRole
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
            emailed_at=timezone.now()):
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
        emailed_at=timezone.now())
    return delivery
