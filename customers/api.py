"""Accounts and contacts over the API: read what the user may see, create, change, and upsert by
another system's id, through the same services (and permissions) as the pages."""

from django.contrib.auth import get_user_model
from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.filters import UPDATED_SINCE, parsed, updated_since
from core.api.viewsets import ApiViewSet
from core.external_ids import document_id_for, set_external_id, with_external_ids
from customers import services
from customers.models import (
    Account,
    AccountStatus,
    Contact,
    ContactRole,
    DocumentDelivery,
    PaymentTerms,
)
from customers.selectors import accounts_visible_to

EXTERNAL_ID = r"external/(?P<external_id>[^/]+)"


class AccountSerializer(serializers.ModelSerializer):
    external_id = serializers.CharField(read_only=True, allow_null=True)
    owner = serializers.CharField(source="owner.username", read_only=True)
    payment_terms = serializers.CharField(source="payment_terms.code", read_only=True)
    credit_limit = serializers.DecimalField(source="credit_limit.amount", max_digits=19,
                                            decimal_places=4, read_only=True)

    class Meta:
        model = Account
        fields = ["id", "external_id", "name", "legal_name", "tax_id", "country", "region",
                  "billing_street", "billing_city", "billing_postal_code", "shipping_street",
                  "shipping_city", "shipping_postal_code", "currency", "payment_terms",
                  "credit_limit", "tax_exempt", "bill_day", "owner", "status", "is_overdue",
                  "overdue_since", "billing_state", "time_zone", "document_delivery",
                  "created_at", "updated_at"]
        read_only_fields = fields


class AccountWriteSerializer(serializers.Serializer):
    """Shapes only; the account service checks the values (country, currency, owner, ...)."""

    external_id = serializers.CharField(required=False, max_length=255)
    name = serializers.CharField(required=False, max_length=200)
    legal_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    tax_id = serializers.CharField(required=False, allow_blank=True, max_length=50)
    country = serializers.CharField(required=False, max_length=2)
    region = serializers.CharField(required=False, allow_blank=True, max_length=50)
    time_zone = serializers.CharField(required=False, allow_blank=True, max_length=64)
    billing_street = serializers.CharField(required=False, allow_blank=True, max_length=200)
    billing_city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    billing_postal_code = serializers.CharField(required=False, allow_blank=True, max_length=20)
    shipping_street = serializers.CharField(required=False, allow_blank=True, max_length=200)
    shipping_city = serializers.CharField(required=False, allow_blank=True, max_length=100)
    shipping_postal_code = serializers.CharField(required=False, allow_blank=True,
                                                 max_length=20)
    currency = serializers.CharField(required=False, max_length=3)
    payment_terms = serializers.SlugRelatedField(slug_field="code", required=False,
                                                 queryset=PaymentTerms.objects.all())
    credit_limit = serializers.DecimalField(required=False, max_digits=19, decimal_places=4)
    tax_exempt = serializers.BooleanField(required=False)
    bill_day = serializers.IntegerField(required=False)
    owner = serializers.SlugRelatedField(slug_field="username", required=False,
                                         queryset=get_user_model().objects.all(),
                                         help_text="The owner's username.")
    status = serializers.ChoiceField(choices=AccountStatus.choices, required=False)
    document_delivery = serializers.ChoiceField(choices=DocumentDelivery.choices,
                                                required=False)


class ContactSerializer(serializers.ModelSerializer):
    external_id = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = Contact
        fields = ["id", "external_id", "account", "name", "email", "phone", "role"]
        read_only_fields = fields


class ContactWriteSerializer(serializers.Serializer):
    external_id = serializers.CharField(required=False, max_length=255)
    account = serializers.PrimaryKeyRelatedField(queryset=Account.objects.all(), required=False)
    name = serializers.CharField(required=False, max_length=200)
    email = serializers.CharField(required=False, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=50)
    role = serializers.ChoiceField(choices=ContactRole.choices, required=False)


class AccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """The accounts the user may see (a rep their own, a manager the team's, finance all)."""

    queryset = Account.objects.none()
    serializer_class = AccountSerializer

    def get_queryset(self):
        accounts = with_external_ids(accounts_visible_to(self.request.user))
        return updated_since(accounts, self.request)

    def _answer(self, account, code=status.HTTP_200_OK):
        return Response(AccountSerializer(self.get_queryset().get(pk=account.pk)).data,
                        status=code)

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AccountWriteSerializer, responses={201: AccountSerializer})
    def create(self, request):
        fields = parsed(AccountWriteSerializer, request.data)
        external_id = fields.pop("external_id", None)
        with transaction.atomic():
            account = services.create_account(by=request.user, **fields)
            if external_id:
                set_external_id(account, external_id)
        return self._answer(account, status.HTTP_201_CREATED)

    @extend_schema(request=AccountWriteSerializer, responses=AccountSerializer)
    def partial_update(self, request, pk=None):
        account = self.get_object()
        fields = parsed(AccountWriteSerializer, request.data)
        external_id = fields.pop("external_id", None)
        with transaction.atomic():
            account = services.update_account(account=account, by=request.user, **fields)
            if external_id:
                set_external_id(account, external_id)
        return self._answer(account)

    @extend_schema(request=AccountWriteSerializer,
                   responses={200: AccountSerializer, 201: AccountSerializer})
    @action(detail=False, methods=["put"], url_path=EXTERNAL_ID)
    def upsert(self, request, external_id=None):
        """Create the account another system knows by `external_id`, or change it."""
        fields = parsed(AccountWriteSerializer, request.data)
        fields.pop("external_id", None)
        with transaction.atomic():
            pk = document_id_for(Account, external_id)
            if pk is None:
                account = services.create_account(by=request.user, **fields)
                set_external_id(account, external_id)
                return self._answer(account, status.HTTP_201_CREATED)
            account = services.update_account(account=Account(pk=pk), by=request.user,
                                              **fields)
        return self._answer(account)


class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """The contacts of the accounts the user may see."""

    queryset = Contact.objects.none()
    serializer_class = ContactSerializer

    def get_queryset(self):
        contacts = Contact.objects.filter(account__in=accounts_visible_to(self.request.user)
                                          .values("pk"))
        return with_external_ids(contacts)

    def _answer(self, contact, code=status.HTTP_200_OK):
        return Response(ContactSerializer(self.get_queryset().get(pk=contact.pk)).data,
                        status=code)

    def _add(self, request, fields: dict, external_id: str | None):
        account = fields.pop("account", None)
        if account is None:
            raise serializers.ValidationError({"account": ["Name the contact's account."]})
        contact = services.add_contact(account=account, by=request.user, **fields)
        if external_id:
            set_external_id(contact, external_id)
        return self._answer(contact, status.HTTP_201_CREATED)

    @extend_schema(request=ContactWriteSerializer, responses={201: ContactSerializer})
    def create(self, request):
        fields = parsed(ContactWriteSerializer, request.data)
        with transaction.atomic():
            return self._add(request, fields, fields.pop("external_id", None))

    @extend_schema(request=ContactWriteSerializer, responses=ContactSerializer)
    def partial_update(self, request, pk=None):
        contact = self.get_object()
        fields = parsed(ContactWriteSerializer, request.data)
        external_id = fields.pop("external_id", None)
        if "account" in fields:
            raise serializers.ValidationError(
                {"account": ["A contact stays with its account; add it to the other one."]})
        with transaction.atomic():
            contact = services.update_contact(contact=contact, by=request.user, **fields)
            if external_id:
                set_external_id(contact, external_id)
        return self._answer(contact)

    @extend_schema(request=ContactWriteSerializer,
                   responses={200: ContactSerializer, 201: ContactSerializer})
    @action(detail=False, methods=["put"], url_path=EXTERNAL_ID)
    def upsert(self, request, external_id=None):
        """Create the contact another system knows by `external_id`, or change it."""
        fields = parsed(ContactWriteSerializer, request.data)
        fields.pop("external_id", None)
        with transaction.atomic():
            pk = document_id_for(Contact, external_id)
            if pk is None:
                return self._add(request, fields, external_id)
            stored = Contact.objects.filter(pk=pk).first()
            if "account" in fields and fields.pop("account").pk != stored.account_id:
                raise serializers.ValidationError(
                    {"account": ["A contact stays with its account; add it to the other one."]})
            contact = services.update_contact(contact=stored, by=request.user, **fields)
        return self._answer(contact)
