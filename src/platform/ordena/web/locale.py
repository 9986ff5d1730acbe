"""Chooses the request's language: explicit choice (cookie) > user's setting > browser > Spanish."""

from __future__ import annotations

from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from ordena.web import i18n

LANG_COOKIE = "ordena_lang"


def locale_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        chosen: str | None = None
        accept: str | None = None
        for key, value in scope.get("headers", []):
            if key == b"cookie":
                for part in value.decode("latin-1").split(";"):
                    name, _sep, val = part.strip().partition("=")
                    if name == LANG_COOKIE and val in i18n.LOCALES:
                        chosen = val
            elif key == b"accept-language":
                accept = value.decode("latin-1")
        if chosen is None:
            auth: Any = scope.get("state", {}).get("auth")
            user = getattr(auth, "user", None)
            chosen = getattr(user, "locale", None) if user is not None else None
        locale = chosen or i18n.negotiate(accept) or scope["app"].state.settings.default_locale
        i18n.set_locale(locale)
        scope.setdefault("state", {})["locale"] = i18n.get_locale()
        await app(scope, receive, send)

    return middleware
