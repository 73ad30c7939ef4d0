"""Orders over the API, read only, with their lines (orders are made and moved by flows and
finance's pages)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers

from core.api.filters import UPDATED_SINCE, updated_since
from core.api.viewsets import ApiViewSet
from orders.models import Order, OrderLine
from orders.selectors import orders_visible_to


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["id", "position", "contract_line", "product", "description", "kind",
                  "quantity", "fulfilled_quantity", "fulfilled_on", "first_year_value"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = ["id", "number", "account", "contract", "kind", "currency", "state",
                  "first_year_value", "credit_checked_at", "credit_open_receivable",
                  "credit_limit", "fulfilled_on", "created_at", "updated_at", "lines"]
        read_only_fields = fields


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """The orders of the accounts the user may see."""

    queryset = Order.objects.none()
    serializer_class = OrderSerializer

    def get_queryset(self):
        orders = orders_visible_to(self.request.user).prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("position", "pk")))
        return updated_since(orders, self.request)

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
