"""Sending a quote and the customer's answer to it.

`send_quote` renders the PDF once and stores those bytes and their SHA-256 on the quote; the
email (a `notifications.Delivery`, shown on the quote's page as queued, sent or failed, which
the rep may send again) and the portal serve exactly those bytes. The customer's link is a
Django signature over the quote's pk, version, PDF hash and expiry date, so a tampered,
superseded or expired link is refused without any stored token. `accept_quote` and
`decline_quote` act for the customer (`core.actors.Actor.customer`), called from `q2c.flows`.
"""

import hashlib
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core import clock
from core.actors import Actor, ActorKind, as_actor, require
from core.dates import business_date
from core.events import record_event
from core.signed_links import LinkProblem, link_token, link_url, read_link, unknown_link
from core.transitions import run_bulk_transition, run_transition
from notifications.models import DeliveryState
from notifications.selectors import deliveries_of
from notifications.services import queue_delivery, send_again
from quotes.models import Quote, QuoteState
from quotes.pdf import render_quote_pdf
from quotes.periods import closed_period_error
from quotes.services._common import locked, note_on_quote
from quotes.services.coupons import redeem_coupons

__all__ = [
    "LinkProblem", "accept_quote", "decline_quote", "expire_due_quotes", "quote_for_link",
    "quote_link_token", "quote_link_url", "send_quote", "send_quote_again",
]

LINK_SALT = "quotes.customer-link"
SEND_PERMISSION = "quotes.send_quote"
HASH_IN_LINK = 32  # hex characters of the PDF's SHA-256 the link is bound to (128 bits)


def quote_link_token(quote) -> str:
    """A signature bound to this quote, version, sent PDF and expiry date."""
    return link_token({"q": quote.pk, "v": quote.version,
                       "h": quote.sent_pdf_sha256[:HASH_IN_LINK],
                       "e": quote.expires_on.isoformat()}, salt=LINK_SALT)


def quote_link_url(quote, base_url: str | None = None) -> str:
    return link_url("portal:quote", quote_link_token(quote), base_url)


def quote_for_link(token: str, *, on: date | None = None, for_update: bool = False) -> Quote:
    """The sent quote a link names, or `LinkProblem` saying why the link cannot be used."""
    pk, version, digest, until = read_link(token, salt=LINK_SALT, keys=("q", "v", "h", "e"))
    try:
        until = date.fromisoformat(until)
    except (TypeError, ValueError):
        raise unknown_link() from None
    quotes = Quote.objects.select_for_update() if for_update else Quote.objects.all()
    quote = quotes.filter(pk=pk).first()
    if quote is None:
        raise unknown_link()
    if (quote.state == QuoteState.SUPERSEDED or quote.version != version
            or quote.sent_pdf_sha256[:HASH_IN_LINK] != digest):
        raise LinkProblem("superseded", "This version of the quote has been replaced by a newer "
                          "one. Please use the link in the most recent email.")
    if quote.state in (QuoteState.ACCEPTED, QuoteState.DECLINED):
        when = (f" on {timezone.localtime(quote.decided_at):%d %B %Y}"
                if quote.decided_at else "")
        raise LinkProblem("used", f"This quote was already {quote.get_state_display().lower()}"
                          f"{when}. Thank you.", document=quote)
    expiry = min(until, quote.expires_on)
    if quote.state == QuoteState.EXPIRED or business_date(on) > expiry:
        raise LinkProblem("expired", f"This quote expired on {expiry:%d %B %Y}. Please ask us "
                          "for a new one.")
    if quote.state != QuoteState.SENT:
        raise unknown_link()
    return quote


@transaction.atomic
def send_quote(*, quote, by, on: date | None = None, base_url: str | None = None,
               render=render_quote_pdf) -> Quote:
    """Render the PDF once (`render(quote)`; a later stage passes its own document, such as
    an amendment's), store its bytes and hash, and email the contact after commit."""
    actor = require(by, SEND_PERMISSION, "You are not allowed to send quotes.")
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    _check_sendable(quote, business_date(on))
    pdf = render(quote)
    run_transition(quote, "send", by=actor, on=on, note=f"Sent to {quote.contact.email}",
                   pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), at=clock.now())
    _queue_email(quote, quote_link_url(quote, base_url))
    return quote


def _queue_email(quote: Quote, link: str):
    """The quote's email as a delivery (queued, sent, or failed with the reason; retried with
    backoff), with the stored PDF and the customer's link; sent after commit through the
    outbox, so a broker or mail server that is down delays it, never fails the sending. The
    system queues it: the rep's `quotes.send_quote` was checked by the caller."""
    context = {"quote": quote, "link": link, "company_name": settings.COMPANY_NAME}
    return queue_delivery(
        document=quote, to=[quote.contact.email], by=Actor.task("send_quote"),
        reply_to=[quote.owner.email],
        subject=f"Quote {quote} from {settings.COMPANY_NAME}",
        body=render_to_string("quotes/pdf/sent_email.txt", context),
        attachments=[(f"{quote.number}-v{quote.version}.pdf", bytes(quote.sent_pdf),
                      "application/pdf")])


@transaction.atomic
def send_quote_again(*, quote, by, on: date | None = None):
    """The rep sends the quote's failed email again (a new delivery of the same message and
    PDF), while the customer can still answer it; recorded on the quote's timeline."""
    actor = require(by, SEND_PERMISSION, "You are not allowed to send quotes.")
    quote = locked(quote, actor)
    if quote.state != QuoteState.SENT or business_date(on) > quote.expires_on:
        raise ValidationError("Only a sent quote the customer can still answer is emailed "
                              "again; revise it to send a new version.")
    last = deliveries_of(quote).first()
    if last is None or last.state != DeliveryState.FAILED:
        raise ValidationError("Only a failed email is sent again; the last one is "
                              f"{last.get_state_display().lower() if last else 'missing'}.")
    again = send_again(delivery=last, by=Actor.task("send_quote"))
    note_on_quote(quote, actor, "send_again", f"Email sent again to {', '.join(again.to)} "
                                              f"(the last one failed: {last.failure_reason})", on)
    return again


def _check_sendable(quote, today: date) -> None:
    if quote.state != QuoteState.APPROVED:
        raise ValidationError(f"Only an approved quote can be sent; this one is "
                              f"{quote.get_state_display().lower()}.")
    if quote.contact is None or not quote.contact.email:
        raise ValidationError({"contact": "Choose a contact with an email address first."})
    if today > quote.expires_on:
        raise ValidationError({"expires_on": f"This quote expired on {quote.expires_on}; "
                                             "revise it to send a new version."})
    _check_start(quote)


def _check_start(quote) -> None:
    """Refused while the quote's start month is closed in the books (sent or accepted)."""
    error = closed_period_error(quote.start_on, what="a quote starting on")
    if error:
        raise ValidationError({"start_on": error})


def _customer(by):
    actor = as_actor(by)
    if actor.kind != ActorKind.CUSTOMER:
        raise PermissionDenied("Only the customer answers a quote, through their link.")
    return actor


def _locked_open_quote(quote, today: date) -> Quote:
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.state != QuoteState.SENT:
        raise ValidationError(f"This quote can no longer be answered; it is "
                              f"{quote.get_state_display().lower()}.")
    if today > quote.expires_on:
        raise ValidationError(f"This quote expired on {quote.expires_on}.")
    _check_start(quote)
    return quote


@transaction.atomic
def accept_quote(*, quote, by, title: str, consent: bool, user_agent: str = "",
                 on: date | None = None) -> Quote:
    """The customer signs: name, title, time, IP, user agent and the hash of the PDF they saw."""
    actor = _customer(by)
    errors = {}
    if not actor.name.strip():
        errors["name"] = "Type your full name to sign."
    if not title.strip():
        errors["title"] = "Type your job title."
    if not consent:
        errors["consent"] = "Tick the box to confirm you accept this quote."
    if errors:
        raise ValidationError(errors)
    quote = _locked_open_quote(quote, business_date(on))
    redeem_coupons(quote, business_date(on))
    note = f"Signed by {actor.name.strip()}, {title.strip()}; PDF SHA-256 {quote.sent_pdf_sha256}"
    quote = run_transition(quote, "accept", by=actor, on=on, note=note,
                           name=actor.name.strip(), title=title.strip(), ip=actor.ip,
                           user_agent=user_agent, at=clock.now())
    record_event("quote.accepted", quote)
    return quote


@transaction.atomic
def decline_quote(*, quote, by, reason: str, on: date | None = None) -> Quote:
    """The customer declines, saying why."""
    actor = _customer(by)
    if not reason.strip():
        raise ValidationError({"reason": "Tell us why, so we can follow up."})
    quote = _locked_open_quote(quote, business_date(on))
    return run_transition(quote, "decline", by=actor, on=on, note=reason.strip(),
                          reason=reason.strip(), at=clock.now())


@transaction.atomic
def expire_due_quotes(*, by, on: date | None = None) -> list[Quote]:
    """Expire approved and sent quotes whose expiry date has passed; a second run finds none."""
    today = business_date(on)
    due = list(Quote.objects.select_for_update()
               .filter(state__in=[QuoteState.APPROVED, QuoteState.SENT], expires_on__lt=today)
               .order_by("pk"))  # lock in pk order, as every bulk path does
    return run_bulk_transition(due, "expire", by=by, on=on, note="Past its expiry date")
