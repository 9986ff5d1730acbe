"""CSRF: a token bound to the session (or to the anonymous pre-session) on every unsafe
method, htmx included, plus an Origin / Sec-Fetch-Site check. API token calls carry no cookies
and are exempt."""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.exceptions import PermissionDeniedException

from ordena.web.access import auth_of

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
FIELD = "_csrf"
HEADER = "x-csrf-token"


async def csrf_check(request: Request[Any, Any, Any]) -> None:
    if request.method in SAFE_METHODS:
        return
    if auth_of(request).via_api_token:
        return
    settings = request.app.state.settings
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in {"same-origin", "none"}:
        raise PermissionDeniedException("cross-site request refused")
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        expected = urlsplit(settings.base_url)
        got = urlsplit(origin)
        allowed = {(expected.scheme, expected.netloc)}
        if settings.environment == "development":
            # Local development may be opened as localhost or 127.0.0.1 alike; everywhere else
            # the configured base URL is the only origin (the Host header can be forged or
            # rewritten by a proxy, and scheme matters).
            allowed.add((request.url.scheme, request.headers.get("host", "")))
        if (got.scheme, got.netloc) not in allowed:
            raise PermissionDeniedException("cross-origin request refused")
    sent = request.headers.get(HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(FIELD)
            sent = value if isinstance(value, str) else None
    expected_token = request.scope.get("state", {}).get("csrf_token", "")
    if not sent or not expected_token or not hmac.compare_digest(sent, expected_token):
        raise PermissionDeniedException("missing or invalid CSRF token")
