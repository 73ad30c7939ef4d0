"""Rate limits per API key (or per signed-in user for the browser): `API_RATE_LIMIT`."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.models import ApiKey


class KeyRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiKey):
            return self.cache_format % {"scope": self.scope, "ident": f"key-{request.auth.pk}"}
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": f"user-{request.user.pk}"}
        return None
