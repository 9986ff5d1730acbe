"""One-time messages carried across a redirect in a short-lived cookie."""

from __future__ import annotations

from urllib.parse import unquote

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "ordena_flash"


def flash_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        found = None
        for key, value in scope.get("headers", []):
            if key == b"cookie":
                for part in value.decode("latin-1").split(";"):
                    name, _sep, val = part.strip().partition("=")
                    if name == COOKIE and val:
                        kind, _s, text = unquote(val).partition("|")
                        found = {"kind": kind if kind in {"success", "error", "info"} else "info", "text": text[:300]}
        scope.setdefault("state", {})["flash"] = found

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start" and found and not 300 <= message["status"] < 400:
                MutableScopeHeaders.from_message(message).add(
                    "Set-Cookie", f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"
                )
            await send(message)

        await app(scope, receive, send_wrapper)

    return middleware
