"""CSRF: a token bound to the session (or to the anonymous pre-session) on every unsafe
method, htmx included, plus an Origin / Sec-Fetch-Site check. API token calls carry no cookies
and are exempt."""

from __future__ import annotations

import hmac
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.exceptions import PermissionDeniedException

from ordena.web.access import auth_of

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
FIELD = "_csrf"
HEADER = b"x-csrf-token"


_READ = {b"sec-fetch-site", b"origin", HEADER, b"content-type", b"host"}


def _few_headers(scope: Any) -> dict[bytes, str]:
    """The headers this check reads (the first of each), straight from the ASGI scope: it runs
    on every unsafe request, and building Litestar's full headers object was measurable."""
    found: dict[bytes, str] = {}
    for key, value in scope.get("headers", ()):
        if key in _READ and key not in found:
            found[key] = value.decode("latin-1")
    return found


@lru_cache(maxsize=8)
def _origin_of(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


async def csrf_check(request: Request[Any, Any, Any]) -> None:
    if request.method in SAFE_METHODS:
        return
    if auth_of(request).via_api_token:
        return
    if request.route_handler.opt.get("csrf_exempt"):
        return  # a webhook signed by its sender (Stripe), which carries no browser session
    settings = request.app.state.settings
    headers = _few_headers(request.scope)
    site = headers.get(b"sec-fetch-site")
    if site is not None and site not in {"same-origin", "none"}:
        raise PermissionDeniedException("cross-site request refused")
    origin = headers.get(b"origin")
    if origin is not None and origin != "null":
        allowed = {_origin_of(settings.base_url)}
        if settings.environment == "development":
            # Local development may be opened as localhost or 127.0.0.1 alike; everywhere else
            # the configured base URL is the only origin (the Host header can be forged or
            # rewritten by a proxy, and scheme matters).
            allowed.add((request.url.scheme, headers.get(b"host", "")))
        if _origin_of(origin) not in allowed:
            raise PermissionDeniedException("cross-origin request refused")
    sent = headers.get(HEADER)
    if sent is None:
        content_type = headers.get(b"content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(FIELD)
            sent = value if isinstance(value, str) else None
    expected_token = request.scope.get("state", {}).get("csrf_token", "")
    if not sent or not expected_token or not hmac.compare_digest(sent, expected_token):
        raise PermissionDeniedException("missing or invalid CSRF token")
