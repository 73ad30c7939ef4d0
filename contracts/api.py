"""Contracts over the API, read only: the contract and its lines with the fields they have
today (amendment, termination and the stored charge schedule are to come through the same
services as the pages)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers

from contracts.models import Contract, ContractLine
from contracts.selectors import contracts_visible_to
from core.api.filters import UPDATED_SINCE, updated_since
from core.api.viewsets import ApiViewSet


class ContractLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractLine
        fields = ["id", "position", "product", "description", "quantity", "billing_period",
                  "discount_percent", "included", "list_unit_price", "amount_per_period",
                  "list_amount", "discount_amount", "net_amount", "start_on", "end_on",
                  "status", "replaces"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", read_only=True)
    lines = ContractLineSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = ["id", "number", "account", "quote", "renews", "external_reference", "owner",
                  "currency", "start_on", "end_on", "term_months", "auto_renew",
                  "renewal_term_months", "uplift_percent", "renewal_notice_days",
                  "total_contract_value", "recurring_monthly", "state", "signed_at",
                  "countersigned_at", "activated_on", "ended_on", "created_at", "updated_at",
                  "lines"]
        read_only_fields = fields


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """The contracts the user may see (a rep their own, a manager the team's, finance all)."""

    queryset = Contract.objects.none()
    serializer_class = ContractSerializer

    def get_queryset(self):
        lines = ContractLine.objects.defer("price_snapshot").order_by("position", "start_on",
                                                                      "pk")
        contracts = contracts_visible_to(self.request.user).defer(
            "sent_pdf", "terms").prefetch_related(Prefetch("lines", queryset=lines))
        return updated_since(contracts, self.request)

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
