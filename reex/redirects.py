"""The one helper for `next=` redirects: only to this site, never to another host.

Every view that redirects to a URL taken from the request (`?next=`, a form
field, the Referer) goes through `safe_next`, so `//evil.com`,
`https:evil.com`, `/\\evil.com` and `javascript:` all fall back to a local page.
"""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, fallback: str, *, param: str = "next") -> str:
    """The `next` URL from POST or GET if it stays on this site, else `fallback`."""
    candidate = request.POST.get(param) or request.GET.get(param) or ""
    return candidate if is_safe_url(request, candidate) else fallback


def is_safe_url(request: HttpRequest, url: str) -> bool:
    if not url or not url.strip():
        return False
    # Control characters and backslashes are how browsers are tricked into a
    # different host than the one Django parsed; a local URL never needs them.
    if "\\" in url or any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return False
    return url_has_allowed_host_and_scheme(
        url,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    )
