from django.contrib import admin

from notifications.models import Delivery, Notification, NotificationPreference


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "by_email"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "kind", "text", "read_at", "emailed_at"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in Notification._meta.fields]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subject", "state", "attempts", "failure_reason", "sent_at"]
    list_filter = ["state"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False
