"""The questions about contracts: which a user may see, one contract for its page, its lines.

`contracts_visible_to` is the one visibility rule (the quotes' team rule): list, detail and every
service that changes a contract for a user go through it.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import BooleanField, Case, IntegerField, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from contracts.models import (
    Amendment,
    Contract,
    ContractCoupon,
    ContractLine,
    LineStatus,
    Renewal,
    ScheduledCharge,
    Termination,
)
from core.money import round_money
from core.visibility import visible_to
from customers.models import Contact, ContactRole

VIEW = "contracts.view_contract"
VIEW_TEAM = "contracts.view_team_contracts"
VIEW_ALL = "contracts.view_all_contracts"




def contracts_visible_to(user) -> QuerySet[Contract]:
    """Rep: owned; manager: own and the team's; finance, accountants, system: all; else none."""
    contracts = Contract.objects.select_related("account", "owner", "quote", "payment_terms",
                                                "countersigned_by", "renews")
    return visible_to(contracts, user, view=VIEW, view_team=VIEW_TEAM, view_all=VIEW_ALL)


def search_contracts(contracts: QuerySet[Contract], text: str) -> QuerySet[Contract]:
    text = text.strip()
    if not text:
        return contracts
    return contracts.filter(Q(number__icontains=text) | Q(account__name__icontains=text)
                            | Q(quote__number__icontains=text)
                            | Q(external_reference__icontains=text))


def contract_for_detail(*, pk, user) -> Contract:
    """The contract if the user may see it, else 404."""
    return get_object_or_404(contracts_visible_to(user), pk=pk)


def contract_for_update(*, pk) -> Contract:
    """Lock the contract row for the caller's transaction."""
    return Contract.objects.select_for_update().get(pk=pk)


def lines_of(contract: Contract) -> QuerySet[ContractLine]:
    """Every line, the ones in force first, then by position and start (history readable)."""
    live = Case(When(status=LineStatus.ENDED, then=Value(1)), default=Value(0),
                output_field=IntegerField())
    return (contract.lines.select_related("product", "replaces")
            .annotate(ended_last=live).order_by("ended_last", "position", "start_on", "pk"))


def lines_in_force(contract: Contract, on: date) -> QuerySet[ContractLine]:
    """Lines that are not ended and run on `on` (what an amendment or termination changes)."""
    return (contract.lines.select_related("product")
            .exclude(status=LineStatus.ENDED).filter(start_on__lte=on, end_on__gte=on)
            .order_by("position", "pk"))


def signer_contact(contract: Contract) -> Contact | None:
    """Who signs: the quote's contact, else the account's signer, else any contact with an
    email address."""
    if contract.quote_id and contract.quote.contact_id and contract.quote.contact.email:
        return contract.quote.contact
    contacts = Contact.objects.filter(account_id=contract.account_id).exclude(email="")
    signer = Case(When(role=ContactRole.SIGNER, then=Value(0)), default=Value(1),
                  output_field=IntegerField())
    return contacts.annotate(signer_first=signer).order_by("signer_first", "pk").first()


def amendments_of(contract: Contract) -> QuerySet[Amendment]:
    return contract.amendments.select_related("quote", "created_by").order_by("-created_at",
                                                                             "-pk")


def amendment_for_detail(*, pk, user) -> Amendment:
    """The amendment if the user may see its contract, else 404."""
    return get_object_or_404(
        Amendment.objects.select_related("contract", "contract__account", "quote",
                                         "created_by")
        .filter(contract__in=contracts_visible_to(user)), pk=pk)


def renewal_of(contract: Contract) -> Renewal | None:
    """The renewal quote made for the contract, if any."""
    return Renewal.objects.filter(contract=contract).select_related("quote").first()


def renewal_contract_of(contract: Contract) -> Contract | None:
    """The contract that renews this one, if any."""
    return Contract.objects.filter(renews=contract).first()


def termination_of(contract: Contract) -> Termination | None:
    return Termination.objects.filter(contract=contract).select_related("created_by").first()


def _with_billed(rows: QuerySet[ScheduledCharge]) -> QuerySet[ScheduledCharge]:
    """Rows with `billed`: an invoice holds them (billing's record points at the row)."""
    billed = Case(When(billing_record__isnull=False, then=Value(True)), default=Value(False),
                  output_field=BooleanField())
    return rows.select_related("line__product").annotate(billed=billed)


def charge_schedule_of(contract: Contract) -> QuerySet[ScheduledCharge]:
    """The contract's charges in force (what it bills and is recognized from), by due date."""
    return _with_billed(ScheduledCharge.objects.filter(line__contract=contract,
                                                       ended_by__isnull=True)
                        .order_by("due_on", "line__position", "period_start", "pk"))


def rows_of_change(change) -> QuerySet[ScheduledCharge]:
    """The rows one change (an amendment, a termination) added."""
    return _with_billed(change.rows.order_by("line__position", "period_start", "pk"))




@dataclass(frozen=True)
class UpcomingInvoice:
    due_on: date
    currency: str
    charges: list  # the rows due that day
    total: Decimal  # usage rows add what is used


def upcoming_charges(account, *, contracts: QuerySet[Contract], on: date,
                     dates: int = 4) -> list[UpcomingInvoice]:
    """The account's next charges from its contracts' schedules (those `contracts` the user may
    see), grouped by the day they fall due: what its next invoices will carry (two queries)."""
    rows = _with_billed(ScheduledCharge.objects.filter(
        line__contract__in=contracts.filter(account=account), ended_by__isnull=True,
        billing_record__isnull=True, due_on__gte=on))
    days = list(rows.order_by("due_on").values_list("due_on", flat=True).distinct()[:dates])
    grouped: dict[tuple[date, str], list] = {}
    for row in rows.filter(due_on__in=days).order_by("due_on", "line__contract_id",
                                                      "line__position", "pk"):
        grouped.setdefault((row.due_on, row.currency), []).append(row)
    return [UpcomingInvoice(day, currency, charges,
                            round_money(sum((r.amount for r in charges), Decimal(0)), currency))
            for (day, currency), charges in grouped.items()]


def coupons_carried_on(contract):
    """The coupons running on the contract that its own quote did not redeem: an amendment's,
    or carried from the term it renews (one query)."""
    carried = ContractCoupon.objects.filter(contract=contract).select_related(
        "coupon", "amendment")
    if contract.quote_id:
        carried = carried.exclude(redemption__quote_id=contract.quote_id)
    return carried.order_by("position", "pk")
