"""Cross-site request protection without a cookie, for the one public form that promises
none (the tip form, docs/security.md "The public tip page").

Django's CSRF protection needs a `csrftoken` cookie. A form that anyone may send without an
account has no session to ride on; what remains to stop is a hostile page making visitors'
browsers send tips (to launder them through many addresses). Every current browser sends
`Origin` on a form POST, and the hostile page cannot choose it; so a POST is taken only when
its `Origin` (or, without one, its `Referer`) is this site or one of `CSRF_TRUSTED_ORIGINS`.
A POST with neither header is refused too (OWASP's advice for a missing origin)."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower() if parts.scheme and parts.netloc else ""


def posted_from_this_site(request: HttpRequest) -> bool:
    """True when the request's Origin (else its Referer) names this site. The Django test
    client's flag that switches CSRF checks off (`enforce_csrf_checks=False`) is honoured
    like Django's own middleware does, so tests that are not about CSRF need no headers."""
    if getattr(request, "_dont_enforce_csrf_checks", False):
        return True
    origin = request.META.get("HTTP_ORIGIN")
    if origin is None:
        origin = _origin_of(request.META.get("HTTP_REFERER", ""))
    if not origin or origin == "null":
        return False
    try:
        here = f"{request.scheme}://{request.get_host()}".lower()
    except DisallowedHost:
        return False
    trusted = {o.lower().rstrip("/") for o in settings.CSRF_TRUSTED_ORIGINS}
    return origin.lower().rstrip("/") in {here, *trusted}
