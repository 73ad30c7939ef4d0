"""Dunning emails: one `notifications.Delivery` per step that emails (reminder, escalation,
final notice), so each shows as queued, sent or failed with the reason on the step's row of the
invoice's dunning history, is retried with backoff by notifications' retry task, and can be sent
again.

Set-based like the run, through notifications' bulk forms: a chunk writes its steps' deliveries
by one COPY in its own transaction, and one task per chunk sends them over one mail connection,
then settles them in two statements and one COPY of their history (a model and a transition per
email cost more than the run).
What each email says: the step's template (in the account's document language when finance keeps
one with the same key in it), or the default text in that language; the late fees and interest
this step charged and the new total due (the invoice's amount due and its unpaid late charges).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet

from billing.services.pay_links import pay_link_urls
from core.actors import Actor
from core.formatting import format_money
from customers.models import Contact, ContactRole
from notifications.services import Mail, queue_deliveries, send_queued_deliveries
from payments import dunning_rules as rules
from payments.dunning_texts import default_text, fill_text, with_charges
from payments.models import (
    DunningEvent,
    DunningPolicyStep,
    DunningRunChunk,
    DunningTemplate,
    LateCharge,
    LateChargeKind,
    LateChargeState,
)

ZERO = Decimal("0")
EMAIL_ACTIONS = {rules.Action.REMIND, rules.Action.ESCALATE, rules.Action.FINAL_NOTICE}


def chunk_steps(chunk: DunningRunChunk) -> QuerySet:
    """The steps a run's chunk took (by its invoice range: no list of ids)."""
    return DunningEvent.objects.filter(run_id=chunk.run_id, invoice_id__gte=chunk.first_invoice_id,
                                       invoice_id__lte=chunk.last_invoice_id)


def _recipients(accounts: QuerySet) -> dict[int, list[str]]:
    """Each account's billing contacts' addresses, or its other contacts' (one join)."""
    by_account = defaultdict(lambda: {"billing": [], "other": []})
    for account_id, email, role in Contact.objects.filter(
            account_id__in=accounts).exclude(email="").values_list("account_id", "email", "role"):
        by_account[account_id]["billing" if role == ContactRole.BILLING else "other"].append(email)
    return {a: lists["billing"] or lists["other"] for a, lists in by_account.items()}


@dataclass(frozen=True)
class _Mail:
    """What one step's email says, read as plain values (no model per step)."""

    pk: int
    account_id: int
    policy_id: int
    step_key: str
    action: str
    days_past_due: int
    invoice_id: int
    number: str
    currency: str
    due_on: date | None
    issue_on: date | None
    total: Decimal
    amount_due: Decimal
    account_name: str
    language: str
    owner_email: str | None


MAIL_COLUMNS = ("pk", "account_id", "policy_id", "step_key", "action", "days_past_due",
                "invoice_id", "invoice__number", "invoice__currency", "invoice__due_on",
                "invoice__issue_on", "invoice__total", "invoice__amount_due",
                "invoice__account__name", "invoice__account__document_language",
                "invoice__account__owner__email")


@dataclass(frozen=True)
class _Charged:
    """The late charges of a step, and what the invoice owes with them."""

    fees: Decimal = ZERO
    interest: Decimal = ZERO
    unpaid: Decimal = ZERO  # every unpaid late charge of the invoice, this step's included

    @property
    def any(self) -> bool:
        return bool(self.fees or self.interest)


def _charged(steps: tuple[int, int], chunk: DunningRunChunk) -> dict[str, dict[int, Decimal]]:
    """Each step's fees and interest, and its invoice's unpaid late charges (two reads, by the
    chunk's step id and invoice ranges)."""
    fees, interest = defaultdict(lambda: ZERO), defaultdict(lambda: ZERO)
    for event_id, kind, amount in LateCharge.objects.filter(
            dunning_event_id__gte=steps[0], dunning_event_id__lte=steps[1]).values_list(
            "dunning_event_id", "kind", "amount"):
        (fees if kind == LateChargeKind.FEE else interest)[event_id] += amount
    unpaid = defaultdict(lambda: ZERO)
    for invoice_id, amount_due in LateCharge.objects.filter(
            invoice_id__gte=chunk.first_invoice_id, invoice_id__lte=chunk.last_invoice_id,
            state=LateChargeState.ISSUED, amount_due__gt=0).values_list("invoice_id",
                                                                        "amount_due"):
        unpaid[invoice_id] += amount_due
    return {"fees": fees, "interest": interest, "unpaid": unpaid}


def _texts(mails: list[_Mail]):
    """A function from a mail to its texts' (language, subject, body): the step's template in
    the account's language, the step's own (English), or the default text (two reads)."""
    steps = {(s.policy_id, s.key): s for s in DunningPolicyStep.objects.filter(
        policy_id__in={m.policy_id for m in mails}).select_related("template")}
    keys = {s.template.key for s in steps.values() if s.template}
    variants = {(t.key, t.language): t for t in DunningTemplate.objects.filter(
        key__in=keys).exclude(language="")} if keys else {}

    def texts(mail: _Mail) -> tuple[str, str, str]:
        step = steps.get((mail.policy_id, mail.step_key))
        language = "en" if mail.action == rules.Action.ESCALATE else mail.language or "en"
        if step and step.template:
            template = variants.get((step.template.key, language))
            if template is None:
                return "en", step.template.subject, step.template.body
            return language, template.subject, template.body
        return default_text(mail.action, language)

    return texts


def _money_formatter():
    """`format_money` remembered for the chunk by (amount as written, currency, language): a
    chunk's emails show the same few amounts (no fees, the same totals) thousands of times."""
    formatted = {}

    def money(amount: Decimal, currency: str, language: str) -> str:
        key = (str(amount), currency, language)
        if key not in formatted:
            formatted[key] = format_money(amount, currency, language)
        return formatted[key]

    return money


def _values(mail: _Mail, charged: _Charged, pay_url, language: str,
            formatter=format_money) -> dict[str, str]:
    """The placeholders' values: plain strings, never a model (dunning_texts), amounts as the
    text's language writes money; the pay link is signed only for texts that show it."""
    currency = mail.currency
    money = lambda amount: formatter(amount, currency, language)  # noqa: E731
    return {
        "invoice": mail.number, "invoice.number": mail.number,
        "invoice.currency": currency, "currency": currency,
        "invoice.due_on": mail.due_on.isoformat() if mail.due_on else "",
        "invoice.issue_on": mail.issue_on.isoformat() if mail.issue_on else "",
        "invoice.total": money(mail.total),
        "account": mail.account_name, "account.name": mail.account_name,
        "amount_due": money(mail.amount_due),
        "days_past_due": str(mail.days_past_due),
        "fees": money(charged.fees), "interest": money(charged.interest),
        "new_total_due": money(mail.amount_due + charged.unpaid),
        "pay_url": pay_url(mail.invoice_id, mail.number) if pay_url else "",
    }


def _addressed(mail: _Mail, contacts: list[str]) -> list[str]:
    if mail.action == rules.Action.ESCALATE:
        return [a for a in (mail.owner_email, settings.FINANCE_EMAIL) if a]
    return contacts


def queue_dunning_emails(chunk: DunningRunChunk, step_ids: tuple[int, int]) -> int:
    """In the chunk's transaction: the email of each step it took (ids in `step_ids`, first and
    last) that emails, as a queued delivery (one COPY); the chunk's task sends them after
    commit. How many were queued."""
    steps = chunk_steps(chunk).filter(action__in=[a.value for a in EMAIL_ACTIONS])
    mails = [_Mail(*row) for row in steps.order_by("pk").values_list(*MAIL_COLUMNS)]
    if not mails:
        return 0
    texts, charged = _texts(mails), _charged(step_ids, chunk)
    recipients, pay_url, queued = _recipients(steps.values("account_id")), pay_link_urls(), []
    money = _money_formatter()
    for mail in mails:
        charges = _Charged(charged["fees"][mail.pk], charged["interest"][mail.pk],
                           charged["unpaid"][mail.invoice_id])
        language, subject, body = texts(mail)
        body = with_charges(body, language) if charges.any else body
        values = _values(mail, charges, pay_url if "pay_url" in subject + body else None,
                         language, money)
        queued.append(Mail(mail.pk, _addressed(mail, recipients.get(mail.account_id, [])),
                           fill_text(subject, values).strip()[:200], fill_text(body, values)))
    return queue_deliveries(DunningEvent, queued, by=_sender())


def send_dunning_emails(*, first_step_id: int, last_step_id: int) -> int:
    """Send the queued emails of the steps with ids from first to last (a chunk's), once; how
    many were sent."""
    return send_queued_deliveries(DunningEvent, (first_step_id, last_step_id), by=_sender())


def _sender() -> Actor:
    return Actor.task("send_dunning_emails")
