"""Quotes over the API: read with lines and totals; create with lines, add lines, price and
submit, each through the quote services with the same permissions and transitions as the
quote builder's pages. Sending is a q2c flow (an amendment quote goes out as the contract's
amendment document), so its action is q2c's (`q2c.api.QuoteViewSet`)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from catalog.models import BillingPeriod, PriceBook, Product
from core.api.filters import UPDATED_SINCE, parsed, updated_since
from core.api.viewsets import ApiViewSet
from core.external_ids import set_external_id, with_external_ids
from customers.models import Account, Contact, PaymentTerms
from quotes import services
from quotes.models import Quote, QuoteCoupon, QuoteLine
from quotes.selectors import quotes_visible_to


class QuoteLineSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku", read_only=True)

    class Meta:
        model = QuoteLine
        fields = ["id", "position", "product", "sku", "parent", "description", "quantity",
                  "billing_period", "discount_percent", "discount_per_period", "included",
                  "list_unit_price", "list_per_period", "amount_per_period", "list_amount",
                  "discount_amount", "net_amount", "tax_amount"]
        read_only_fields = fields


class QuoteCouponSerializer(serializers.Serializer):
    """A coupon on the quote, in the order coupons apply."""

    code = serializers.CharField(source="coupon.code")
    name = serializers.CharField(source="coupon.name")
    discount_amount = serializers.DecimalField(max_digits=19, decimal_places=4,
                                               help_text="What it takes off over the term.")


class QuoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    number = serializers.CharField()
    version = serializers.IntegerField()
    kind = serializers.CharField()
    state = serializers.CharField()
    account = serializers.IntegerField(source="account_id")
    contact = serializers.IntegerField(source="contact_id", allow_null=True)
    owner = serializers.CharField(source="owner.username")
    currency = serializers.CharField()
    price_book = serializers.IntegerField(source="price_book_id")
    payment_terms = serializers.CharField(source="payment_terms.code")
    start_on = serializers.DateField()
    starts_at = serializers.DateTimeField(
        allow_null=True, help_text="The moment service starts on the start day (prices counted "
                                   "by the second charge their first period from it).")
    term_months = serializers.IntegerField()
    expires_on = serializers.DateField()
    customer_notes = serializers.CharField()
    internal_notes = serializers.CharField()
    list_total = serializers.DecimalField(max_digits=19, decimal_places=4)
    discount_total = serializers.DecimalField(max_digits=19, decimal_places=4)
    one_time_total = serializers.DecimalField(max_digits=19, decimal_places=4)
    recurring_monthly = serializers.DecimalField(max_digits=19, decimal_places=4)
    annual_contract_value = serializers.DecimalField(max_digits=19, decimal_places=4)
    total_contract_value = serializers.DecimalField(max_digits=19, decimal_places=4)
    tax_estimate = serializers.DecimalField(max_digits=19, decimal_places=4)
    coupon_total = serializers.DecimalField(
        max_digits=19, decimal_places=4,
        help_text="What the coupons take off over the term (the total contract value is net "
                  "of it).")
    coupons = QuoteCouponSerializer(many=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    sent_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    lines = QuoteLineSerializer(many=True)


class LineInputSerializer(serializers.Serializer):
    product = serializers.SlugRelatedField(slug_field="sku", queryset=Product.objects.all(),
                                           help_text="The product's SKU.")
    quantity = serializers.DecimalField(max_digits=19, decimal_places=4, default=Decimal(1))
    discount_percent = serializers.DecimalField(max_digits=7, decimal_places=4,
                                                default=Decimal(0))
    discount_per_period = serializers.DecimalField(max_digits=19, decimal_places=4,
                                                   default=Decimal(0))
    billing_period = serializers.ChoiceField(choices=BillingPeriod.choices, required=False)
    options = serializers.DictField(child=serializers.DecimalField(max_digits=12,
                                                                   decimal_places=2),
                                    required=False, help_text="Option SKU → quantity.")


class LineChangeSerializer(serializers.Serializer):
    """What changes on a draft line (fields left out stay as they are)."""

    quantity = serializers.DecimalField(max_digits=19, decimal_places=4, required=False)
    discount_percent = serializers.DecimalField(max_digits=7, decimal_places=4, required=False)
    discount_per_period = serializers.DecimalField(max_digits=19, decimal_places=4,
                                                   required=False)


class LinesInputSerializer(serializers.Serializer):
    lines = LineInputSerializer(many=True, allow_empty=False)


class QuoteCreateSerializer(serializers.Serializer):
    external_id = serializers.CharField(required=False, max_length=255)
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all())
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False,
                                                 allow_null=True)
    start_on = serializers.DateField(required=False)
    starts_at = serializers.DateTimeField(
        required=False, help_text="The moment service starts, on the start day in the "
                                  "account's time zone (give its offset).")
    term_months = serializers.IntegerField(required=False, min_value=1, max_value=600)
    expires_on = serializers.DateField(required=False)
    price_book = serializers.PrimaryKeyRelatedField(queryset=PriceBook.objects.all(),
                                                    required=False)
    payment_terms = serializers.SlugRelatedField(slug_field="code", required=False,
                                                 queryset=PaymentTerms.objects.all())
    customer_notes = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)
    lines = LineInputSerializer(many=True, required=False)


def _items(lines: list[dict]) -> list[services.LineItem]:
    return [services.LineItem(product=line["product"], quantity=line["quantity"],
                              options=line.get("options"),
                              discount_percent=line["discount_percent"],
                              discount_per_period=line["discount_per_period"],
                              billing_period=line.get("billing_period"))
            for line in lines]


LINE_FIELDS = frozenset(LineInputSerializer().fields)


def _add_lines(quote, lines: list[dict], by) -> None:
    """Add the lines through the service; its errors about a line's fields are named under
    `lines.` (`lines.quantity`), the quote's own (`state`) as they are."""
    try:
        services.add_lines(quote=quote, items=_items(lines), by=by)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError({(f"lines.{name}" if name in LINE_FIELDS else name): messages
                               for name, messages in error.message_dict.items()}) from error


class QuoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """The quotes the user may see, with lines, coupons and totals (three queries for a
    page)."""

    queryset = Quote.objects.none()
    serializer_class = QuoteSerializer

    def get_queryset(self):
        lines = QuoteLine.objects.select_related("product").defer("price_snapshot").order_by(
            "position", "pk")
        quotes = quotes_visible_to(self.request.user).defer("sent_pdf").prefetch_related(
            Prefetch("lines", queryset=lines),
            Prefetch("coupons", queryset=QuoteCoupon.objects.select_related("coupon")))
        return updated_since(with_external_ids(quotes), self.request)

    def _answer(self, quote, code=status.HTTP_200_OK):
        return Response(QuoteSerializer(self.get_queryset().get(pk=quote.pk)).data, status=code)

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=QuoteCreateSerializer, responses={201: QuoteSerializer})
    def create(self, request):
        """A draft for an account the user may see, with its lines priced from the book."""
        fields = parsed(QuoteCreateSerializer, request.data)
        external_id, lines = fields.pop("external_id", None), fields.pop("lines", [])
        with transaction.atomic():
            quote = services.create_quote(by=request.user, **fields)
            if lines:
                _add_lines(quote, lines, request.user)
            if external_id:
                set_external_id(quote, external_id)
        return self._answer(quote, status.HTTP_201_CREATED)

    @extend_schema(request=LinesInputSerializer, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def lines(self, request, pk=None):
        """Add lines to a draft (options and bundle components become child lines)."""
        quote = self.get_object()
        data = parsed(LinesInputSerializer, request.data)
        with transaction.atomic():
            _add_lines(quote, data["lines"], request.user)
        return self._answer(quote)

    @extend_schema(request=None, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def price(self, request, pk=None):
        """Price a draft again from its lines' frozen snapshots."""
        return self._answer(services.reprice(quote=self.get_object(), by=request.user))

    @extend_schema(request=None, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit a draft: approved at once when no approval rule applies, else pending."""
        return self._answer(services.submit_for_approval(quote=self.get_object(),
                                                         by=request.user))

    @extend_schema(methods=["PATCH"], request=LineChangeSerializer, responses=QuoteSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses=QuoteSerializer)
    @action(detail=True, methods=["patch", "delete"], url_path=r"lines/(?P<line_id>[0-9]+)")
    def line(self, request, pk=None, line_id=None):
        """PATCH: change a draft line's quantity or discount; DELETE: remove it (with its
        options). The quote is priced again, as in the builder (an amendment quote too)."""
        quote = self.get_object()
        line = quote.lines.filter(pk=line_id).first()
        if line is None:
            raise NotFound("The quote has no such line.")
        if request.method == "DELETE":
            services.remove_line(line=line, by=request.user)
        else:
            services.update_line(line=line, by=request.user,
                                 **parsed(LineChangeSerializer, request.data))
        return self._answer(quote)
