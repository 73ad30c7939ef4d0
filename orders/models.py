"""Orders: what a signed contract (or an amendment) asks us to provision or deliver. The life of
an order:

draft → submitted → approved | on_credit_hold; on_credit_hold → approved (finance releases) |
cancelled; approved → partially_fulfilled → fulfilled → closed; draft, submitted, on_credit_hold
and approved (nothing fulfilled yet) → cancelled.

Submitting runs the credit check at once (`orders.services.submit_order`): it passes
(`pass_credit_check`) or puts the order on hold with the reason (`hold`). Fulfilment is recorded
per line (`Fulfilment` rows); a line's `fulfilled_on` is the day it became fully fulfilled, the
date billing and point-in-time revenue recognition read.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from core.fields import TimestampField

AMOUNT = {"max_digits": 19, "decimal_places": 4, "default": Decimal("0")}
QUANTITY = {"max_digits": 19, "decimal_places": 4, "validators": [MinValueValidator(0)]}


class OrderState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    ON_CREDIT_HOLD = "on_credit_hold", "On credit hold"
    APPROVED = "approved", "Approved"
    PARTIALLY_FULFILLED = "partially_fulfilled", "Partially fulfilled"
    FULFILLED = "fulfilled", "Fulfilled"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class OrderKind(models.TextChoices):
    NEW = "new", "New"
    AMENDMENT = "amendment", "Amendment"


class Order(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    number = models.CharField(max_length=20, unique=True, help_text="O-YYYY-NNNNN")
    account = models.ForeignKey("customers.Account", on_delete=models.PROTECT,
                                related_name="orders")
    contract = models.ForeignKey("contracts.Contract", on_delete=models.PROTECT,
                                 related_name="orders")
    kind = models.CharField(max_length=16, choices=OrderKind.choices, default=OrderKind.NEW)
    currency = models.CharField(max_length=3)
    first_year_value = models.DecimalField(
        **AMOUNT, help_text="What the lines bill in their first twelve months (the credit "
                            "check's exposure).")
    state = FSMField(default=OrderState.DRAFT, choices=OrderState.choices, protected=True)

    # The last credit check: the figures it compared, so the page explains the decision.
    credit_checked_at = models.DateTimeField(null=True, blank=True)
    credit_open_receivable = models.DecimalField(
        **AMOUNT, help_text="The account's open receivable in its currency at the check.")
    credit_limit = models.DecimalField(**AMOUNT, help_text="The account's limit at the check "
                                                           "(0: no limit set).")
    credit_hold_reason = models.TextField(blank=True)

    fulfilled_on = models.DateField(null=True, blank=True,
                                    help_text="The day the last line was fully fulfilled.")
    created_at = TimestampField(auto_now_add=True)
    updated_at = TimestampField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "created_at"]),
                   models.Index(fields=["account", "state"])]
        permissions = [
            ("view_team_orders", "Can view the orders of the team's accounts"),
            ("view_all_orders", "Can view every order"),
            ("submit_order", "Can submit an order (runs the credit check)"),
            ("release_order", "Can release an order from credit hold"),
            ("cancel_order", "Can cancel an order before fulfilment"),
            ("fulfil_order", "Can mark order lines fulfilled"),
            ("close_order", "Can close a fulfilled order"),
        ]

    def __str__(self):
        return self.number

    @property
    def exposure(self):
        """Open receivable plus this order's first-year value, as the last check saw it."""
        return self.credit_open_receivable + self.first_year_value

    @transition(field=state, source=OrderState.DRAFT, target=OrderState.SUBMITTED,
                permission="orders.submit_order")
    def submit(self):
        pass

    @transition(field=state, source=OrderState.SUBMITTED, target=OrderState.APPROVED,
                permission="orders.submit_order")
    def pass_credit_check(self):
        self.credit_hold_reason = ""

    @transition(field=state, source=OrderState.SUBMITTED, target=OrderState.ON_CREDIT_HOLD,
                permission="orders.submit_order")
    def hold(self, *, reason: str):
        self.credit_hold_reason = reason

    @transition(field=state, source=OrderState.ON_CREDIT_HOLD, target=OrderState.APPROVED,
                permission="orders.release_order")
    def release(self):
        pass  # the hold reason stays: the page shows what finance released

    @transition(field=state, source=[OrderState.DRAFT, OrderState.SUBMITTED,
                                     OrderState.ON_CREDIT_HOLD, OrderState.APPROVED],
                target=OrderState.CANCELLED, permission="orders.cancel_order")
    def cancel(self):
        pass

    @transition(field=state, source=[OrderState.APPROVED, OrderState.PARTIALLY_FULFILLED],
                target=OrderState.PARTIALLY_FULFILLED, permission="orders.fulfil_order")
    def fulfil_partially(self):
        pass

    @transition(field=state, source=[OrderState.APPROVED, OrderState.PARTIALLY_FULFILLED],
                target=OrderState.FULFILLED, permission="orders.fulfil_order")
    def fulfil(self, *, day):
        self.fulfilled_on = day

    @transition(field=state, source=OrderState.FULFILLED, target=OrderState.CLOSED,
                permission="orders.close_order")
    def close(self):
        pass


class LineKind(models.TextChoices):
    SUBSCRIPTION = "subscription", "Provision subscription"
    DELIVERY = "delivery", "Deliver once"


class OrderLine(models.Model):
    """One contract line to provision (a recurring line) or deliver (a one-time line)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    contract_line = models.ForeignKey("contracts.ContractLine", on_delete=models.PROTECT,
                                      related_name="order_lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=16, choices=LineKind.choices)
    quantity = models.DecimalField(**QUANTITY)
    fulfilled_quantity = models.DecimalField(**QUANTITY, default=Decimal("0"))
    fulfilled_on = models.DateField(
        null=True, blank=True, help_text="The day the line became fully fulfilled: billing "
                                         "and revenue recognition start from it.")
    first_year_value = models.DecimalField(**AMOUNT)

    class Meta:
        ordering = ["order", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"],
                                    name="orderline_unique_position"),
            models.UniqueConstraint(fields=["order", "contract_line"],
                                    name="orderline_one_per_contract_line"),
            models.CheckConstraint(
                condition=models.Q(fulfilled_quantity__gte=0,
                                   fulfilled_quantity__lte=models.F("quantity")),
                name="orderline_fulfilled_within_quantity"),
            models.CheckConstraint(
                condition=(models.Q(fulfilled_on__isnull=True)
                           | models.Q(fulfilled_quantity=models.F("quantity"))),
                name="orderline_fulfilled_on_only_when_complete"),
        ]
        indexes = [models.Index(fields=["contract_line", "fulfilled_on"])]

    def __str__(self):
        return f"{self.order} #{self.position} {self.product_id} × {self.quantity}"

    @property
    def open_quantity(self) -> Decimal:
        return self.quantity - self.fulfilled_quantity

    @property
    def is_fulfilled(self) -> bool:
        return self.fulfilled_on is not None


class Fulfilment(models.Model):
    """One delivery against an order line: how many, on which day, by whom."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="fulfilments")
    quantity = models.DecimalField(max_digits=19, decimal_places=4)
    fulfilled_on = models.DateField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.PROTECT, related_name="+")
    by_name = models.CharField(max_length=200)
    note = models.CharField(max_length=255, blank=True)
    created_at = TimestampField(auto_now_add=True)

    class Meta:
        ordering = ["line", "fulfilled_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0),
                                              name="fulfilment_quantity_positive")]

    def __str__(self):
        return f"{self.line}: {self.quantity} on {self.fulfilled_on}"
