"""Dunning emails: one `notifications.Delivery` per step that emails (reminder, escalation,
final notice), so each shows as queued, sent or failed with the reason on the step's row of the
invoice's dunning history, is retried with backoff by notifications' retry task, and can be sent
again.

Set-based like the run, through notifications' bulk forms: a chunk writes its steps' deliveries
by one COPY in its own transaction, from the steps as the run planned them (their invoices are
not read again), and one task per chunk sends them over one mail connection,
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
from customers.models import Account, Contact, ContactRole
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
class StepMail:
    """What the run knows of one step it took that emails, as plain values: the run hands
    them over as it planned them (no read of the steps and their invoices again)."""

    pk: int  # the step's
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


@dataclass(frozen=True)
class _Account:
    name: str
    language: str
    owner_email: str | None


def _accounts(accounts: QuerySet) -> dict[int, _Account]:
    """The name, document language and owner's address of each account (one join)."""
    return {pk: _Account(name, language, owner_email) for pk, name, language, owner_email in
            Account.objects.filter(pk__in=accounts).values_list(
                "pk", "name", "document_language", "owner__email")}


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


def _texts(mails: list[StepMail]):
    """A function from a mail and its account's language to its texts' (language, subject,
    body): the step's template in the account's language, the step's own (English), or the
    default text (two reads; each answer remembered, as a chunk's mails share a few)."""
    steps = {(s.policy_id, s.key): s for s in DunningPolicyStep.objects.filter(
        policy_id__in={m.policy_id for m in mails}).select_related("template")}
    keys = {s.template.key for s in steps.values() if s.template}
    variants = {(t.key, t.language): t for t in DunningTemplate.objects.filter(
        key__in=keys).exclude(language="")} if keys else {}
    known = {}

    def choose(policy_id: int, step_key: str, action: str, language: str):
        step = steps.get((policy_id, step_key))
        if step and step.template:
            template = variants.get((step.template.key, language))
            if template is None:
                return "en", step.template.subject, step.template.body
            return language, template.subject, template.body
        return default_text(action, language)

    def texts(mail: StepMail, account_language: str) -> tuple[str, str, str]:
        language = "en" if mail.action == rules.Action.ESCALATE else account_language or "en"
        key = (mail.policy_id, mail.step_key, mail.action, language)
        if key not in known:
            known[key] = choose(*key)
        return known[key]

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


def _values(mail: StepMail, account: _Account, charged: _Charged, pay_url, language: str,
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
        "account": account.name, "account.name": account.name,
        "amount_due": money(mail.amount_due),
        "days_past_due": str(mail.days_past_due),
        "fees": money(charged.fees), "interest": money(charged.interest),
        "new_total_due": money(mail.amount_due + charged.unpaid),
        "pay_url": pay_url(mail.invoice_id, mail.number) if pay_url else "",
    }


def _addressed(mail: StepMail, account: _Account, contacts: list[str]) -> list[str]:
    if mail.action == rules.Action.ESCALATE:
        return [a for a in (account.owner_email, settings.FINANCE_EMAIL) if a]
    return contacts


def queue_dunning_emails(chunk: DunningRunChunk, mails: list[StepMail]) -> int:
    """In the chunk's transaction: the email of each step it took that emails (`mails`, in the
    order of their ids), as a queued delivery (one COPY); the chunk's task sends them after
    commit. How many were queued."""
    if not mails:
        return 0
    stepped = chunk_steps(chunk).filter(action__in=[a.value for a in EMAIL_ACTIONS]).values(
        "account_id")
    texts, charged = _texts(mails), _charged((mails[0].pk, mails[-1].pk), chunk)
    accounts, recipients = _accounts(stepped), _recipients(stepped)
    fees, interest, unpaid = charged["fees"], charged["interest"], charged["unpaid"]
    pay_url, money, queued = pay_link_urls(), _money_formatter(), []
    for mail in mails:
        account = accounts[mail.account_id]
        charges = _Charged(fees.get(mail.pk, ZERO), interest.get(mail.pk, ZERO),
                           unpaid.get(mail.invoice_id, ZERO))
        language, subject, body = texts(mail, account.language)
        body = with_charges(body, language) if charges.any else body
        values = _values(mail, account, charges,
                         pay_url if "pay_url" in subject + body else None, language, money)
        queued.append(Mail(mail.pk, _addressed(mail, account,
                                               recipients.get(mail.account_id, [])),
                           fill_text(subject, values).strip()[:200], fill_text(body, values)))
    return queue_deliveries(DunningEvent, queued, by=_sender())


def send_dunning_emails(*, first_step_id: int, last_step_id: int) -> int:
    """Send the queued emails of the steps with ids from first to last (a chunk's), once; how
    many were sent."""
    return send_queued_deliveries(DunningEvent, (first_step_id, last_step_id), by=_sender())


def _sender() -> Actor:
    return Actor.task("send_dunning_emails")
