"""Security headers on every response, and a request id for logs."""

from __future__ import annotations

import time
from typing import Any

import structlog
from litestar.types import Scope

log = structlog.get_logger("ordena.http")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)


def log_request(scope: Scope, status: int | None, started: float) -> None:
    """One JSON line per request (static files excepted), with the bound request id."""
    path = scope.get("path", "")
    if not path.startswith("/static/"):
        log.info(
            "request",
            method=scope.get("method"),
            path=path,
            status=status,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )


_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")


def with_security_headers(headers: Any, request_id: str, secure: bool) -> list[tuple[bytes, bytes]]:
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
