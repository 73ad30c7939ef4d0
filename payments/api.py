"""Payments over the API: read with their allocations and refunds; record cash received (and
apply it), apply the credit balance, refund, through the payments services (finance's
permissions; every invoice changes through billing's settlement services)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.filters import UPDATED_SINCE, parsed, updated_since
from core.api.viewsets import ApiViewSet
from customers.models import Account
from customers.selectors import accounts_visible_to
from payments.models import Allocation, DunningEvent, Payment, PaymentMethodKind, Refund
from payments.selectors import payments_visible_to
from payments.services import Application, allocate_payment, record_payment, refund_payment

AMOUNT = {"max_digits": 19, "decimal_places": 4}


class AllocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Allocation
        fields = ["id", "invoice", "amount", "discount", "allocated_on", "note"]
        read_only_fields = fields


class RefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["id", "payment", "amount", "refunded_on", "reason", "gateway_reference",
                  "journal_entry", "created_at"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    allocations = AllocationSerializer(many=True, read_only=True)
    refunds = RefundSerializer(many=True, read_only=True)
    unapplied = serializers.DecimalField(**AMOUNT, read_only=True)

    class Meta:
        model = Payment
        fields = ["id", "account", "method", "amount", "currency", "received_on", "reference",
                  "state", "amount_applied", "amount_refunded", "amount_disputed", "unapplied",
                  "fx_rate", "functional_amount", "receipt_entry", "created_at", "updated_at",
                  "allocations", "refunds"]
        read_only_fields = fields


class ApplicationSerializer(serializers.Serializer):
    invoice = serializers.IntegerField(help_text="The invoice's id.")
    amount = serializers.DecimalField(**AMOUNT)


class ApplicationsSerializer(serializers.Serializer):
    applications = ApplicationSerializer(many=True)


class RecordPaymentSerializer(serializers.Serializer):
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.none())
    method = serializers.ChoiceField(choices=[c for c in PaymentMethodKind.choices
                                              if c[0] != PaymentMethodKind.CARD])
    amount = serializers.DecimalField(**AMOUNT)
    currency = serializers.CharField(max_length=3)
    received_on = serializers.DateField(required=False)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=140,
                                      default="")
    applications = ApplicationSerializer(many=True, required=False, default=list)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:  # only accounts the user may see can pay
            self.fields["account"].queryset = accounts_visible_to(user)


class RefundInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**AMOUNT)
    reason = serializers.CharField(allow_blank=True)


def _applications(rows: list[dict]) -> list[Application]:
    return [Application(invoice_id=row["invoice"], amount=row["amount"]) for row in rows]


class PaymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """The payments the user may see, with allocations and refunds (three queries a page)."""

    queryset = Payment.objects.none()
    serializer_class = PaymentSerializer

    def get_queryset(self):
        payments = payments_visible_to(self.request.user).prefetch_related(
            Prefetch("allocations", queryset=Allocation.objects.order_by("pk")),
            Prefetch("refunds", queryset=Refund.objects.order_by("pk")))
        return updated_since(payments, self.request)

    def _answer(self, payment, code=status.HTTP_200_OK):
        return Response(PaymentSerializer(self.get_queryset().get(pk=payment.pk)).data,
                        status=code)

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RecordPaymentSerializer, responses={201: PaymentSerializer})
    def create(self, request):
        """Record money received (transfer, check, wire) and apply it to invoices at once;
        what is not applied is the account's credit balance."""
        data = parsed(RecordPaymentSerializer, request.data, user=request.user)
        payment = record_payment(account=data["account"], method=data["method"],
                                 amount=data["amount"], currency=data["currency"],
                                 received_on=data.get("received_on"), by=request.user,
                                 reference=data["reference"],
                                 applications=_applications(data["applications"]))
        return self._answer(payment, status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationsSerializer, responses=PaymentSerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Apply the payment's unapplied cash (the credit balance) to open invoices."""
        payment = self.get_object()
        data = parsed(ApplicationsSerializer, request.data)
        return self._answer(allocate_payment(payment=payment, by=request.user,
                                             applications=_applications(data["applications"])))

    @extend_schema(request=RefundInputSerializer, responses={201: RefundSerializer})
    @action(detail=True, methods=["post"])
    def refund(self, request, pk=None):
        """Refund part or all of the payment (through the gateway for a card payment)."""
        payment = self.get_object()
        data = parsed(RefundInputSerializer, request.data)
        refund = refund_payment(payment=payment, amount=data["amount"], reason=data["reason"],
                                by=request.user)
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)


class DunningEventSerializer(serializers.ModelSerializer):
    """A dunning step taken for an invoice (what `dunning.escalated` webhooks carry)."""

    class Meta:
        model = DunningEvent
        fields = ["id", "invoice", "account", "step_key", "action", "taken_on",
                  "days_past_due", "reason", "skipped", "outcome", "created_at"]
        read_only_fields = fields
