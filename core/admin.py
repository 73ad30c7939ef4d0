"""Admin building blocks the apps share, and the API keys admins issue, rotate and revoke."""

from django import forms
from django.contrib import admin, messages

from core import api_keys
from core.models import ApiKey
from core.roles import role_permissions


class ReadOnlyMixin:
    """Documents are shown in admin, never added, edited or deleted there: their life goes
    through the services (and state machines) behind the app's own pages."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _all_grants() -> list[tuple[str, str]]:
    names = sorted({name for names in role_permissions().values() for name in names})
    return [(name, name) for name in names]


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        required=False, choices=_all_grants, widget=forms.SelectMultiple(attrs={"size": 15}),
        help_text="Leave empty for every grant of the user's roles.")

    class Meta:
        model = ApiKey
        fields = ["user", "name", "kind", "scopes", "expires_at"]

    def clean(self):
        data = super().clean()
        if data.get("user") is not None:
            errors, _ = api_keys.key_errors(
                user=data["user"], name=data.get("name", ""), kind=data.get("kind", ""),
                scopes=data.get("scopes"), expires_at=data.get("expires_at"))
            for field, messages_ in errors.items():
                self.add_error(field if field in self.fields else None, messages_)
        return data


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued here (the token is shown once, in the message after saving), then only
    read, rotated or revoked: the stored hash never changes."""

    form = ApiKeyForm
    list_display = ["name", "user", "kind", "prefix", "expires_at", "last_used_at",
                    "revoked_at"]
    list_filter = ["kind", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["rotate", "revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:  # issuing: the form's fields only
            return []
        return ["user", "name", "kind", "prefix", "scopes", "expires_at", "last_used_at",
                "revoked_at", "revoked_by", "replaced_by", "created_by", "created_at"]

    def has_module_permission(self, request):
        return request.user.has_perm(api_keys.MANAGE)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(api_keys.MANAGE)

    def has_add_permission(self, request):
        return request.user.has_perm(api_keys.MANAGE)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        issued = api_keys.issue_api_key(
            user=obj.user, name=obj.name, kind=obj.kind, scopes=form.cleaned_data["scopes"],
            expires_at=obj.expires_at, by=request.user)
        for field in ApiKey._meta.concrete_fields:
            setattr(obj, field.attname, getattr(issued.key, field.attname))
        obj._state.adding = False
        messages.warning(request, f"The key for {obj.user}: {issued.token} — copy it now, it "
                                  "is not shown again.")

    @admin.action(description="Rotate the selected keys (new tokens shown once)")
    def rotate(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True).order_by("pk"):
            issued = api_keys.rotate_api_key(key=key, by=request.user)
            messages.warning(request, f"{key.name} for {key.user}: {issued.token} — copy it "
                                      "now, it is not shown again.")

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request, queryset):
        revoked = 0
        for key in queryset.filter(revoked_at__isnull=True).order_by("pk"):
            api_keys.revoke_api_key(key=key, by=request.user)
            revoked += 1
        messages.success(request, f"{revoked} key(s) revoked.")
