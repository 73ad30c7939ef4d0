"""Where catalog admins keep products, options, bundles, price books, tiers and tax rates.

Every save that touches a price records price history through `services.record_price_changes`;
price book files go through `services.import_price_book` and `export_price_book`.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from catalog import price_book_files, pricing, selectors, services
from catalog.models import (
    BundleComponent,
    ConfigurationRule,
    Coupon,
    GuidedAnswer,
    GuidedProposal,
    GuidedQuestion,
    OptionGroup,
    PriceBook,
    PriceBookEntry,
    PriceChange,
    PriceTier,
    Product,
    ProductOption,
    StandaloneSellingPrice,
    TaxCategory,
    TaxRate,
)
from catalog.tiers import WrittenTier, written_tier_errors

# ---- products ---------------------------------------------------------------------------------


class StandaloneSellingPriceInline(admin.TabularInline):
    model = StandaloneSellingPrice
    extra = 0
    verbose_name_plural = "standalone selling prices (revenue allocation)"


class OptionGroupInline(admin.TabularInline):
    model = OptionGroup
    extra = 0
    fields = ["name", "min_selections", "max_selections", "required", "sort_order",
              "option_count"]
    readonly_fields = ["option_count"]
    show_change_link = True

    @admin.display(description="options")
    def option_count(self, group):
        return group.options.count() if group.pk else "save, then add options"


class ConfigurationRuleInline(admin.TabularInline):
    model = ConfigurationRule
    fk_name = "product"
    extra = 0
    autocomplete_fields = ["subject", "target"]


class BundleComponentInline(admin.TabularInline):
    model = BundleComponent
    fk_name = "bundle"
    extra = 0
    autocomplete_fields = ["component"]


class ProductPriceInline(admin.TabularInline):
    model = PriceBookEntry
    extra = 0
    fields = ["price_book", "billing_period", "price_model", "unit_amount", "active"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    verbose_name_plural = "prices (edit them in their price book)"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "name", "family", "kind", "unit_of_measure", "is_bundle", "active",
                    "tax_category", "revenue_rule", "unit_cost"]
    list_filter = ["kind", "active", "is_bundle", "revenue_rule", "tax_category", "family"]
    search_fields = ["sku", "name", "family", "description"]
    list_select_related = ["tax_category"]
    fieldsets = [
        (None, {"fields": ["sku", "name", "description", "family", "kind", "unit_of_measure",
                           "active", "is_bundle"]}),
        ("Tax, revenue and cost", {"fields": ["tax_category", "revenue_rule", "unit_cost"]}),
    ]
    inlines = [StandaloneSellingPriceInline, OptionGroupInline, ConfigurationRuleInline,
               BundleComponentInline, ProductPriceInline]


class ProductOptionInline(admin.TabularInline):
    model = ProductOption
    extra = 1
    autocomplete_fields = ["product"]


@admin.register(OptionGroup)
class OptionGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "product", "min_selections", "max_selections", "required",
                    "sort_order"]
    list_filter = ["required"]
    search_fields = ["name", "product__sku", "product__name"]
    autocomplete_fields = ["product"]
    list_select_related = ["product"]
    inlines = [ProductOptionInline]


# ---- price books, entries and tiers ------------------------------------------------------------


class PriceTierFormSet(BaseInlineFormSet):
    """Tiers checked together: ranges in order without gaps or overlaps, only for tiered prices."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        forms_ = [f for f in self.forms
                  if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        tiered = self.instance.price_model in pricing.TIERED_MODELS
        if not tiered:
            if forms_:
                raise forms.ValidationError("Only graduated and volume prices have tiers: "
                                            "remove the tiers or change the price model.")
            return
        if not forms_:
            raise forms.ValidationError("A tiered price needs at least one tier.")
        forms_.sort(key=lambda f: f.cleaned_data["from_quantity"])
        written = [WrittenTier(
            f.cleaned_data["from_quantity"], f.cleaned_data.get("up_to"),
            f.cleaned_data.get("unit_amount") or Decimal(0),
            f.cleaned_data.get("flat_amount") or Decimal(0),
            f.cleaned_data.get("block_size")) for f in forms_]
        for index, field, message in written_tier_errors(written):
            forms_[index].add_error(field or None, message)
        if any(self.errors):
            raise forms.ValidationError("Fix the tiers marked below.")


class PriceTierInline(admin.TabularInline):
    model = PriceTier
    formset = PriceTierFormSet
    extra = 1


class PriceChangeInline(admin.TabularInline):
    model = PriceChange
    fk_name = "entry"
    extra = 0
    fields = ["changed_at", "changed_by_name", "action", "summary", "source"]
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = "price history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class PriceHistoryMixin:
    """Snapshots the prices a save may touch before it, and records what changed after it."""

    def _entry_ids(self, obj) -> list[int]:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        request._catalog_prices_before = (
            selectors.price_snapshots(self._entry_ids(obj)) if change else {})
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_catalog_prices_before", {})
        after = selectors.price_snapshots(self._entry_ids(form.instance))
        services.record_price_changes(before=before, after=after, by=request.user)

    def delete_model(self, request, obj):
        # Recorded first, while the book and entry the history row points at still exist.
        before = selectors.price_snapshots(self._entry_ids(obj))
        services.record_price_changes(before=before, after={}, by=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        before = selectors.price_snapshots(
            pk for obj in queryset for pk in self._entry_ids(obj))
        services.record_price_changes(before=before, after={}, by=request.user)
        super().delete_queryset(request, queryset)


@admin.register(PriceBookEntry)
class PriceBookEntryAdmin(PriceHistoryMixin, admin.ModelAdmin):
    list_display = ["product", "price_book", "billing_period", "price_model", "unit_amount",
                    "tier_count", "active", "updated_at"]
    list_filter = ["price_book", "price_model", "billing_period", "active", "product__kind"]
    search_fields = ["product__sku", "product__name", "price_book__name"]
    list_select_related = ["product", "price_book"]
    autocomplete_fields = ["product", "price_book"]
    fieldsets = [
        (None, {"fields": ["price_book", "product", "billing_period", "price_model", "active"]}),
        ("Amounts", {"fields": ["unit_amount", "package_size", "minimum_packages"]}),
        ("Allowance, minimum and cap per period", {
            "fields": ["included_units", "minimum_amount", "maximum_amount", "charge_at_zero"],
            "description": "Included units are free before tiers or packages apply; a period "
                           "priced below the minimum is topped up by its own shortfall line."}),
        ("Percentage of other lines or of transactions", {
            "fields": ["percent", "percent_of_kind", "percent_of_family", "fixed_fee",
                       "free_transactions", "transaction_minimum", "transaction_maximum"]}),
        ("Proration", {"fields": ["proration_granularity"]}),
        ("Snapshot", {"fields": ["snapshot_preview"]}),
    ]
    readonly_fields = ["snapshot_preview"]
    inlines = [PriceTierInline, PriceChangeInline]

    def _entry_ids(self, obj):
        return [obj.pk] if obj.pk else []

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(tier_total=Count("tiers"))

    @admin.display(description="tiers", ordering="tier_total")
    def tier_count(self, entry):
        return entry.tier_total or "—"

    @admin.display(description="price snapshot (what quotes store)")
    def snapshot_preview(self, entry):
        if not entry.pk:
            return "—"
        try:
            return format_html("<pre>{}</pre>", _pretty(entry.snapshot()))
        except ValueError as error:
            return f"Cannot price yet: {error}"


def _pretty(data: dict) -> str:
    import json

    return json.dumps(data, indent=2)


class PriceBookEntryInline(admin.TabularInline):
    model = PriceBookEntry
    extra = 0
    fields = ["product", "billing_period", "price_model", "unit_amount", "minimum_amount",
              "package_size", "percent", "percent_of_kind", "active"]
    autocomplete_fields = ["product"]
    show_change_link = True
    verbose_name_plural = "entries (tiers are on each entry's own page: follow its link)"


@admin.register(PriceBook)
class PriceBookAdmin(PriceHistoryMixin, admin.ModelAdmin):
    list_display = ["name", "currency", "effective_from", "effective_to", "prices_include_tax",
                    "rounding_mode", "tax_rounding", "cash_rounding_step", "is_standard",
                    "active", "entry_total"]
    list_filter = ["currency", "active", "is_standard", "prices_include_tax", "rounding_mode"]
    fieldsets = [
        (None, {"fields": ["name", "currency", "effective_from", "effective_to", "is_standard",
                           "active", "description"]}),
        ("Tax and rounding (recorded on every price quoted from this book)", {
            "fields": ["prices_include_tax", "inclusive_rounding", "rounding_mode",
                       "tax_rounding", "cash_rounding_step"]}),
    ]
    search_fields = ["name", "description"]
    date_hierarchy = "effective_from"
    inlines = [PriceBookEntryInline]
    change_form_template = "catalog/admin/pricebook_change_form.html"

    def _entry_ids(self, obj):
        return list(obj.entries.values_list("pk", flat=True)) if obj.pk else []

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_count=Count("entries"))

    @admin.display(description="entries", ordering="entry_count")
    def entry_total(self, book):
        return book.entry_count

    def get_urls(self):
        return [
            path("<path:object_id>/import/", self.admin_site.admin_view(self.import_view),
                 name="catalog_pricebook_import"),
            path("<path:object_id>/export/<str:fmt>/",
                 self.admin_site.admin_view(self.export_view), name="catalog_pricebook_export"),
            *super().get_urls(),
        ]

    def import_view(self, request, object_id):
        book = get_object_or_404(PriceBook, pk=object_id)
        if not request.user.has_perm("catalog.import_prices"):
            raise PermissionDenied
        form = PriceImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.import_price_book(price_book=book, data=upload.read(),
                                                    filename=upload.name, by=request.user)
            except services.PriceImportRejected as rejected:
                errors = rejected.errors
            else:
                messages.success(request, f"Imported {upload.name}: {result.created} new and "
                                          f"{result.updated} updated price(s).")
                return redirect(reverse("admin:catalog_pricebook_change", args=[book.pk]))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "original": book, "title": f"Import prices into {book}", "form": form,
                   "errors": errors, "columns": price_book_files.COLUMNS}
        return TemplateResponse(request, "catalog/admin/pricebook_import.html", context)

    def export_view(self, request, object_id, fmt):
        book = get_object_or_404(PriceBook, pk=object_id)
        if fmt not in price_book_files.FORMATS or not self.has_view_permission(request, book):
            raise PermissionDenied
        data = services.export_price_book(price_book=book, fmt=fmt, by=request.user)
        response = HttpResponse(data, content_type=price_book_files.FORMATS[fmt])
        filename = f"price-book-{book.pk}-{book.currency}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class PriceImportForm(forms.Form):
    file = forms.FileField(help_text="A .csv or .xlsx file with the columns listed below.")


@admin.register(PriceChange)
class PriceChangeAdmin(admin.ModelAdmin):
    """Price history, read-only: who changed which price when."""

    list_display = ["changed_at", "label", "action", "summary", "changed_by_name", "source"]
    list_filter = ["action", "price_book", "source", "changed_at"]
    search_fields = ["label", "changed_by_name", "summary", "product__sku"]
    date_hierarchy = "changed_at"
    list_select_related = ["price_book"]
    fields = ["changed_at", "label", "entry", "price_book", "product", "action", "summary",
              "before", "after", "source", "changed_by", "changed_by_name"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# ---- tax -----------------------------------------------------------------------------------


class TaxRateInline(admin.TabularInline):
    model = TaxRate
    extra = 0
    fields = ["name", "country", "region", "percent", "per_unit_amount", "currency", "compound",
              "affects_base", "sequence", "effective_from", "effective_to"]


@admin.register(TaxCategory)
class TaxCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "supply", "exemption_reason", "product_count"]
    list_filter = ["supply"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [TaxRateInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(products_total=Count("products"))

    @admin.display(description="products", ordering="products_total")
    def product_count(self, category):
        return category.products_total


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "region", "category", "percent", "per_unit_amount",
                    "currency", "compound", "affects_base", "sequence", "effective_from",
                    "effective_to"]
    list_filter = ["country", "category", "compound", "affects_base"]
    search_fields = ["name", "country", "region"]
    list_select_related = ["category"]
    date_hierarchy = "effective_from"


# ---- coupons ----------------------------------------------------------------------------------


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "percent_off", "amount_off", "currency", "duration",
                    "periods", "max_redemptions", "valid_from", "valid_until", "stackable",
                    "active"]
    list_filter = ["active", "duration", "stackable", "currency"]
    search_fields = ["code", "name"]
    filter_horizontal = ["products"]
    fieldsets = [
        (None, {"fields": ["code", "name", "active"]}),
        ("Discount", {"fields": ["percent_off", "amount_off", "currency", "duration",
                                 "periods"]}),
        ("Limits", {"fields": ["max_redemptions", "valid_from", "valid_until", "products",
                               "currencies", "stackable"]}),
    ]


# ---- guided selling ---------------------------------------------------------------------------


class GuidedAnswerInline(admin.TabularInline):
    model = GuidedAnswer
    extra = 2
    show_change_link = True  # the lines an answer proposes are kept on the answer's page


@admin.register(GuidedQuestion)
class GuidedQuestionAdmin(admin.ModelAdmin):
    list_display = ("family", "position", "text", "active")
    list_filter = ("family", "active")
    search_fields = ("text", "family")
    inlines = [GuidedAnswerInline]


class GuidedProposalInline(admin.TabularInline):
    model = GuidedProposal
    extra = 2
    autocomplete_fields = ["product"]


@admin.register(GuidedAnswer)
class GuidedAnswerAdmin(admin.ModelAdmin):
    list_display = ("question", "position", "text")
    list_filter = ("question__family",)
    list_select_related = ("question",)
    inlines = [GuidedProposalInline]
