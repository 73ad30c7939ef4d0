"""The one safe `next`: every page that sends the user back to where they came from goes
through `safe_next`, so no form can send them to another site."""

from django.utils.http import url_has_allowed_host_and_scheme


def is_safe_url(request, url: str) -> bool:
    """A path on this site (or a URL of this host), never another host, scheme trick or
    control character: `//evil`, `https:evil`, `http://host@evil`, `\\\\evil`."""
    if not url or any(ord(char) < 32 for char in url) or "\\" in url:
        return False
    return url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure())


def safe_next(request, default: str, *, url: str | None = None) -> str:
    """`url` (default: the POSTed `next`, else the query's) when it is safe, else `default`."""
    if url is None:
        url = request.POST.get("next") or request.GET.get("next") or ""
    return url if is_safe_url(request, url) else default
