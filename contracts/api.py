"""Contracts over the API: the contract and its lines, the stored charge schedule in force (the
rows billing bills and revenue recognition reads), its amendments and what each charges and
credits (the amendment page's preview); starting an amendment and terminating, through the same
services and permissions as the contract pages."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from catalog.charge_schedule import ChargeKind
from contracts import services
from contracts.documents import amendment_document
from contracts.models import Amendment, Contract, ContractLine, ScheduledCharge, Termination
from contracts.selectors import (
    amendments_of,
    charge_schedule_of,
    contracts_visible_to,
    rows_of_change,
)
from contracts.services.termination import check_termination_date, credit_total
from core.api.filters import UPDATED_SINCE, parsed, updated_since
from core.api.pagination import IdCursorPagination
from core.api.viewsets import ApiViewSet

AMOUNT = {"max_digits": 19, "decimal_places": 4}


class ContractLineSerializer(serializers.ModelSerializer):
    """A line with the policies copied onto it: alignment, bill day, day count, proration
    granularity, and the moments service starts and stops within its first and last days
    (empty: the whole day) with the time zone that decides which day a moment belongs to."""

    class Meta:
        model = ContractLine
        fields = ["id", "position", "product", "description", "quantity", "billing_period",
                  "billing_alignment", "bill_day", "proration_convention",
                  "proration_granularity", "discount_percent", "included", "list_unit_price",
                  "amount_per_period", "list_amount", "discount_amount", "net_amount",
                  "start_on", "end_on", "starts_at", "ends_at", "time_zone", "status",
                  "replaces", "amendment"]
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


class ChargeRowSerializer(serializers.ModelSerializer):
    """A row of a line's charge schedule: a billing period, its amount and how it was
    computed (credits are negative)."""

    # Plain text, not an enum: the schema already has other `kind` choices of that name.
    kind = serializers.CharField(read_only=True, help_text=", ".join(ChargeKind))

    class Meta:
        model = ScheduledCharge
        fields = ["line", "about", "kind", "period_start", "period_end", "due_on", "amount",
                  "currency", "days", "period_days", "seconds", "period_seconds", "explanation"]
        read_only_fields = fields


class ScheduledChargeSerializer(ChargeRowSerializer):
    """A stored row, with the change that added it; `billed` once an invoice holds it."""

    change_kind = serializers.CharField(source="change.kind", read_only=True)
    billed = serializers.BooleanField(read_only=True)

    class Meta(ChargeRowSerializer.Meta):
        fields = ["id", *ChargeRowSerializer.Meta.fields, "change", "change_kind", "billed"]
        read_only_fields = fields


class AmendmentSerializer(serializers.ModelSerializer):
    quote_number = serializers.CharField(source="quote.number", read_only=True)
    quote_state = serializers.CharField(source="quote.state", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Amendment
        fields = ["id", "contract", "quote", "quote_number", "quote_state", "effective_on",
                  "effective_time", "created_by", "created_at", "applied_on", "prorated_total",
                  "proration"]
        read_only_fields = fields


class TerminationSerializer(serializers.ModelSerializer):
    """The termination with the rows it added to the schedule (credits and shortened charges:
    what the next invoice run bills)."""

    created_by = serializers.CharField(source="created_by.username", read_only=True)
    rows = serializers.SerializerMethodField()

    class Meta:
        model = Termination
        fields = ["id", "contract", "effective_on", "effective_time", "reason", "currency",
                  "credit_amount", "created_by", "created_at", "rows"]
        read_only_fields = fields

    @extend_schema_field(ScheduledChargeSerializer(many=True))
    def get_rows(self, termination):
        return ScheduledChargeSerializer(rows_of_change(termination.schedule_change),
                                         many=True).data


class TerminationPreviewSerializer(serializers.Serializer):
    effective_on = serializers.DateField()
    credit_amount = serializers.DecimalField(**AMOUNT)
    rows = ChargeRowSerializer(many=True, help_text="Rows terminating would add (not stored).")


class EffectiveDateSerializer(serializers.Serializer):
    effective_on = serializers.DateField(help_text="The first day the change is in force "
                                                   "(for a termination: without service).")


def effective_time_field(what: str) -> serializers.TimeField:
    return serializers.TimeField(
        required=False, allow_null=True,
        help_text=f"Optional: the time of day lines priced by the second {what}, in each "
                  f"line's time zone (left out: at the start of the effective date).")


class AmendmentInputSerializer(EffectiveDateSerializer):
    effective_time = effective_time_field("change")


class TerminationMomentSerializer(EffectiveDateSerializer):
    effective_time = effective_time_field("stop")


class TerminationInputSerializer(TerminationMomentSerializer):
    reason = serializers.CharField(allow_blank=True)


class ScheduleLineSerializer(serializers.Serializer):
    """A row as the amendment document shows it: stored, or to be stored when it is accepted."""

    product = serializers.CharField()
    kind = serializers.CharField(help_text=", ".join(ChargeKind))
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    due_on = serializers.DateField()
    amount = serializers.DecimalField(**AMOUNT)
    explanation = serializers.CharField()


class ChangedLineSerializer(serializers.Serializer):
    """One line's change from the effective date, with what it credits and charges for the rest
    of the current billing period and of the term (credits positive here, as on the page)."""

    product = serializers.CharField()
    kind = serializers.CharField(help_text="added, changed or removed")
    billing_period = serializers.CharField()
    quantity_before = serializers.DecimalField(**AMOUNT, allow_null=True)
    quantity_after = serializers.DecimalField(**AMOUNT, allow_null=True)
    price_before = serializers.DecimalField(**AMOUNT, allow_null=True,
                                            help_text="Net per billing period.")
    price_after = serializers.DecimalField(**AMOUNT, allow_null=True)
    credit_period = serializers.DecimalField(**AMOUNT)
    charge_period = serializers.DecimalField(**AMOUNT)
    net_period = serializers.DecimalField(**AMOUNT)
    credit_term = serializers.DecimalField(**AMOUNT)
    charge_term = serializers.DecimalField(**AMOUNT)
    net_term = serializers.DecimalField(**AMOUNT)
    credit_rows = ScheduleLineSerializer(many=True)
    charge_rows = ScheduleLineSerializer(many=True)


class ProjectedInvoiceSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    rows = ScheduleLineSerializer(many=True)
    amount = serializers.DecimalField(**AMOUNT)


class AmendmentPreviewSerializer(serializers.Serializer):
    """What the amendment charges and credits, from the schedule rows it will store (or, once
    applied, stored): the same figures as its page and the customer's document."""

    amendment = serializers.IntegerField(source="amendment.pk")
    effective_on = serializers.DateField()
    applied = serializers.BooleanField()
    currency = serializers.CharField()
    changes = ChangedLineSerializer(many=True)
    credit_period = serializers.DecimalField(**AMOUNT)
    charge_period = serializers.DecimalField(**AMOUNT)
    net_period = serializers.DecimalField(**AMOUNT)
    credit_term = serializers.DecimalField(**AMOUNT)
    charge_term = serializers.DecimalField(**AMOUNT)
    net_term = serializers.DecimalField(**AMOUNT)
    recurring_before = serializers.DecimalField(**AMOUNT, help_text="A month.")
    recurring_after = serializers.DecimalField(**AMOUNT, help_text="A month.")
    next_invoices = ProjectedInvoiceSerializer(many=True)


class AmendmentChoiceSerializer(serializers.Serializer):
    amendment = serializers.IntegerField(min_value=1, help_text="The amendment's id (from "
                                                                "`amendments`).")


class ScheduleCursorPagination(IdCursorPagination):
    """The schedule by due date, as the contract page shows it."""

    ordering = ("due_on", "pk")


LINE = OpenApiParameter("line", OpenApiTypes.INT, description="Only this line's rows.")
AMENDMENT = OpenApiParameter("amendment", OpenApiTypes.INT, required=True,
                             description="The amendment's id (from `amendments`).")
EFFECTIVE_ON = OpenApiParameter("effective_on", OpenApiTypes.DATE, required=True,
                                description="The first day without service.")
EFFECTIVE_TIME = OpenApiParameter("effective_time", OpenApiTypes.TIME,
                                  description="Optional: the time lines priced by the second "
                                              "stop on that day, in each line's time zone.")


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """The contracts the user may see (a rep their own, a manager the team's, finance all);
    amendments and terminations go through the contract services, which check the role."""

    queryset = Contract.objects.none()
    serializer_class = ContractSerializer

    def get_queryset(self):
        contracts = contracts_visible_to(self.request.user).defer("sent_pdf", "terms")
        if self.action not in ("list", "retrieve"):  # an action reads its own rows
            return contracts
        lines = ContractLine.objects.defer("price_snapshot").order_by("position", "start_on",
                                                                      "pk")
        return updated_since(contracts.prefetch_related(Prefetch("lines", queryset=lines)),
                             self.request)

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(parameters=[LINE], responses=ScheduledChargeSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=ScheduleCursorPagination)
    def charges(self, request, pk=None):
        """The stored charge schedule in force, by due date: one row per line and period
        (credits negative), as billed and recognized."""
        rows = charge_schedule_of(self.get_object()).select_related("change")
        line = request.query_params.get("line", "").strip()
        if line:
            if not line.isdigit():
                raise ValidationError({"line": ["Name the line by its id."]})
            rows = rows.filter(line_id=int(line))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ScheduledChargeSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], request=None,
                   responses=AmendmentSerializer(many=True))
    @extend_schema(methods=["POST"], request=AmendmentInputSerializer,
                   responses={201: AmendmentSerializer})
    @action(detail=True, methods=["get", "post"], pagination_class=None)  # a few per contract
    def amendments(self, request, pk=None):
        """GET: the contract's amendments, newest first. POST: start one, a draft amendment
        quote prefilled from the lines in force on the effective date (change it through
        /quotes/, then submit and send it; the customer's acceptance applies it)."""
        contract = self.get_object()
        if request.method == "GET":
            return Response(AmendmentSerializer(amendments_of(contract), many=True).data)
        data = parsed(AmendmentInputSerializer, request.data)
        amendment = services.start_amendment(contract=contract, by=request.user,
                                             effective_on=data["effective_on"],
                                             effective_time=data.get("effective_time"))
        return Response(AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[AMENDMENT], responses=AmendmentPreviewSerializer)
    @action(detail=True, methods=["get"], url_path="amendment-preview")
    def amendment_preview(self, request, pk=None):
        """What one of the contract's amendments charges and credits (each changed line, the
        rest of the current period and of the term, recurring before and after, the next
        invoices), as its page shows it before the customer accepts it; writes nothing."""
        contract = self.get_object()
        data = parsed(AmendmentChoiceSerializer, request.query_params)
        amendment = amendments_of(contract).filter(pk=data["amendment"]).first()
        if amendment is None:
            raise ValidationError({"amendment": [f"Contract {contract.number} has no amendment "
                                                 f"{data['amendment']}."]})
        amendment.contract = contract
        return Response(AmendmentPreviewSerializer(amendment_document(amendment)).data)

    @extend_schema(parameters=[EFFECTIVE_ON, EFFECTIVE_TIME],
                   responses=TerminationPreviewSerializer)
    @action(detail=True, methods=["get"], url_path="termination-preview")
    def termination_preview(self, request, pk=None):
        """What terminating from the date would add to the schedule and credit; writes
        nothing."""
        contract = self.get_object()
        data = parsed(TerminationMomentSerializer, request.query_params)
        check_termination_date(contract, data["effective_on"])
        rows = services.termination_preview(contract, data["effective_on"],
                                            data.get("effective_time"))
        return Response(TerminationPreviewSerializer({
            "effective_on": data["effective_on"], "rows": rows,
            "credit_amount": credit_total(rows, contract.currency)}).data)

    @extend_schema(request=TerminationInputSerializer, responses={201: TerminationSerializer})
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        """End the contract from the effective date: running lines end the day before, days
        already billed after it are credited on the next invoice."""
        contract = self.get_object()
        data = parsed(TerminationInputSerializer, request.data)
        termination = services.terminate_contract(
            contract=contract, by=request.user, effective_on=data["effective_on"],
            effective_time=data.get("effective_time"), reason=data["reason"])
        return Response(TerminationSerializer(termination).data,
                        status=status.HTTP_201_CREATED)
