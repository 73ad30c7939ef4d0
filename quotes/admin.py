"""Admin: approval rules are kept here; quotes, their lines, coupons and approval requests are shown
read-only (they change only through the builder and the approval pages' services)."""

from django.contrib import admin

from core.admin import ReadOnlyMixin
from quotes.models import ApprovalRequest, ApprovalRule, Quote, QuoteCoupon, QuoteLine


class QuoteLineInline(ReadOnlyMixin, admin.TabularInline):
    model = QuoteLine
    fk_name = "quote"
    fields = ["position", "product", "parent", "quantity", "billing_period", "discount_percent",
              "discount_per_period", "included", "list_amount", "discount_amount", "net_amount",
              "coupon_amount", "tax_amount"]
    readonly_fields = fields
    extra = 0
    show_change_link = False


class QuoteCouponInline(ReadOnlyMixin, admin.TabularInline):
    model = QuoteCoupon
    fields = ["position", "coupon", "applied_by", "applied_on", "discount_amount", "redeemed_on"]
    readonly_fields = fields
    extra = 0


class ApprovalRequestInline(ReadOnlyMixin, admin.TabularInline):
    model = ApprovalRequest
    fields = ["level", "group", "approver", "routing", "state", "decided_by", "decided_at",
              "comment"]
    readonly_fields = fields
    extra = 0


@admin.register(Quote)
class QuoteAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "account", "owner", "state", "currency", "total_contract_value",
                    "expires_on", "created_at"]
    list_filter = ["state", "currency", "kind"]
    list_select_related = ["account", "owner"]
    search_fields = ["number", "account__name"]
    exclude = ["sent_pdf"]
    inlines = [QuoteLineInline, QuoteCouponInline, ApprovalRequestInline]


@admin.register(ApprovalRule)
class ApprovalRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "condition", "threshold", "currency", "group", "level", "active"]
    list_filter = ["condition", "level", "active", "group"]
    list_editable = ["active"]
    search_fields = ["name"]


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["quote", "level", "group", "approver", "state", "decided_by", "decided_at",
                    "created_at"]
    list_filter = ["state", "level", "group"]
    list_select_related = ["quote", "group", "approver", "decided_by"]
    search_fields = ["quote__number"]
