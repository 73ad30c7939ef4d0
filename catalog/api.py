"""The catalog over the API, read only: products and price books with their entries and tiers
(the catalog is kept in admin by catalog admins)."""

from django.db.models import Prefetch
from rest_framework import mixins, serializers

from catalog.models import PriceBook, PriceBookEntry, PriceTier, Product
from catalog.selectors import products_visible_to
from core.api.permissions import HasPerms
from core.api.viewsets import ApiViewSet


class ProductSerializer(serializers.ModelSerializer):
    tax_category = serializers.CharField(source="tax_category.code", read_only=True,
                                         allow_null=True, default=None)

    class Meta:
        model = Product
        fields = ["id", "sku", "name", "description", "family", "kind", "unit_of_measure",
                  "active", "is_bundle", "tax_category", "revenue_rule", "updated_at"]
        read_only_fields = fields


class PriceTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = PriceTier
        fields = ["from_quantity", "up_to", "unit_amount", "flat_amount", "block_size"]
        read_only_fields = fields


class PriceBookEntrySerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)
    tiers = PriceTierSerializer(many=True, read_only=True)

    class Meta:
        model = PriceBookEntry
        fields = ["id", "product", "sku", "billing_period", "price_model", "unit_amount",
                  "package_size", "minimum_packages", "included_units", "minimum_amount",
                  "maximum_amount", "charge_at_zero", "percent", "percent_of_kind",
                  "percent_of_family", "fixed_fee", "free_transactions", "transaction_minimum",
                  "transaction_maximum", "active", "tiers"]
        read_only_fields = fields


class PriceBookSerializer(serializers.ModelSerializer):
    entries = PriceBookEntrySerializer(many=True, read_only=True)

    class Meta:
        model = PriceBook
        fields = ["id", "name", "currency", "effective_from", "effective_to",
                  "prices_include_tax", "rounding_mode", "tax_rounding", "cash_rounding_step",
                  "is_standard", "active", "description", "entries"]
        read_only_fields = fields


class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Products the user may quote (catalog admins see retired ones too)."""

    queryset = Product.objects.none()
    serializer_class = ProductSerializer

    def get_queryset(self):
        return products_visible_to(self.request.user)


class PriceBookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Price books with every entry and tier (three queries for a page of books)."""

    queryset = PriceBook.objects.none()
    serializer_class = PriceBookSerializer
    permission_classes = [HasPerms]
    required_perms = ["catalog.view_pricebook", "catalog.view_pricebookentry"]

    def get_queryset(self):
        entries = (PriceBookEntry.objects.select_related("product").order_by(
            "product__sku", "billing_period").prefetch_related(
            Prefetch("tiers", queryset=PriceTier.objects.order_by("from_quantity"))))
        return PriceBook.objects.prefetch_related(Prefetch("entries", queryset=entries))
