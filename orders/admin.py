"""Admin shows orders read-only: they change only through the order services."""

from django.contrib import admin

from core.admin import ReadOnlyMixin
from orders.models import Fulfilment, Order, OrderLine


class OrderLineInline(ReadOnlyMixin, admin.TabularInline):
    model = OrderLine
    fields = ["position", "product", "kind", "quantity", "fulfilled_quantity", "fulfilled_on",
              "first_year_value", "contract_line"]
    readonly_fields = fields
    extra = 0


@admin.register(Order)
class OrderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "account", "contract", "kind", "state", "currency",
                    "first_year_value", "created_at"]
    list_filter = ["state", "kind", "currency"]
    list_select_related = ["account", "contract"]
    search_fields = ["number", "account__name", "contract__number"]
    readonly_fields = ["credit_hold_reason"]
    inlines = [OrderLineInline]


@admin.register(Fulfilment)
class FulfilmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["line", "quantity", "fulfilled_on", "by_name", "created_at"]
    list_select_related = ["line__order"]
    search_fields = ["line__order__number"]
    date_hierarchy = "fulfilled_on"
