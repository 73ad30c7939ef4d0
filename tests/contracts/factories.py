"""Contracts built the way they are in life: a quote is created, priced, approved, sent and
accepted through the customer's link (`q2c.flows.accept_quote_flow`), which drafts the contract;
later states go through the contract services."""

from datetime import date
from decimal import Decimal

from catalog.demo import seed_catalog
from catalog.models import Product
from contracts import services
from contracts.models import Contract
from core.actors import Actor
from q2c import flows
from quotes import services as quote_services
from quotes.services.sending import quote_link_token
from tests.customers.factories import AccountFactory, ContactFactory

ON = date(2026, 11, 23)  # the business date everything happens on
START = date(2026, 12, 1)  # the contracts' start date, after ON
CUSTOMER = Actor.customer(name="Ada Buyer", ip="203.0.113.9")


def _product(sku: str) -> Product:
    return Product.objects.get(sku=sku)


def sent_quote(owner, *, seat_lines: int = 1, start_on: date = START, coupons=(),
               billing_period: str = "monthly", extra=()):
    """A sent USD quote for `owner`: `seat_lines` seat lines (monthly unless told) at 15% off
    plus onboarding and the `extra` line items, with the `coupons` codes applied."""
    seed_catalog()  # idempotent
    account = AccountFactory(owner=owner, name=f"Acme of {owner.username}", currency="USD")
    contact = ContactFactory(account=account, name="Ada Buyer", email="buyer@acme.example")
    quote = quote_services.create_quote(by=owner, account=account, contact=contact,
                                        start_on=start_on, term_months=12,
                                        expires_on=date(2026, 12, 31), on=ON)
    quote_services.add_lines(quote=quote, by=owner, items=[
        *[quote_services.LineItem(product=_product("SEAT-USER"), quantity=Decimal(5 + n),
                                  discount_percent=Decimal(15), billing_period=billing_period)
          for n in range(seat_lines)],
        quote_services.LineItem(product=_product("ONBOARDING")),
        *extra,
    ])
    for code in coupons:
        quote_services.apply_coupon(quote=quote, code=code, by=owner, on=ON)
    quote_services.submit_for_approval(quote=quote, by=owner, on=ON)
    quote_services.send_quote(quote=quote, by=owner, on=ON)
    quote.refresh_from_db()
    return quote


def accepted_quote(owner, **kwargs):
    """The sent quote accepted through its link, which drafted its contract."""
    quote = sent_quote(owner, **kwargs)
    return flows.accept_quote_flow(token=quote_link_token(quote), signer_name="Ada Buyer",
                                   signer_title="CFO", consent=True, ip="203.0.113.9",
                                   user_agent="pytest", on=ON)


def draft_contract(owner, **kwargs) -> Contract:
    return Contract.objects.get(quote=accepted_quote(owner, **kwargs))


def out_for_signature(owner, **kwargs) -> Contract:
    return services.send_for_signature(contract=draft_contract(owner, **kwargs), by=owner, on=ON)


def signed_contract(owner, **kwargs) -> Contract:
    contract = out_for_signature(owner, **kwargs)
    return services.sign(contract=contract, by=CUSTOMER, title="CFO", consent=True,
                         user_agent="pytest", on=ON)


def countersigned_contract(owner, *, by, **kwargs) -> Contract:
    return services.countersign(contract=signed_contract(owner, **kwargs), by=by, on=ON)


def active_contract(owner, *, by, **kwargs) -> Contract:
    contract = countersigned_contract(owner, by=by, **kwargs)
    return services.activate(contract=contract, by=by, on=START)
