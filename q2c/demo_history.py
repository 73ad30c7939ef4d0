"""Two years of demo history, made the way it happens: day by day through the services.

Reps quote, approvers approve, customers accept, decline or let quotes expire through their
links, contracts are signed, countersigned, ordered, fulfilled and activated, invoice runs bill
them, customers pay (most on time, some late, a few never), renewals and churn follow, and the
accountant recognizes revenue and closes each month through the close checklist.

Each business day is acted out inside `core.clock.replaying` at 10:00 that day, so every
timestamp agrees with its business date; the interpreter's clock is never moved. Customer emails
go nowhere (`make seed` names a dummy mail backend); invoice PDFs are rendered on first download.
Everything is seeded from one random seed, so every machine gets the same demo.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from analytics.services import refresh_snapshots
from billing.models import Invoice, InvoiceState
from billing.services.issuing import issue_invoices
from billing.services.runs import create_invoice_run
from catalog.models import Coupon, Product
from contracts.models import Contract, ContractState
from contracts.services import activate_due_contracts, send_for_signature
from contracts.services.amendments import start_amendment
from contracts.services.links import contract_link_token
from contracts.services.renewals import process_renewals
from contracts.services.termination import terminate_contract
from core import clock
from core.actors import Actor
from core.dates import add_months, month_start
from customers.models import Account, ContactRole
from orders.models import Order, OrderState
from orders.services.fulfilment import fulfil_lines
from orders.services.ordering import release_order
from payments.services.billing_pause import credit_waiting_pauses
from payments.services.cash import Application, record_payment
from payments.services.dunning import run_dunning
from q2c import flows
from quotes.models import Quote, QuoteKind, QuoteState
from quotes.services import (
    LineItem,
    add_lines,
    apply_coupon,
    approve,
    create_quote,
    submit_for_approval,
    update_line,
)
from quotes.services.sending import expire_due_quotes, quote_link_token
from revrec.services.closing import close_period
from revrec.services.contracts import create_revenue_contracts
from revrec.services.recognition import start_recognition_run

DEALS_PER_MONTH = 5
QUOTED_CURRENCIES = ("USD", "EUR", "GBP", "JPY")  # the demo catalog's price books
CUSTOMER_IP = "198.51.100.7"

# What a deal is made of: (SKU, quantity range, discount % choices); the first package sells
# most. Discounts over 20% go to finance under the default approval rules.
PACKAGES = [
    [("PLAT-PRO", (1, 1), (0,)), ("SEAT-USER", (10, 60), (0, 5, 10)),
     ("ONBOARDING", (1, 1), (0,))],
    [("PLAT-STARTER", (1, 1), (0,)), ("SEAT-USER", (5, 20), (0, 5))],
    [("PLAT-ENT", (1, 1), (0, 10)), ("SEAT-USER", (50, 200), (10, 15, 25)),
     ("SUPPORT-PREMIUM", (1, 1), (0,)), ("TRAINING-DAY", (1, 3), (0,))],
]
# Most customers pay monthly; the rest a year ahead. Products sold only one way keep theirs.
PERIODS = (("monthly", 3), ("annual", 1))
BILLED_EITHER_WAY = {"PLAT-PRO", "PLAT-STARTER", "PLAT-ENT", "SEAT-USER"}
# How customers answer a sent quote, in percent: accept, decline, the rest let it expire.
ACCEPT, DECLINE = 65, 15
# Coupons new deals redeem (issue 17): one deal in five applies WELCOME10, and one annual deal
# in three ANNUAL5 besides. A code the catalog does not hold (yet) is skipped, as is one the
# coupon's own rules refuse on that quote (currency, products, limit, stacking).
WELCOME_CODE, WELCOME_IN = "WELCOME10", 5
ANNUAL_CODE, ANNUAL_IN = "ANNUAL5", 3
# Each month, the chance in percent that a customer expands (adds seats) and that one leaves.
EXPANSION, CHURN = 60, 35
# How customers pay an invoice, in percent: on time, late; the rest never pay (overdue).
ON_TIME, LATE = 82, 13


@dataclass
class Cast:
    """The demo people acting in the history."""

    reps: list
    managers: list
    finance: object
    accountant: object
    system: object


class DemoHistory:
    def __init__(self, cast: Cast, *, today: date, months: int, log: Callable[[str], None]):
        self.cast = cast
        self.today = today
        self.months = months
        self.first = add_months(month_start(today), -months)
        self.log = log
        self.rng = random.Random(20241101)
        self.products = {p.sku: p for p in Product.objects.all()}
        self.events: dict[date, list[Callable[[date], None]]] = {}

    # --- the calendar -----------------------------------------------------------------------

    def at(self, day: date, action: Callable[[date], None]) -> None:
        """Plan `action` for `day` (only days up to today happen)."""
        if day <= self.today:
            self.events.setdefault(day, []).append(action)

    def run(self) -> None:
        day = self.first
        while day <= self.today:
            if day.day == 1:
                self.plan_month(day)
            for action in self.events.pop(day, []):
                with clock.replaying(timezone.make_aware(datetime.combine(day, time(10)))):
                    action(day)
            day += timedelta(days=1)
        refresh_snapshots(on=self.today, months=self.months + 1)

    def plan_month(self, first: date) -> None:
        self.at(first, self.start_of_month)
        for deal in range(DEALS_PER_MONTH):
            self.at(first + timedelta(days=2 + deal * 4), self.new_deal)
        for day in (8, 18, 28):
            self.at(first.replace(day=day), self.collect)
        self.at(first.replace(day=15), self.mid_month)
        self.at(first.replace(day=12), self.expand)
        self.at(first.replace(day=20), self.churn)
        previous = add_months(first, -1)
        if previous >= self.first:
            self.at(first + timedelta(days=4), lambda day, month=previous: self.close(month, day))

    # --- the monthly routine ------------------------------------------------------------------

    def start_of_month(self, day: date) -> None:
        system = self.cast.system
        expire_due_quotes(by=system, on=day)
        activate_due_contracts(by=system, on=day)
        create_revenue_contracts(by=system, on=day)
        process_renewals(by=system, on=day)
        self.bill(day)
        self.log(f"{day:%Y-%m}: {Contract.objects.filter(state=ContractState.ACTIVE).count()} "
                 f"active contracts, {Invoice.objects.exclude(number=None).count()} invoices")

    def mid_month(self, day: date) -> None:
        process_renewals(by=self.cast.system, on=day)
        run_dunning(by=self.cast.system, on=day)

    def bill(self, day: date) -> None:
        finance = self.cast.finance
        create_invoice_run(by=finance, as_of=day)
        drafts = list(Invoice.objects.filter(state=InvoiceState.DRAFT).order_by("pk"))
        if drafts:
            issue_invoices(invoices=drafts, by=finance, on=day)
        # the daily task's work: windows whose held charges are invoiced by now are credited
        credit_waiting_pauses(by=Actor.task("credit_blocked_days"), on=day)

    def collect(self, day: date) -> None:
        """Customers pay what their habit says is due by now, each in full."""
        open_invoices = Invoice.objects.filter(
            state__in=[InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID],
            due_on__lte=day + timedelta(days=10)).select_related("account").order_by("pk")
        for invoice in open_invoices:
            pays_on = self.payment_day(invoice)
            if pays_on is None or pays_on > day:
                continue
            record_payment(account=invoice.account, method="bank_transfer",
                           amount=invoice.amount_due, currency=invoice.currency,
                           received_on=day, by=self.cast.finance,
                           reference=f"Payment {invoice.number}",
                           applications=[Application(invoice.pk, invoice.amount_due)])

    @staticmethod
    def payment_day(invoice: Invoice) -> date | None:
        habit = random.Random(invoice.number).randrange(100)
        if habit < ON_TIME:
            return invoice.due_on - timedelta(days=habit % 9)
        if habit < ON_TIME + LATE:
            return invoice.due_on + timedelta(days=20 + habit % 25)
        return None

    def close(self, month: date, day: date) -> None:
        accountant = self.cast.accountant
        start_recognition_run(month=month, by=accountant, on=day)
        try:
            close_period(month=month, by=accountant, on=day,
                         note="Monthly close of the demo history.")
        except ValidationError as error:
            self.log(f"{month:%Y-%m} left open: {'; '.join(error.messages)}")

    # --- expansion and churn --------------------------------------------------------------------

    def live_contract(self, day: date) -> Contract | None:
        """An active contract with more than three months left and no amendment under way."""
        pks = list(Contract.objects.filter(state=ContractState.ACTIVE,
                                           end_on__gt=add_months(day, 3))
                   .exclude(amendments__quote__state__in=[QuoteState.DRAFT, QuoteState.SENT,
                                                          QuoteState.PENDING_APPROVAL,
                                                          QuoteState.APPROVED])
                   .order_by("pk").values_list("pk", flat=True))
        return Contract.objects.get(pk=self.rng.choice(pks)) if pks else None

    def expand(self, day: date) -> None:
        """A customer adds seats from next month: an amendment quote, accepted."""
        contract = self.live_contract(day)
        if contract is None or self.rng.randrange(100) >= EXPANSION:
            return
        amendment = start_amendment(contract=contract, by=contract.owner,
                                    effective_on=add_months(month_start(day), 1), on=day)
        quote = amendment.quote
        seats = quote.lines.filter(product__sku="SEAT-USER").first()
        if seats is None:
            return
        update_line(line=seats, by=contract.owner,
                    quantity=seats.quantity + self.rng.randint(5, 25))
        quote.refresh_from_db()
        submit_for_approval(quote=quote, by=contract.owner, on=day)
        self.approve_and_send(quote.pk, day, answer=0)

    def churn(self, day: date) -> None:
        """Now and then a customer leaves before the end of its term."""
        contract = self.live_contract(day)
        if contract is None or self.rng.randrange(100) >= CHURN:
            return
        terminate_contract(contract=contract, by=self.cast.finance, on=day,
                           effective_on=add_months(month_start(day), 1),
                           reason=self.rng.choice(["The customer went out of business.",
                                                   "The customer moved to a competitor."]))

    # --- a deal, from quote to order ------------------------------------------------------------

    def new_deal(self, day: date) -> None:
        account = self.prospect()
        if account is None:
            return
        owner = account.owner
        contact = account.contacts.filter(role=ContactRole.SIGNER).first()
        start = add_months(month_start(day), 1)
        quote = create_quote(by=owner, account=account, contact=contact, start_on=start,
                             term_months=self.rng.choice((12, 12, 24)),
                             expires_on=day + timedelta(days=30), on=day)
        items = self.package()
        add_lines(quote=quote, by=owner, items=items)
        for code in self.coupon_codes(annual=any(i.billing_period == "annual" for i in items)):
            redeem_if_known(quote, code, by=owner, on=day)
        submit_for_approval(quote=quote, by=owner, on=day)  # coupons count toward approval
        self.at(day + timedelta(days=1), lambda d, q=quote.pk: self.approve_and_send(q, d))

    def prospect(self) -> Account | None:
        """An account with no contract yet and no open quote."""
        busy = Quote.objects.filter(state__in=[QuoteState.DRAFT, QuoteState.PENDING_APPROVAL,
                                               QuoteState.APPROVED, QuoteState.SENT])
        candidates = list(Account.objects.filter(currency__in=QUOTED_CURRENCIES)
                          .exclude(contracts__isnull=False).exclude(quotes__in=busy)
                          .order_by("pk").values_list("pk", flat=True))
        if not candidates:
            return None
        return Account.objects.select_related("owner").get(pk=self.rng.choice(candidates))

    def package(self) -> list[LineItem]:
        lines = self.rng.choices(PACKAGES, weights=(6, 3, 2))[0]
        period = self.rng.choices([p for p, _ in PERIODS], weights=[w for _, w in PERIODS])[0]
        return [LineItem(product=self.products[sku],
                         quantity=Decimal(self.rng.randint(*quantities)),
                         discount_percent=Decimal(self.rng.choice(discounts)),
                         billing_period=period if sku in BILLED_EITHER_WAY else None)
                for sku, quantities, discounts in lines]

    def coupon_codes(self, *, annual: bool) -> list[str]:
        """The codes a new deal applies: two draws every deal, so the seeded sequence (and the
        rest of the history) does not depend on which deals are annual."""
        welcome, yearly = self.rng.randrange(WELCOME_IN), self.rng.randrange(ANNUAL_IN)
        return ([WELCOME_CODE] if welcome == 0 else []) + (
            [ANNUAL_CODE] if annual and yearly == 0 else [])

    def approve_and_send(self, quote_pk: int, day: date, answer: int | None = None) -> None:
        quote = Quote.objects.get(pk=quote_pk)
        for approver in [*self.cast.managers, self.cast.finance]:
            if quote.state != QuoteState.PENDING_APPROVAL:
                break
            try:
                quote = approve(quote=quote, by=approver, comment="Within this deal's margin.",
                                on=day)
            except (PermissionDenied, ValidationError):
                continue
        if quote.state != QuoteState.APPROVED:
            return
        flows.send_quote_flow(quote=quote, by=quote.owner, on=day)
        answer = self.rng.randrange(100) if answer is None else answer
        if answer < ACCEPT:
            self.at(day + timedelta(days=self.rng.randint(2, 9)),
                    lambda d, q=quote_pk: self.accept(q, d))
        elif answer < ACCEPT + DECLINE:
            self.at(day + timedelta(days=self.rng.randint(3, 12)),
                    lambda d, q=quote_pk: self.decline(q, d))

    def accept(self, quote_pk: int, day: date) -> None:
        quote = Quote.objects.select_related("contact").get(pk=quote_pk)
        flows.accept_quote_flow(token=quote_link_token(quote), signer_name=quote.contact.name,
                                signer_title="Head of Operations", consent=True,
                                ip=CUSTOMER_IP, user_agent="Demo browser", on=day)
        if quote.kind == QuoteKind.AMENDMENT:  # the contract is amended and its order placed
            contract_pk = quote.amendment.contract_id
            self.at(day + timedelta(days=3), lambda d, c=contract_pk: self.fulfil(c, d))
            return
        contract = Contract.objects.get(quote=quote)
        send_for_signature(contract=contract, by=quote.owner, on=day)
        self.at(day + timedelta(days=2), lambda d, c=contract.pk: self.sign(c, d))

    def decline(self, quote_pk: int, day: date) -> None:
        quote = Quote.objects.get(pk=quote_pk)
        flows.decline_quote_flow(token=quote_link_token(quote), ip=CUSTOMER_IP, on=day,
                                 reason=self.rng.choice(["Budget moved to next year.",
                                                         "Chose another vendor.",
                                                         "Price too high for the seats."]))

    def sign(self, contract_pk: int, day: date) -> None:
        contract = Contract.objects.select_related("quote__contact").get(pk=contract_pk)
        flows.sign_contract_flow(token=contract_link_token(contract),
                                 signer_name=contract.quote.contact.name,
                                 signer_title="Head of Operations", consent=True,
                                 ip=CUSTOMER_IP, user_agent="Demo browser", on=day)
        flows.countersign_contract_flow(contract=contract, by=self.cast.finance, on=day)
        self.at(day + timedelta(days=self.rng.randint(3, 10)),
                lambda d, c=contract_pk: self.fulfil(c, d))

    def fulfil(self, contract_pk: int, day: date) -> None:
        for order in Order.objects.filter(contract_id=contract_pk).order_by("pk"):
            if order.state == OrderState.ON_CREDIT_HOLD:
                order = release_order(order=order, by=self.cast.finance, on=day,
                                      note="Payment history checked; released.")
            if order.state in (OrderState.APPROVED, OrderState.PARTIALLY_FULFILLED):
                fulfil_lines(order=order, by=self.cast.finance, on=day,
                             note="Provisioned for the customer.")


def redeem_if_known(quote: Quote, code: str, *, by, on: date) -> bool:
    """Apply `code` to the draft when the catalog holds it and its rules allow it here; else
    leave the quote as it is (the demo runs on catalogs without the demo coupons)."""
    if not Coupon.objects.filter(code=code, active=True).exists():
        return False
    try:
        apply_coupon(quote=quote, code=code, by=by, on=on)
    except ValidationError:
        return False
    return True
