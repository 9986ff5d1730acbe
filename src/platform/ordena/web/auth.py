"""Who is calling: a browser session cookie, an API bearer token, or nobody.

Also prepares the CSRF token of the request: the session's own token, or for anonymous visitors
an HMAC of a random pre-session cookie (so login and sign-up forms are protected too).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from litestar.exceptions import TooManyRequestsException
from litestar.types import Scope

from ordena.accounts import api_tokens, throttle
from ordena.accounts.sessions import Auth, keep_idle_session_alive, load_session, load_session_in_firm
from ordena.lib.tokens import new_secret
from ordena.settings import Settings
from ordena.tenancy import services as tenancy
from ordena.web.db import request_db


def session_cookie_name(settings: Settings) -> str:
    return "__Host-ordena_session" if settings.secure_cookies else "ordena_session"


def anon_cookie_name(settings: Settings) -> str:
    return "__Host-ordena_anon" if settings.secure_cookies else "ordena_anon"


def device_cookie_name(settings: Settings) -> str:
    return "__Host-ordena_device" if settings.secure_cookies else "ordena_device"


def device_token(settings: Settings, email: str) -> str:
    """What a browser that signed in to ``email`` keeps (a year): the login's per-account
    slow-down spares it. Bound to the account and the secret key; no session rides on it."""
    digest = hmac.new(settings.secret_key.encode(), f"device:{email.strip().lower()}".encode(), hashlib.sha256)
    return digest.hexdigest()


def cookie_header(settings: Settings, name: str, value: str, *, max_age: int | None = None) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if settings.secure_cookies:
        parts.append("Secure")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    return "; ".join(parts)


def set_auth_cookie(response: Any, settings: Settings, name: str, value: str, *, max_age: int) -> None:
    """Set (or, with ``max_age=0``, delete) one of our cookies on a Litestar response, with the
    same flags as :func:`cookie_header`; several may be set on one response."""
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, secure=settings.secure_cookies, samesite="lax"
    )


def anonymous_csrf(settings: Settings, anon: str) -> str:
    return hmac.new(settings.secret_key.encode(), f"csrf:{anon}".encode(), hashlib.sha256).hexdigest()


class _ConnView:
    """Just enough of a connection for ``request_db`` inside middleware."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.app = scope["app"]


async def authenticate(scope: Scope, cookies: dict[str, str]) -> str | None:
    """Put the caller (``state["auth"]``) and the request's CSRF token (``state["csrf_token"]``)
    in the scope. Returns a new anonymous pre-session value when one must be set as a cookie."""
    settings: Settings = scope["app"].state.settings
    state: dict[str, Any] = scope.setdefault("state", {})
    auth = Auth()
    set_anon: str | None = None
    # Bearer tokens open the JSON API only: on the pages a token would skip the CSRF check
    # (no cookie) and could mint new tokens or act through the owner's forms.
    bearer = _bearer(scope) if scope.get("path", "").startswith("/api/") else None
    if bearer is not None:
        auth = await _bearer_auth(scope, settings, bearer)
    else:
        token = cookies.get(session_cookie_name(settings))
        slug = scope.get("path_params", {}).get("slug")
        firm_id = tenancy.cached_tenant_id(slug) if isinstance(slug, str) else None
        if token and firm_id is not None:
            # A firm page: the caller's role there comes in the same round trip, for the guard.
            in_firm = await load_session_in_firm(request_db(_ConnView(scope)), token, firm_id)
            if in_firm is not None:
                session, user, role = in_firm
                auth = Auth(user=user, session=session, scope=dict(session.scope or {}))
                if user is not None:
                    state["firm_role"] = (firm_id, user.id, role)
        elif token:
            loaded = await load_session(request_db(_ConnView(scope)), token)
            if loaded is not None:
                session, user = loaded
                auth = Auth(user=user, session=session, scope=dict(session.scope or {}))
    if auth.session is not None and auth.contact is not None:
        # A client contact's session ends after a few idle days (shared computers), not 14.
        db = await request_db(_ConnView(scope)).session()
        await keep_idle_session_alive(db, auth.session, settings.contact_idle_days)
    if auth.session is not None:
        state["csrf_token"] = auth.session.csrf_token
    else:
        anon = cookies.get(anon_cookie_name(settings))
        if not anon or len(anon) < 20:
            anon = set_anon = new_secret(18)
        state["csrf_token"] = anonymous_csrf(settings, anon)
    state["auth"] = auth
    return set_anon


async def _bearer_auth(scope: Scope, settings: Settings, bearer: str) -> Auth:
    """The token's user; guessing tokens is limited per client address like sign-in (429 for
    every token from an address over the limit, the valid ones too)."""
    db = await request_db(_ConnView(scope)).session()
    client = scope.get("client")
    key = throttle.key_for("guess", "token", client[0] if client else "?")
    limit = settings.guess_failures_per_15min
    try:
        found = await api_tokens.authenticate(
            db, bearer, guess_key=key, guess_limit=limit, window=throttle.GUESS_WINDOW
        )
    except api_tokens.GuessedTooOften as exc:
        raise TooManyRequestsException() from exc
    if found is None:
        if await throttle.hit(db, key, window=throttle.GUESS_WINDOW) > limit:
            raise TooManyRequestsException()
        return Auth()
    return Auth(user=found, via_api_token=True)


def parse_cookies(scope: Scope) -> dict[str, str]:
    """name → value of the request's cookies. Ours are plain tokens (no quoting), so a split
    is enough; the standard library's cookie parser was a measurable part of every request."""
    found: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                name, sep, val = part.strip().partition("=")
                if sep and name and name not in found:
                    found[name] = val
    return found


def _bearer(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"authorization":
            scheme, _sep, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token:
                return token.strip()
    return None
