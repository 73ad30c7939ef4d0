"""Who calls: a program with an API key (`Authorization: Bearer q2c_…`), or the browser with
its session (DRF's session authentication, which enforces CSRF on writes)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from core.api_keys import key_for_token, limit_to_scopes


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the key as 'Authorization: Bearer <key>'.")
        key = key_for_token(header[1])
        if key is None:
            raise exceptions.AuthenticationFailed("The API key is unknown, expired or revoked.")
        user = key.user
        limit_to_scopes(user, key.scopes)
        return user, key

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "An API key, `q2c_<prefix>_<secret>`, issued in admin."}
