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
        status: int | None = None
        try:
            cookies = parse_cookies(scope)
            shown = state["flash"] = flash.read_flash(cookies)
            set_anon = None
            if not scope.get("path", "").startswith("/static/"):
                set_anon = await authenticate(scope, cookies)
            choose_locale(scope, cookies)
            check_target(scope)
            receive = await screened_receive(scope, receive, settings.max_body_bytes)

            async def send_wrapper(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    headers = with_security_headers(message.get("headers", ()), request_id, settings.secure_cookies)
                    if set_anon:
                        headers.append(
                            (b"set-cookie", cookie_header(settings, anon_cookie_name(settings), set_anon).encode())
                        )
                    if shown and not 300 <= message["status"] < 400:
                        headers.append(flash.CLEAR)
                    message["headers"] = headers
                    state["security_headers"] = True
                await send(message)

            await app(scope, receive, send_wrapper)
        finally:
            try:
                await close_request_db(state)
            finally:
                log_request(scope, status, started)
                structlog.contextvars.clear_contextvars()

    return middleware
