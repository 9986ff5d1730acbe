"""Security headers on every response, and a request id for logs."""

from __future__ import annotations

import secrets
import time
from typing import Any

import structlog
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
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status: dict[str, Any] = {}
        secure = scope["app"].state.settings.secure_cookies

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = _with_security_headers(message.get("headers", ()), request_id, secure)
                state["security_headers"] = True
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


_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")


def _with_security_headers(headers: Any, request_id: str, secure: bool) -> list[tuple[bytes, bytes]]:
    """The response's headers plus ours, where the handler did not set its own (a page may
    set a narrower Referrer-Policy, for instance); the request id always ours. Raw header
    pairs, not a headers object: this runs on every response (profiled)."""
    out = [(bytes(k), bytes(v)) for k, v in headers if bytes(k).lower() != b"x-request-id"]
    present = {k.lower() for k, _v in out}
    out.extend(pair for pair in _HEADERS if pair[0] not in present)
    if secure and _HSTS[0] not in present:
        out.append(_HSTS)
    out.append((b"x-request-id", request_id.encode()))
    return out


async def security_headers_before_send(message: Message, scope: Scope) -> None:
    """The same headers for responses no middleware sees (Litestar answers unknown URLs and
    wrong methods before the middleware stack runs)."""
    if message["type"] != "http.response.start":
        return
    state = scope.get("state", {})
    if state.get("security_headers"):
        return  # the middleware added them already
    app = scope.get("app")
    secure = bool(app is not None and app.state.settings.secure_cookies)
    message["headers"] = _with_security_headers(
        message.get("headers", ()), state.get("request_id") or secrets.token_hex(8), secure
    )
