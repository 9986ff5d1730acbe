"""What every request goes through before and after its handler, as one ASGI middleware.

In order: a request id (bound to the logs), the cookies read once, the flash message, who is
calling and the CSRF token (skipped for static files), the language, hostile input refused
(``input_guard``). On the way out: the
security headers, the anonymous pre-session cookie when one was made, the flash cookie cleared
once shown, the request's database work closed, one log line.

One middleware rather than one per concern: each layer wraps every response message again, and
the five layers this replaced were a measurable share of the cheapest requests (benchmarked,
docs/benchmarks.md). Each concern's rules stay in its own module.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from ordena.settings import Settings
from ordena.web import flash
from ordena.web.auth import anon_cookie_name, authenticate, cookie_header, parse_cookies
from ordena.web.db import close_request_db
from ordena.web.input_guard import check_target, screened_receive
from ordena.web.locale import choose_locale
from ordena.web.security import log_request, with_security_headers
from ordena.web.templating import bind_request_state

# What the middleware leaves in the scope's state for the response's first message, and the
# status that message carried (for the log line).
_OUT = "_ordena_out"
_STATUS = "_ordena_status"


def request_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        settings: Settings = scope["app"].state.settings
        state: dict[str, Any] = scope.setdefault("state", {})
        request_id = secrets.token_hex(8)
        state["request_id"] = request_id
        bind_request_state(state)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            cookies = parse_cookies(scope)
            shown = state["flash"] = flash.read_flash(cookies)
            set_anon = None
            if not scope.get("path", "").startswith("/static/"):
                set_anon = await authenticate(scope, cookies)
            choose_locale(scope, cookies)
            check_target(scope)
            receive = await screened_receive(scope, receive, settings.max_body_bytes)
            # The response's own headers are added by :func:`response_start` (the app's
            # before-send hook, which wraps ``send`` anyway): no wrapper of our own around
            # ``send`` (each layer is another call per response message; profiled).
            state[_OUT] = (set_anon, shown is not None)
            await app(scope, receive, send)
        finally:
            try:
                await close_request_db(state)
            finally:
                log_request(scope, state.get(_STATUS), started)
                structlog.contextvars.clear_contextvars()

    return middleware


async def response_start(message: Message, scope: Scope) -> None:
    """On every response's first message: the security headers and the request id; once the
    middleware let the request through, also the anonymous pre-session cookie when one was
    made and the flash cookie cleared once shown (not on a redirect: it carries the message
    on). Also answers for responses no middleware sees (Litestar answers unknown URLs and wrong
    methods before the middleware stack runs)."""
    if message["type"] != "http.response.start":
        return
    state = scope.get("state")
    if state is None:
        state = scope["state"] = {}
    app = scope.get("app")
    secure = bool(app is not None and app.state.settings.secure_cookies)
    status = state[_STATUS] = message["status"]
    headers = with_security_headers(message.get("headers", ()), state.get("request_id") or secrets.token_hex(8), secure)
    out = state.get(_OUT)
    if out is not None:
        settings: Settings = app.state.settings  # the middleware ran: there is an app
        set_anon, shown = out
        if set_anon:
            headers.append((b"set-cookie", cookie_header(settings, anon_cookie_name(settings), set_anon).encode()))
        if shown and not 300 <= status < 400:
            headers.append(flash.CLEAR)
    message["headers"] = headers
