"""The verbs of a contract: create it from an accepted quote, send it, the customer signs, a user
countersigns, and it activates. Each is one transaction that locks the contract row, then changes
state through `core.transitions.run_transition` (permission, transition, save, history).

The customer's link is a Django signature over the contract's pk and the hash of the document
sent, so a tampered link, or one for a document since replaced, is refused without a stored token.
"""

import hashlib
from datetime import date, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract, ContractLine, ContractState, ContractTemplate, LineStatus
from contracts.selectors import contract_for_update
from contracts.terms import fill_terms
from core.actors import ActorKind, as_actor
from core.dates import add_months, business_date
from core.models import TransitionLog
from core.numbering import next_number
from core.templatetags.money import money
from core.transitions import run_transition
from quotes.models import QuoteState
from quotes.services.sending import LinkProblem

LINK_SALT = "contracts.signature-link"
LINK_DAYS = 30  # how long a signature link works after it is made
HASH_IN_LINK = 32  # hex characters of the document's SHA-256 the link is bound to (128 bits)
CREATE_PERMISSION = "contracts.add_contract"

DEFAULT_TERMS = (
    "This agreement between {{ company_name }} and {{ account }} runs from {{ start_on }} to "
    "{{ end_on }} ({{ term_months }} months) for {{ total_contract_value }}, as quoted in "
    "{{ quote_number }}. Invoices are payable {{ payment_terms }}. The agreement {{ auto_renew }} "
    "renew for {{ renewal_term_months }} months with a {{ uplift_percent }}% uplift unless "
    "either party gives {{ renewal_notice_days }} days' notice before the end date."
)

__all__ = [
    "LinkProblem", "activate", "contract_for_link", "contract_link_token", "contract_link_url",
    "countersign", "create_contract_from_quote", "send_for_signature", "sign",
]


def _template() -> ContractTemplate | None:
    return ContractTemplate.objects.filter(is_default=True).first()


def _terms_values(contract: Contract) -> dict[str, str]:
    return {
        "account": contract.account.name, "contract_number": contract.number,
        "quote_number": contract.quote.number, "start_on": f"{contract.start_on:%d %B %Y}",
        "end_on": f"{contract.end_on:%d %B %Y}", "term_months": contract.term_months,
        "payment_terms": contract.payment_terms.name, "currency": contract.currency,
        "total_contract_value": money(contract.total_contract_value, contract.currency),
        "auto_renew": "will" if contract.auto_renew else "will not",
        "renewal_term_months": contract.renewal_term_months,
        "uplift_percent": contract.uplift_percent.normalize(),
        "renewal_notice_days": contract.renewal_notice_days,
        "company_name": settings.COMPANY_NAME,
    }


def _lines_from(contract: Contract, quote_lines) -> list[ContractLine]:
    lines = []
    for line in quote_lines:
        recurring = line.billing_period != "one_time"
        lines.append(ContractLine(
            contract=contract, position=line.position, quote_line=line, product=line.product,
            description=line.description, quantity=line.quantity,
            billing_period=line.billing_period, price_snapshot=line.price_snapshot,
            discount_percent=line.discount_percent, included=line.included,
            list_unit_price=line.list_unit_price, amount_per_period=line.amount_per_period,
            list_amount=line.list_amount, discount_amount=line.discount_amount,
            net_amount=line.net_amount, start_on=contract.start_on,
            end_on=contract.end_on if recurring else contract.start_on))
    return lines


@transaction.atomic
def create_contract_from_quote(*, quote, by, on: date | None = None) -> Contract:
    """The accepted quote's draft contract, with lines copying its frozen prices; a second call
    returns the same contract (the one-to-one on quote makes that hold under races too)."""
    actor = as_actor(by)
    if not actor.has_perm(CREATE_PERMISSION):
        raise PermissionDenied("You are not allowed to create contracts.")
    existing = Contract.objects.filter(quote_id=quote.pk).first()
    if existing is not None:
        return existing
    if quote.state != QuoteState.ACCEPTED:
        raise ValidationError(f"Only an accepted quote becomes a contract; this one is "
                              f"{quote.get_state_display().lower()}.")
    today = business_date(on)
    template = _template()
    contract = Contract(
        number=f"C-{today.year}-{next_number(f'contract-{today.year}'):05d}",
        account=quote.account, quote=quote, owner=quote.owner, currency=quote.currency,
        start_on=quote.start_on, term_months=quote.term_months,
        end_on=add_months(quote.start_on, quote.term_months) - timedelta(days=1),
        payment_terms=quote.payment_terms, template=template,
        total_contract_value=quote.total_contract_value,
        recurring_monthly=quote.recurring_monthly)
    if template is not None:
        contract.auto_renew = template.auto_renew
        contract.renewal_term_months = template.renewal_term_months
        contract.uplift_percent = template.uplift_percent
        contract.renewal_notice_days = template.renewal_notice_days
    contract.terms = fill_terms(template.body if template else DEFAULT_TERMS,
                                _terms_values(contract))
    contract.save()
    quote_lines = quote.lines.select_related("product").order_by("position", "pk")
    ContractLine.objects.bulk_create(_lines_from(contract, quote_lines))
    _record_creation(contract, actor, today)
    return contract


def _record_creation(contract: Contract, actor, today: date) -> None:
    TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(contract), object_id=contract.pk,
        transition="create", source="", target=ContractState.DRAFT, actor_kind=actor.kind,
        actor=actor.user, actor_name=actor.label, actor_ip=actor.ip,
        note=f"From accepted quote {contract.quote}", business_date=today)


def contract_document(contract: Contract) -> str:
    """The text the customer signs (terms and lines); its SHA-256 is what signatures record."""
    return render_to_string("contracts/document.txt", {
        "contract": contract, "lines": contract.lines.select_related("product")})


@transaction.atomic
def send_for_signature(*, contract, by, on: date | None = None) -> Contract:
    """Fix the document and its hash; the customer's link is bound to that hash."""
    contract = contract_for_update(pk=contract.pk)
    digest = hashlib.sha256(contract_document(contract).encode()).hexdigest()
    return run_transition(contract, "send_for_signature", by=by, on=on,
                          note=f"Document SHA-256 {digest}", sha256=digest, at=timezone.now())


def contract_link_token(contract: Contract) -> str:
    return signing.dumps({"c": contract.pk, "h": contract.document_sha256[:HASH_IN_LINK]},
                         salt=LINK_SALT, compress=True)


def contract_link_url(contract: Contract, base_url: str | None = None) -> str:
    base = (base_url or settings.SITE_URL).rstrip("/")
    return base + reverse("contract_flows:sign", args=[contract_link_token(contract)])


def contract_for_link(token: str, *, for_update: bool = False) -> Contract:
    """The contract out for signature that a link names, or `LinkProblem` saying why not."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=timedelta(days=LINK_DAYS))
        pk, digest = data["c"], data["h"]
    except signing.SignatureExpired:
        raise LinkProblem("expired", "This signature link has expired. Please ask us for a new "
                          "one.") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkProblem("invalid", "This link is not valid. Please open the link exactly as it "
                          "is in the email we sent you.", status=400) from None
    contracts = (Contract.objects.select_for_update(of=("self",)) if for_update
                 else Contract.objects)
    contract = contracts.select_related("account").filter(pk=pk).first()
    if contract is None or contract.document_sha256[:HASH_IN_LINK] != digest:
        raise LinkProblem("invalid", "This link is not valid.", status=400)
    if contract.state != ContractState.OUT_FOR_SIGNATURE:
        raise LinkProblem("used", f"Contract {contract} is already signed. Thank you.")
    return contract


@transaction.atomic
def sign(*, contract, by, title: str, consent: bool, user_agent: str = "",
         on: date | None = None) -> Contract:
    """The customer signs: name, title, time, IP, user agent and the document hash they saw."""
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
    note = f"Signed by {actor.name.strip()}, {title.strip()}; SHA-256 {contract.document_sha256}"
    return run_transition(contract, "sign", by=actor, on=on, note=note,
                          name=actor.name.strip(), title=title.strip(), ip=actor.ip,
                          user_agent=user_agent, at=timezone.now())


@transaction.atomic
def countersign(*, contract, by, on: date | None = None) -> Contract:
    """A user with the permission countersigns what the customer signed."""
    actor = as_actor(by)
    contract = contract_for_update(pk=contract.pk)
    return run_transition(contract, "countersign", by=actor, on=on, note="Countersigned",
                          user=actor.user, at=timezone.now())


@transaction.atomic
def activate(*, contract, by, on: date | None = None) -> Contract:
    """Countersigned and on or after its start date: the contract and its lines go live."""
    today = business_date(on)
    contract = contract_for_update(pk=contract.pk)
    if contract.state == ContractState.SIGNED and today < contract.start_on:
        raise ValidationError(f"This contract starts on {contract.start_on:%Y-%m-%d}; it can "
                              f"be activated from then.")
    contract = run_transition(contract, "activate", by=by, on=today, day=today)
    ContractLine.objects.filter(contract=contract, status=LineStatus.PENDING).update(
        status=LineStatus.ACTIVE)
    return contract
