"""Chooses the request's language: explicit choice (cookie) > user's setting > browser > Spanish."""

from __future__ import annotations

from litestar.types import Scope

from ordena.lib import i18n

LANG_COOKIE = "ordena_lang"


def choose_locale(scope: Scope, cookies: dict[str, str]) -> str:
    """Set (and return) the request's language: cookie, then the signed-in user's setting,
    then the browser's Accept-Language, then the default."""
    chosen = cookies.get(LANG_COOKIE)
    if chosen not in i18n.LOCALES:
        chosen = None
    state = scope.setdefault("state", {})
    if chosen is None:
        user = getattr(state.get("auth"), "user", None)
        chosen = getattr(user, "locale", None) if user is not None else None
    if chosen is None:
        accept = None
        for key, value in scope.get("headers", ()):
            if key == b"accept-language":
                accept = value.decode("latin-1")
                break
        chosen = i18n.negotiate(accept)
    i18n.set_locale(chosen or scope["app"].state.settings.default_locale)
    locale = i18n.get_locale()
    state["locale"] = locale
    return locale
