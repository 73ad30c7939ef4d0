"""The verbs of a contract's signature life: create it from an accepted quote, send it, the
customer signs, a user countersigns, and it activates (one at a time, or every due one by the
daily task). Each is one transaction that locks the contract row, then changes state through
`core.transitions.run_transition` (permission, transition, save, history).
"""

import hashlib
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string

from catalog.coupons import CouponTerms
from catalog.models import BillingPeriod
from contracts.models import (
    Contract,
    ContractLine,
    ContractState,
    ContractTemplate,
    LineStatus,
    ScheduleChange,
    ScheduleChangeKind,
)
from contracts.pdf import render_contract_pdf
from contracts.selectors import contract_for_update, signer_contact
from contracts.services._common import default_day_count, moment_policies
from contracts.services.coupons import record_quote_coupons
from contracts.services.links import contract_link_url
from contracts.services.schedules import price_from_schedule, schedule_lines, take_coupons_off
from contracts.terms import fill_terms
from core import clock
from core.actors import Actor, ActorKind, as_actor, require
from core.dates import add_months, business_date, month_start
from core.events import record_event, record_events
from core.money import round_money
from core.numbering import next_number
from core.outbox import enqueue
from core.templatetags.money import money
from core.transitions import history_row, run_bulk_transition, run_transition
from notifications.services import queue_delivery
from quotes.models import QuoteKind, QuoteState
from quotes.periods import closed_period_error, shut_months
from quotes.selectors import coupon_terms_of

CREATE_PERMISSION = "contracts.add_contract"

DEFAULT_TERMS = (
    "This agreement between {{ company_name }} and {{ account }} runs from {{ start_on }} to "
    "{{ end_on }} ({{ term_months }} months) for {{ total_contract_value }}, as quoted in "
    "{{ quote_number }}. Invoices are payable {{ payment_terms }}. The agreement {{ auto_renew }} "
    "renew for {{ renewal_term_months }} months with a {{ uplift_percent }}% uplift unless "
    "either party gives {{ renewal_notice_days }} days' notice before the end date."
)


def default_template() -> ContractTemplate | None:
    return ContractTemplate.objects.filter(is_default=True).first()


def terms_values(contract: Contract) -> dict[str, str]:
    return {
        "account": contract.account.name, "contract_number": contract.number,
        "quote_number": (contract.quote.number if contract.quote_id
                         else contract.external_reference or contract.number),
        "start_on": f"{contract.start_on:%d %B %Y}",
        "end_on": f"{contract.end_on:%d %B %Y}", "term_months": contract.term_months,
        "payment_terms": contract.payment_terms.name, "currency": contract.currency,
        "total_contract_value": money(contract.total_contract_value, contract.currency),
        "auto_renew": "will" if contract.auto_renew else "will not",
        "renewal_term_months": contract.renewal_term_months,
        "uplift_percent": contract.uplift_percent.normalize(),
        "renewal_notice_days": contract.renewal_notice_days,
        "company_name": settings.COMPANY_NAME,
    }


def apply_template(contract: Contract, template: ContractTemplate | None) -> None:
    """Renewal defaults and the filled terms from the template (in memory)."""
    if template is not None:
        contract.auto_renew = template.auto_renew
        contract.renewal_term_months = template.renewal_term_months
        contract.uplift_percent = template.uplift_percent
        contract.renewal_notice_days = template.renewal_notice_days
    contract.template = template
    fill_contract_terms(contract)


def fill_contract_terms(contract: Contract) -> None:
    """The contract's template clauses (or the default ones) filled from its own fields."""
    body = contract.template.body if contract.template_id else DEFAULT_TERMS
    contract.terms = fill_terms(body, terms_values(contract))


def number_for(year: int, value: int) -> str:
    """The contract number: C-YYYY-NNNNN, one gapless series per year."""
    return f"C-{year}-{value:05d}"


def new_number(today: date) -> str:
    return number_for(today.year, next_number(f"contract-{today.year}"))


def _lines_from(contract: Contract, quote_lines) -> list[ContractLine]:
    """The quote's lines with their policies (alignment, the quote's bill day, the day count
    each line was priced with) and their term figures from their schedules."""
    lines, day_count = [], default_day_count()
    bill_day = contract.quote.billed_on_day if contract.quote_id else contract.account.bill_day
    starts_at = contract.quote.starts_at if contract.quote_id else None
    for quote_line in quote_lines:
        recurring = quote_line.billing_period != BillingPeriod.ONE_TIME
        line = ContractLine(
            contract=contract, position=quote_line.position, quote_line=quote_line,
            product=quote_line.product, description=quote_line.description,
            quantity=quote_line.quantity, billing_period=quote_line.billing_period,
            billing_alignment=quote_line.billing_alignment, bill_day=bill_day,
            proration_convention=quote_line.proration_convention or day_count,
            **moment_policies(quote_line.price_snapshot, contract.account,
                              starts_at=starts_at),
            price_snapshot=quote_line.price_snapshot,
            discount_percent=quote_line.discount_percent, included=quote_line.included,
            list_unit_price=quote_line.list_unit_price,
            amount_per_period=quote_line.amount_per_period, start_on=contract.start_on,
            end_on=contract.end_on if recurring else contract.start_on)
        price_from_schedule(line, quote_line.list_per_period)
        lines.append(line)
    return lines


def save_with_schedule(contract: Contract, lines: list[ContractLine], kind: str,
                       coupons: Sequence[CouponTerms] = (), charged=None) -> None:
    """Insert the new contract's lines and store their schedules (one change, `kind`), less
    the coupons of the quote (or `charged`, each line's charges worked out already)."""
    ContractLine.objects.bulk_create(lines)
    change = ScheduleChange.objects.create(contract=contract, kind=kind,
                                           effective_on=contract.start_on)
    schedule_lines(lines, change, coupons, charged)


def contract_value(lines, currency: str):
    """What the contract's lines charge over the term: the sum of their schedules."""
    return round_money(sum((line.net_amount for line in lines), Decimal(0)), currency)


@transaction.atomic
def create_contract_from_quote(*, quote, by, on: date | None = None) -> Contract:
    """The accepted quote's draft contract (new business or renewal), with lines copying its
    frozen prices; a second call returns the same contract (the one-to-one on quote makes that
    hold under races too). A renewal quote's contract renews the contract it was made for."""
    actor = require(by, CREATE_PERMISSION, "You are not allowed to create contracts.")
    existing = Contract.objects.filter(quote_id=quote.pk).first()
    if existing is not None:
        return existing
    if quote.state != QuoteState.ACCEPTED:
        raise ValidationError(f"Only an accepted quote becomes a contract; this one is "
                              f"{quote.get_state_display().lower()}.")
    if quote.kind == QuoteKind.AMENDMENT:
        raise ValidationError("An amendment quote amends its contract; it is not a new one.")
    today = business_date(on)
    renews = quote.renewal.contract if quote.kind == QuoteKind.RENEWAL else None
    if renews is not None and Contract.objects.filter(renews=renews).exists():
        raise ValidationError(f"Contract {renews} is already renewed.")
    contract = Contract(
        number=new_number(today), account=quote.account, quote=quote, owner=quote.owner,
        currency=quote.currency, start_on=quote.start_on, term_months=quote.term_months,
        end_on=add_months(quote.start_on, quote.term_months) - timedelta(days=1),
        payment_terms=quote.payment_terms, renews=renews,
        recurring_monthly=quote.recurring_monthly)
    quote_lines = quote.lines.select_related("product").order_by("position", "pk")
    lines = _lines_from(contract, quote_lines)
    coupons = coupon_terms_of(quote)
    take_coupons_off(lines, coupons)
    contract.total_contract_value = contract_value(lines, contract.currency)
    apply_template(contract, default_template())
    contract.save()
    save_with_schedule(contract, lines, ScheduleChangeKind.RENEWAL if renews
                       else ScheduleChangeKind.START, coupons)
    record_quote_coupons(contract, quote, lines, counts_from=contract.start_on)
    note = (f"Renews {renews} from accepted renewal quote {quote}" if renews
            else f"From accepted quote {quote}")
    history_row(contract, "create", by=actor, source="", target=contract.state, note=note,
                on=today).save()
    return contract


@transaction.atomic
def send_for_signature(*, contract, by, on: date | None = None,
                       base_url: str | None = None) -> Contract:
    """Render the PDF once, store its bytes and SHA-256 (the link is bound to that hash), and
    email the customer's signer the PDF and the link after commit."""
    actor = as_actor(by)
    contract = contract_for_update(pk=contract.pk)
    if contract.state != ContractState.DRAFT:
        raise ValidationError(f"Only a draft contract is sent for signature; this one is "
                              f"{contract.get_state_display().lower()}.")
    contact = signer_contact(contract)
    if contact is None:
        raise ValidationError({"contact": f"{contract.account} has no contact with an email "
                                          f"address to send the contract to."})
    pdf = render_contract_pdf(contract)
    digest = hashlib.sha256(pdf).hexdigest()
    run_transition(contract, "send_for_signature", by=actor, on=on,
                   note=f"Sent to {contact.email}; PDF SHA-256 {digest}",
                   pdf=pdf, sha256=digest, at=clock.now())
    # Through the outbox: a broker that is down delays the email, never fails the sending.
    enqueue("contracts.tasks.email_sent_contract_task", contract.pk,
            contract_link_url(contract, base_url))
    return contract


def email_sent_contract(*, contract_id: int, link: str) -> None:
    """Email the signer the stored PDF and their link (after the send has committed)."""
    contract = Contract.objects.select_related("owner", "account").get(pk=contract_id)
    contact = signer_contact(contract)
    context = {"contract": contract, "contact": contact, "link": link,
               "company_name": settings.COMPANY_NAME}
    message = EmailMessage(
        subject=f"Contract {contract} from {settings.COMPANY_NAME}: please sign",
        body=render_to_string("contracts/email/sent.txt", context),
        to=[contact.email],
        reply_to=[contract.owner.email] if contract.owner.email else None,
    )
    message.attach(f"{contract.number}.pdf", bytes(contract.sent_pdf), "application/pdf")
    message.send()


@transaction.atomic
def sign(*, contract, by, title: str, consent: bool, user_agent: str = "",
         on: date | None = None) -> Contract:
    """The customer signs: name, title, time, IP, user agent and the hash of the PDF they saw."""
    actor = as_actor(by)
    if actor.kind != ActorKind.CUSTOMER:
        raise PermissionDenied("Only the customer signs a contract, through their link.")
    errors = {}
    if not actor.name.strip():
        errors["name"] = "Type your full name to sign."
    if not title.strip():
        errors["title"] = "Type your job title."
    if not consent:
        errors["consent"] = "Tick the box to confirm you sign this contract."
    if errors:
        raise ValidationError(errors)
    contract = contract_for_update(pk=contract.pk)
    note = (f"Signed by {actor.name.strip()}, {title.strip()}; PDF SHA-256 "
            f"{contract.document_sha256}")
    return run_transition(contract, "sign", by=actor, on=on, note=note,
                          name=actor.name.strip(), title=title.strip(), ip=actor.ip,
                          user_agent=user_agent, at=clock.now())


@transaction.atomic
def sign_by_acceptance(*, contract, quote, by, user_agent: str = "",
                       on: date | None = None) -> Contract:
    """Under a template that says so, the customer's acceptance of the quote is their signature
    of the contract drafted from it: the contract PDF is rendered and bound by its hash as a
    sent one would be, and signed with the acceptance's name, title and IP (one signature)."""
    actor = as_actor(by)
    if actor.kind != ActorKind.CUSTOMER:
        raise PermissionDenied("Only the customer signs a contract.")
    contract = contract_for_update(pk=contract.pk)
    if contract.template is None or not contract.template.acceptance_signs:
        raise ValidationError("This contract's template asks for a signature of its own.")
    pdf = render_contract_pdf(contract)
    digest, now = hashlib.sha256(pdf).hexdigest(), clock.now()
    run_transition(contract, "send_for_signature", by=actor, on=on, pdf=pdf, sha256=digest,
                   at=now, note=f"Signed by accepting quote {quote} (its template says "
                                f"acceptance signs); PDF SHA-256 {digest}")
    note = (f"Signed by {actor.name}, {quote.signer_title} when accepting quote {quote} "
            f"(quote PDF SHA-256 {quote.signed_pdf_sha256}); contract PDF SHA-256 {digest}")
    return run_transition(contract, "sign", by=actor, on=on, note=note, name=actor.name,
                          title=quote.signer_title, ip=actor.ip, user_agent=user_agent, at=now)


@transaction.atomic
def countersign(*, contract, by, on: date | None = None) -> Contract:
    """A user with the permission countersigns what the customer signed."""
    actor = as_actor(by)
    contract = contract_for_update(pk=contract.pk)
    contract = run_transition(contract, "countersign", by=actor, on=on, note="Countersigned",
                              user=actor.user, at=clock.now())
    if business_date(on) >= clock.today():  # back-dated (demo history): not mailed
        send_countersigned_copy(contract)
    return contract


def send_countersigned_copy(contract: Contract):
    """Queue the signer's copy of the countersigned contract (the PDF they signed), as a
    delivery with its status on the contract page; None when nobody has an email address."""
    contact = signer_contact(contract)
    if contact is None or not contract.sent_pdf:
        return None
    body = render_to_string("contracts/email/countersigned.txt", {
        "contract": contract, "contact": contact, "company_name": settings.COMPANY_NAME})
    return queue_delivery(
        document=contract, to=[contact.email], by=Actor.task("countersigned_copy"),
        subject=f"Contract {contract} is countersigned: your copy",
        body=body, attachments=[(f"{contract.number}.pdf", bytes(contract.sent_pdf),
                                 "application/pdf")])


@transaction.atomic
def activate(*, contract, by, on: date | None = None) -> Contract:
    """Countersigned and on or after its start date: the contract and its lines go live."""
    today = business_date(on)
    contract = contract_for_update(pk=contract.pk)
    if contract.state == ContractState.SIGNED and today < contract.start_on:
        raise ValidationError(f"This contract starts on {contract.start_on:%Y-%m-%d}; it can "
                              f"be activated from then.")
    error = closed_period_error(contract.start_on, what="a contract going live on")
    if error:
        raise ValidationError({"start_on": error})
    contract = run_transition(contract, "activate", by=by, on=today, day=today)
    run_bulk_transition(list(contract.lines.filter(status=LineStatus.PENDING)
                             .select_for_update().order_by("pk")),
                        "activate", by=by, on=today, note="Contract activated")
    record_event("contract.activated", contract)
    return contract


@transaction.atomic
def activate_due_contracts(*, by, on: date | None = None) -> list[Contract]:
    """Activate every countersigned contract whose start date has come, with its lines, and
    the lines an amendment started on a date that has now come; a second run finds none (only
    signed, countersigned contracts and pending lines are picked). A contract starting in a
    month the books have closed stays signed; its page's Activate says why."""
    today = business_date(on)
    due = list(Contract.objects.select_for_update()
               .filter(state=ContractState.SIGNED, countersigned_at__isnull=False,
                       start_on__lte=today)
               .order_by("pk"))  # lock in pk order, as every bulk path does
    shut = shut_months(contract.start_on for contract in due)
    due = [contract for contract in due if month_start(contract.start_on) not in shut]
    stamp = clock.now()  # bulk_update writes fields as they are: stamp the change here
    for contract in due:
        contract.updated_at = stamp
    run_bulk_transition(due, "activate", by=by, on=today, day=today, note="Start date reached",
                        update_fields=["activated_on", "updated_at"])
    starting = (ContractLine.objects.select_for_update()
                .filter(status=LineStatus.PENDING)
                .filter(Q(contract__in=due) | Q(contract__state=ContractState.ACTIVE,
                                                 start_on__lte=today)).order_by("pk"))
    run_bulk_transition(list(starting), "activate", by=by, on=today, note="Start date reached")
    record_events("contract.activated", due)
    return due
