"""Revenue contracts over the API, read only: each with its performance obligations, what was
allocated to them, and what is scheduled and recognized so far."""

from decimal import Decimal

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers

from core.api.permissions import HasPerms
from core.api.viewsets import ApiViewSet
from revrec.models import PerformanceObligation, RevenueContract, ScheduleLine

AMOUNT = {"max_digits": 19, "decimal_places": 4}


class ObligationSerializer(serializers.ModelSerializer):
    scheduled = serializers.SerializerMethodField()
    recognized = serializers.SerializerMethodField()

    class Meta:
        model = PerformanceObligation
        fields = ["id", "contract_line", "product", "family", "pattern", "ssp", "ssp_method",
                  "ssp_low", "ssp_high", "allocated",
                  "service_start", "service_end", "status", "ended_on", "predecessor",
                  "scheduled", "recognized"]
        read_only_fields = fields

    # Sums of stored (already rounded) schedule rows, added as Decimals here: SQLite would
    # add them in floating point.
    @staticmethod
    def _sum(rows) -> str:
        return str(sum((row.amount for row in rows), Decimal(0)))

    @extend_schema_field(serializers.DecimalField(**AMOUNT))
    def get_scheduled(self, obligation) -> str:
        return self._sum(obligation.schedule.all())

    @extend_schema_field(serializers.DecimalField(**AMOUNT))
    def get_recognized(self, obligation) -> str:
        return self._sum(row for row in obligation.schedule.all() if row.run_id)


class RevenueContractSerializer(serializers.ModelSerializer):
    obligations = ObligationSerializer(many=True, read_only=True)

    class Meta:
        model = RevenueContract
        fields = ["id", "number", "contract", "account", "currency", "kind",
                  "transaction_price", "recognition_basis", "remainder_to", "mid_month_end",
                  "created_on", "modified_on", "created_at",
                  "obligations"]
        read_only_fields = fields


class RevenueContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Revenue contracts (finance and accountants see all), three queries a page."""

    queryset = RevenueContract.objects.none()
    serializer_class = RevenueContractSerializer
    permission_classes = [HasPerms]
    required_perms = ["revrec.view_revenuecontract", "revrec.view_performanceobligation",
                      "revrec.view_scheduleline"]

    def get_queryset(self):
        schedule = ScheduleLine.objects.only("obligation_id", "amount", "run_id")
        obligations = (PerformanceObligation.objects.order_by("contract_line__position", "pk")
                       .prefetch_related(Prefetch("schedule", queryset=schedule)))
        return RevenueContract.objects.prefetch_related(
            Prefetch("obligations", queryset=obligations))
