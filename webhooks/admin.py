"""Admins manage endpoints (the secret is shown on the endpoint's page to give the receiver)
and see each delivery with its attempts; a delivery is replayed, an endpoint enabled again,
through the webhooks services."""

from django.contrib import admin, messages

from core.admin import ReadOnlyMixin
from webhooks import services
from webhooks.models import Attempt, Delivery, Endpoint


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "description", "active", "consecutive_failures", "disabled_at"]
    list_filter = ["active"]
    readonly_fields = ["secret", "consecutive_failures", "disabled_at", "disabled_reason",
                       "created_at"]
    fields = ["url", "description", "event_types", "owner", "active", *readonly_fields]
    actions = ["enable"]

    @admin.action(description="Enable the selected endpoints again")
    def enable(self, request, queryset):
        for endpoint in queryset.order_by("pk"):
            services.enable(endpoint=endpoint, by=request.user)
        messages.success(request, "Enabled; replay the deliveries they missed.")


class AttemptInline(ReadOnlyMixin, admin.TabularInline):
    model = Attempt
    extra = 0
    fields = ["at", "status_code", "error", "duration_ms"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["event", "endpoint", "state", "attempts", "last_status_code",
                    "next_attempt_at", "delivered_at"]
    list_filter = ["state", "endpoint"]
    list_select_related = ["event__content_type", "endpoint"]
    inlines = [AttemptInline]
    actions = ["replay"]

    @admin.action(description="Replay the selected deliveries")
    def replay(self, request, queryset):
        for delivery in queryset.order_by("pk"):
            services.replay(delivery=delivery, by=request.user)
        messages.success(request, "Replayed.")
