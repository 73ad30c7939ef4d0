"""The questions about orders: which a user may see, one order for its page, the credit hold
queue, and the fulfilment facts later stages read set-based from contract lines.

Visibility follows the account: a rep sees the orders of the accounts they own, a manager their
team's too, finance, accountants and the system user every order (`core.visibility`).
"""

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from core.visibility import visible_to
from orders.models import Fulfilment, Order, OrderLine, OrderState

VIEW = "orders.view_order"
VIEW_TEAM = "orders.view_team_orders"
VIEW_ALL = "orders.view_all_orders"


def orders_visible_to(user) -> QuerySet[Order]:
    """Rep: their accounts' orders; manager: and their team's; finance, accountants: all."""
    orders = Order.objects.select_related("account", "contract")
    return visible_to(orders, user, view=VIEW, view_team=VIEW_TEAM, view_all=VIEW_ALL,
                      owner="account__owner")


def search_orders(orders: QuerySet[Order], text: str) -> QuerySet[Order]:
    text = text.strip()
    if not text:
        return orders
    return orders.filter(Q(number__icontains=text) | Q(account__name__icontains=text)
                         | Q(contract__number__icontains=text))


def credit_hold_queue(user) -> QuerySet[Order]:
    """Orders waiting for finance on credit hold, oldest first."""
    return orders_visible_to(user).filter(state=OrderState.ON_CREDIT_HOLD).order_by(
        "created_at", "pk")


def order_for_detail(*, pk, user) -> Order:
    """The order if the user may see it, else 404."""
    return get_object_or_404(orders_visible_to(user), pk=pk)


def order_for_update(*, pk) -> Order:
    """Lock the order row for the caller's transaction."""
    return Order.objects.select_for_update().get(pk=pk)


def lines_of(order: Order) -> QuerySet[OrderLine]:
    return order.lines.select_related("product", "contract_line").order_by("position", "pk")


def lines_for_update(order: Order) -> list[OrderLine]:
    """The order's lines, locked in pk order."""
    return list(OrderLine.objects.select_for_update().filter(order=order).order_by("pk"))


def fulfilments_of(order: Order) -> QuerySet[Fulfilment]:
    return Fulfilment.objects.filter(line__order=order).select_related("line", "by").order_by(
        "fulfilled_on", "pk")


def fulfilled_on_of_contract_line() -> Subquery:
    """For `ContractLine.objects.annotate(fulfilled_on=fulfilled_on_of_contract_line())`: the
    earliest day one of the contract line's order lines became fully fulfilled, else None."""
    return Subquery(
        OrderLine.objects.filter(contract_line=OuterRef("pk"), fulfilled_on__isnull=False)
        .order_by("fulfilled_on").values("fulfilled_on")[:1]
    )


def has_order_line_of_contract_line() -> Exists:
    """For annotating contract lines: True when any order (even a cancelled one) carries the
    line, so the line waits for fulfilment; False for lines never ordered (imported contracts)."""
    return Exists(OrderLine.objects.filter(contract_line=OuterRef("pk")))


def ordered_contract_line_ids(contract_line_ids) -> set[int]:
    """Which of these contract lines are already on an order that is not cancelled."""
    return set(OrderLine.objects.filter(contract_line_id__in=list(contract_line_ids))
               .exclude(order__state=OrderState.CANCELLED)
               .values_list("contract_line_id", flat=True))
