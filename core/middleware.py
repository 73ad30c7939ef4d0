"""Refusals that hold for every page, before any view runs."""

from django.http import HttpResponseBadRequest

NUL = "\x00"
NUL_REFUSAL = ("The request holds a NUL character (\\x00), which no field accepts: "
               "remove it and try again.")


class RefuseNulCharacters:
    """A NUL character in a query parameter or a form field is refused with a 400 (a database
    refuses it in text, so it would surface as a 500 in whichever view reads it raw). Views
    exempt from CSRF (signed webhooks) read their raw body themselves: parsing it as a form
    here would consume the stream they verify."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        reads_form = request.method == "POST" and not getattr(view_func, "csrf_exempt", False)
        if NUL in request.path or _holds_nul(request.GET) or (
                reads_form and _holds_nul(request.POST)):
            return HttpResponseBadRequest(NUL_REFUSAL, content_type="text/plain; charset=utf-8")
        return None


def _holds_nul(data) -> bool:
    return any(NUL in key or any(NUL in value for value in data.getlist(key)) for key in data)


class ContentSecurityPolicy:
    """Sends `settings.CONTENT_SECURITY_POLICY` with every response that has none of its own.

    Our pages load scripts and styles from our own static files only (no inline script, no
    `<style>` element), so the policy can forbid everything else: an injected `<script>` or a
    form posting elsewhere does not run. A view that needs another policy sets the header
    itself. Django's own debug pages (DEBUG only) are left alone: they are inline HTML."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY
        self.debug = settings.DEBUG

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response and not (
                self.debug and response.status_code in (404, 500)):
            response["Content-Security-Policy"] = self.policy
        return response


# The API's rendered documentation (Swagger UI, Redoc) are third-party pages that run inline
# scripts and styles and start web workers from blobs; they are read-only and show no data.
API_DOCS_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self' 'unsafe-inline'", "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:", "font-src 'self' data:", "worker-src 'self' blob:",
    "connect-src 'self'", "frame-ancestors 'self'", "object-src 'none'", "base-uri 'self'",
])


def with_content_security_policy(view, policy: str = API_DOCS_POLICY):
    """`view` answering with its own policy instead of the site's."""
    from functools import wraps

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = policy
        return response

    return wrapped
