"""Orders built the way they are in life: a contract accepted through the quote link, signed
and countersigned through the contract services, then ordered through the orders service."""

from decimal import Decimal

from djmoney.money import Money

from orders import services
from orders.models import Order
from tests.contracts.factories import ON, countersigned_contract

__all__ = ["ON", "contract_for", "order_for", "set_credit"]


def set_credit(account, *, limit, overdue: bool = False) -> None:
    """Limits and the overdue flag are kept by customers and later stages; tests set them."""
    account.credit_limit = Money(Decimal(limit), account.currency)
    account.is_overdue = overdue
    account.overdue_since = ON if overdue else None
    account.save(update_fields=["credit_limit", "is_overdue", "overdue_since"])


def contract_for(owner, *, finance, limit="0", overdue: bool = False, **kwargs):
    """A countersigned contract of `owner`'s new account, whose credit is set as given."""
    contract = countersigned_contract(owner, by=finance, **kwargs)
    set_credit(contract.account, limit=limit, overdue=overdue)
    return contract


def order_for(owner, *, finance, limit="0", overdue: bool = False, **kwargs) -> Order:
    """The order of a countersigned contract, created and submitted by finance on ON."""
    contract = contract_for(owner, finance=finance, limit=limit, overdue=overdue, **kwargs)
    return services.create_order_from_contract(contract=contract, by=finance, on=ON)
