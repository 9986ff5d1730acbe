"""Security headers on every response, and a request id for logs."""

from __future__ import annotations

import secrets
import time
from typing import Any

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("ordena.http")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


def security_headers_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status: dict[str, Any] = {}
        secure = scope["app"].state.settings.secure_cookies

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = MutableScopeHeaders.from_message(message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
                headers["X-Request-Id"] = request_id
                if secure:
                    headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
            await send(message)

        try:
            await app(scope, receive, send_wrapper)
        finally:
            path = scope.get("path", "")
            if not path.startswith("/static/"):
                log.info(
                    "request",
                    method=scope.get("method"),
                    path=path,
                    status=status.get("code"),
                    ms=round((time.perf_counter() - started) * 1000, 1),
                )
            structlog.contextvars.clear_contextvars()

    return middleware


async def security_headers_before_send(message: Message, scope: Scope) -> None:
    """The same headers for responses no middleware sees (Litestar answers unknown URLs and
    wrong methods before the middleware stack runs)."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if "x-request-id" not in headers:
        headers["X-Request-Id"] = scope.get("state", {}).get("request_id") or secrets.token_hex(8)
    app = scope.get("app")
    if app is not None and app.state.settings.secure_cookies:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
