"""Sign-up, login/logout, password reset, single-use links, account and API tokens."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from litestar import Request, get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from ordena.accounts import api_tokens, passwords, services, throttle
from ordena.accounts.sessions import revoke, revoke_all_for_user, start_session
from ordena.assessments.invitations import remember_scope_locale
from ordena.lib.clock import now
from ordena.lib.errors import FormErrors, NotFound
from ordena.lib.i18n import LOCALES, _, ngettext
from ordena.mail.services import send_mail
from ordena.networks.services import networks_of_admin
from ordena.settings import Settings
from ordena.tenancy.invitations import accept_invitation
from ordena.tenancy.services import firms_of_user
from ordena.web.auth import (
    anon_cookie_name,
    device_cookie_name,
    device_token,
    session_cookie_name,
    set_auth_cookie,
)
from ordena.web.deps import DB, CurrentAuth, Form
from ordena.web.forms import FormError
from ordena.web.locale import LANG_COOKIE
from ordena.web.pages import HTML, redirect, set_flash

PUBLIC = {"access": "public"}
USER = {"access": "user"}
RESET_MAILS_PER_15MIN = 3
DEVICE_AGE = 365 * 86400  # the known-device cookie (see web.auth.device_token)
# How long after following a reset link the new password may be set without the old one.
RESET_SESSION_WINDOW = dt.timedelta(hours=1)


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _safe_next(value: str | None) -> str:
    """Only local paths: never an open redirect. Browsers read a backslash as a slash (a path
    starting with slash + backslash goes to another host) and drop tabs and newlines from a URL,
    so neither is accepted anywhere in the path."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value)
        or urlsplit(value).netloc
    ):
        return "/"
    return value


async def _login_response(
    request: Request[Any, Any, Any],
    db: DB,
    user_id: UUID | None,
    target: str,
    *,
    scope: dict[str, Any] | None = None,
    auth: CurrentAuth | None = None,
) -> Redirect:
    settings = _settings(request)
    contact = (scope or {}).get("kind") == "contact"
    token, _row = await start_session(
        db,
        user_id=user_id,
        # A contact's session expires when idle (web.auth keeps it alive while it is used).
        days=settings.contact_idle_days if contact else settings.session_days,
        scope=scope,
        user_agent=request.headers.get("user-agent", ""),
        replace=auth.session if auth else None,
    )
    response = redirect(target)
    set_auth_cookie(response, settings, session_cookie_name(settings), token, max_age=settings.session_days * 86400)
    # The pre-login anonymous state (and its CSRF token) ends here; a fresh one starts after logout.
    set_auth_cookie(response, settings, anon_cookie_name(settings), "", max_age=0)
    return response


@get("/signup", opt=PUBLIC, name="signup")
async def signup_form() -> Template:
    return Template("accounts/signup.html", context={"values": {}, "errors": FormErrors()})


@post("/signup", opt=PUBLIC)
async def signup(request: Request[Any, Any, Any], db: DB, data: Form, auth: CurrentAuth) -> Redirect:
    values = {k: str(v) for k, v in data.items() if k not in {"password", "_csrf"}}
    try:
        tenant, user = await services.sign_up(
            db,
            services.SignUp(
                firm_name=str(data.get("firm_name", "")),
                slug=str(data.get("slug", "")),
                name=str(data.get("name", "")),
                email=str(data.get("email", "")),
                password=str(data.get("password", "")),
                locale=str(request.scope["state"].get("locale", "es")),
            ),
        )
    except services.SignUpInvalid as exc:
        raise FormError("accounts/signup.html", {"values": values}, exc.errors) from exc
    response = await _login_response(request, db, user.id, f"/w/{tenant.slug}", auth=auth)
    return response


@get("/login", opt=PUBLIC, name="login")
async def login_form(next: FromQuery[str | None] = None) -> Template:
    return Template(
        "accounts/login.html", context={"values": {"next": _safe_next(next)}, "errors": FormErrors()}, media_type=HTML
    )


@post("/login", opt=PUBLIC)
async def login(request: Request[Any, Any, Any], db: DB, data: Form, auth: CurrentAuth) -> Redirect:
    email = str(data.get("email", ""))
    values = {"email": email, "next": _safe_next(str(data.get("next") or ""))}
    errors = FormErrors()
    ip = request.client.host if request.client else "?"
    settings = _settings(request)
    device = request.cookies.get(device_cookie_name(settings), "")
    known = bool(email) and hmac.compare_digest(device, device_token(settings, email))
    try:
        user = await services.authenticate(db, settings, email, str(data.get("password", "")), ip, known_device=known)
    except services.TooManyAttempts as exc:
        errors.add("__all__", _("Demasiados intentos. Espera 15 minutos o restablece tu contraseña."))
        raise FormError("accounts/login.html", {"values": values}, errors, status_code=429) from exc
    if user is None:
        errors.add("__all__", _("Correo o contraseña incorrectos."))
        raise FormError("accounts/login.html", {"values": values}, errors, status_code=400)
    response = await _login_response(request, db, user.id, values["next"], auth=auth)
    set_auth_cookie(response, settings, device_cookie_name(settings), device_token(settings, email), max_age=DEVICE_AGE)
    return response


@post("/logout", opt=PUBLIC)
async def logout(request: Request[Any, Any, Any], db: DB, auth: CurrentAuth) -> Redirect:
    """Ends the browser's session, a user's or a client contact's (a contact goes to the page
    where they can ask for a new link). Without a session there is nothing to end."""
    if auth.session is not None:
        await revoke(db, auth.session)
    settings = _settings(request)
    target = "/c/link" if auth.contact is not None else "/login"
    response = redirect(target, flash=_("Cerraste sesión."), kind="info")
    set_auth_cookie(response, settings, session_cookie_name(settings), "", max_age=0)
    return response


@post("/lang", opt=PUBLIC)
async def switch_language(db: DB, data: Form, auth: CurrentAuth) -> Redirect:
    lang = str(data.get("lang", "es"))
    if lang not in LOCALES:
        lang = "es"
    if auth.contact is not None:
        # A client contact's emails follow the language they choose on their pages.
        await remember_scope_locale(db, auth.contact, lang)
    response = Redirect(path=_safe_next(str(data.get("next") or "/")), status_code=303)
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, httponly=True, samesite="lax", path="/")
    return response


@get("/password/forgot", opt=PUBLIC, name="password_forgot")
async def forgot_form() -> Template:
    return Template("accounts/forgot.html", context={"values": {}, "errors": FormErrors(), "sent": False})


@post("/password/forgot", opt=PUBLIC)
async def forgot(request: Request[Any, Any, Any], db: DB, data: Form) -> Template:
    errors = FormErrors()
    email = services.normalize_email(str(data.get("email", "")), errors, lookup=True)
    if errors:
        raise FormError("accounts/forgot.html", {"values": {"email": email}, "sent": False}, errors)
    ip = request.client.host if request.client else "?"
    if await throttle.hit(db, throttle.key_for("forgot", ip), window=dt.timedelta(minutes=15)) > 20:
        raise HTTPException(status_code=429)
    # At most a few reset emails per address and window, whoever asks (no mail bombing from
    # many addresses); the answer stays the same.
    per_address = await throttle.hit(db, throttle.key_for("forgot-email", email), window=dt.timedelta(minutes=15))
    user = await services.user_by_email(db, email)
    settings = _settings(request)
    if user is not None and user.is_active and per_address <= RESET_MAILS_PER_15MIN:
        url = await services.issue_link(
            db, settings, purpose=services.PASSWORD_RESET, email=user.email, user_id=user.id
        )
        await send_mail(
            db,
            templates_dir=settings.templates_dir,
            to=user.email,
            template="password_reset",
            context={"name": user.name, "url": url, "hours": settings.link_ttl_hours},
            locale=user.locale,
        )
    # Same answer whether or not the account exists.
    return Template("accounts/forgot.html", context={"values": {"email": email}, "errors": FormErrors(), "sent": True})


def _no_referrer(response: Response[Any]) -> Response[Any]:
    # The page's address holds the secret: it must not leak to other sites or caches.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "?"


async def _refuse_guessers(request: Request[Any, Any, Any], db: DB) -> None:
    """Link secrets are guessed like passwords: an address that opened too many unknown or
    spent links this window gets 429 for every link, the good ones too."""
    if await throttle.guessing_refused(db, "link", _ip(request), _settings(request).guess_failures_per_15min):
        raise HTTPException(status_code=429)


def _link_invalid(*, contact: bool) -> Response[Any]:
    return _no_referrer(
        Template(
            "accounts/link_invalid.html",
            context={"contact": contact, "values": {}, "errors": FormErrors()},
            status_code=410,
        )
    )


@get("/links/{secret:str}", opt=PUBLIC, name="link")
async def follow_link(
    request: Request[Any, Any, Any], db: DB, secret: FromPath[str], auth: CurrentAuth
) -> Response[Any]:
    """Every emailed link (contact sign-in, password reset, colleague invitation) opens a page
    whose button uses it (POST): mail scanners and link previews open links with GET, and must
    neither use them up nor sign anyone in. The GET changes nothing."""
    await _refuse_guessers(request, db)
    peeked = await services.peek_link(db, secret)
    if peeked is None:
        await throttle.guess_failed(db, "link", _ip(request))
        return _link_invalid(contact=False)
    link, usable = peeked
    contact = link.purpose == services.CONTACT_SIGN_IN
    if not usable:
        return _link_invalid(contact=contact)
    other = None
    if auth.user is not None:
        other = auth.user.email
    elif auth.contact is not None and auth.contact.get("contact_id") != link.scope.get("contact_id"):
        other = _("otro contacto")
    context = {
        "secret": secret,
        "email": link.email,
        "other": other,
        "purpose": link.purpose,
        "contact": contact,
        "invited_by": str(link.scope.get("invited_by") or ""),
    }
    return _no_referrer(Template("accounts/link_open.html", context=context))


@post("/links/{secret:str}", opt=PUBLIC)
async def use_link(request: Request[Any, Any, Any], db: DB, secret: FromPath[str], auth: CurrentAuth) -> Response[Any]:
    await _refuse_guessers(request, db)
    return await _use_link(request, db, secret, auth)


async def _use_link(request: Request[Any, Any, Any], db: DB, secret: str, auth: CurrentAuth) -> Response[Any]:
    """Exchange a single-use emailed link for a session; the secret is not kept."""
    link = await services.consume_link(db, secret)
    if link is None:
        await throttle.guess_failed(db, "link", _ip(request))
        return _link_invalid(contact=False)
    target = "/"
    user_id = link.user_id
    scope: dict[str, Any] | None = None
    if link.purpose == services.PASSWORD_RESET:
        target = "/account/password?reset=1"
        scope = {"kind": "reset"}
    elif link.purpose == services.INVITATION:
        user_id, target = await accept_invitation(db, link)
    elif link.purpose == services.CONTACT_SIGN_IN:
        user_id = None
        scope = {"kind": "contact", **link.scope}
        target = str(link.scope.get("landing") or "/")
        await remember_scope_locale(db, link.scope, str(request.scope["state"].get("locale", "es")))
    response = await _login_response(request, db, user_id, target, scope=scope, auth=auth)
    return _no_referrer(response)


def _may_skip_current_password(auth: CurrentAuth) -> bool:
    """A session opened by a reset link, or an invited user who has no password yet, may set one
    without the current password (decided by the session, never by the query string). A reset
    session allows it only shortly after the link was followed: left open on a shared computer
    for days, it is an ordinary session."""
    assert auth.user is not None
    if not auth.user.password_hash:
        return True
    if auth.scope.get("kind") != "reset" or auth.session is None:
        return False
    return bool(auth.session.created_at > now() - RESET_SESSION_WINDOW)


def _asks_name(auth: CurrentAuth) -> bool:
    """Someone who joined by an invitation and has never had a password also tells us their name."""
    assert auth.user is not None
    return not auth.user.password_hash


@get("/account/password", opt=USER, name="account_password")
async def password_form(auth: CurrentAuth) -> Template:
    # A ``?reset=1`` in the URL only says where the visitor came from; the session decides.
    assert auth.user is not None
    return Template(
        "accounts/password.html",
        context={
            "errors": FormErrors(),
            "reset": _may_skip_current_password(auth),
            "ask_name": _asks_name(auth),
            "values": {"name": auth.user.name},
        },
    )


@post("/account/password", opt=USER)
async def change_password(request: Request[Any, Any, Any], db: DB, data: Form, auth: CurrentAuth) -> Redirect:
    assert auth.user is not None
    errors = FormErrors()
    new = str(data.get("password", ""))
    reset = _may_skip_current_password(auth)
    ask_name = _asks_name(auth)
    name = " ".join(str(data.get("name", "")).split())
    if ask_name and not name:
        errors.add("name", _("Escribe tu nombre."))
    elif ask_name and len(name) > 200:
        errors.add("name", _("El nombre es demasiado largo (máximo 200 caracteres)."))
    if not reset and not passwords.verify_password(auth.user.password_hash, str(data.get("current", ""))):
        errors.add("current", _("La contraseña actual no es correcta."))
    weak = passwords.weakness(new, email=auth.user.email)
    if weak:
        errors.add("password", weak)
    elif new != str(data.get("confirm", "")):
        errors.add("confirm", _("Las contraseñas no coinciden."))
    if errors:
        raise FormError(
            "accounts/password.html", {"reset": reset, "ask_name": ask_name, "values": {"name": name}}, errors
        )
    if ask_name:
        await services.set_name(db, auth.user, name)
    revoked = await services.set_password(db, auth.user, new)
    # A password change ends every other session, then starts a fresh one here.
    await revoke_all_for_user(db, auth.user.id)
    if not revoked:
        return await _login_response(request, db, auth.user.id, "/")
    response = await _login_response(request, db, auth.user.id, "/account/tokens")
    message = ngettext(
        "Tu contraseña cambió. Por seguridad se revocó {n} token de API: crea uno nuevo si lo necesitas.",
        "Tu contraseña cambió. Por seguridad se revocaron tus {n} tokens de API: crea uno nuevo si lo necesitas.",
        revoked,
    ).format(n=revoked)
    set_flash(response, message, kind="info")
    return response


def _expiry_options() -> list[tuple[str, str]]:
    return [
        (str(days) if days else "", _("{n} días").format(n=days) if days else _("Sin vencimiento"))
        for days in api_tokens.EXPIRY_CHOICES
    ]


def _tokens_context(tokens: list[Any], **context: Any) -> dict[str, Any]:
    values = {"expires_days": str(api_tokens.DEFAULT_DAYS), **context.pop("values", {})}
    return {
        "tokens": tokens,
        "new_secret": None,
        "errors": FormErrors(),
        "values": values,
        "expiry_options": _expiry_options(),
        "now": now(),
        **context,
    }


@get("/account/tokens", opt=USER, name="api_tokens")
async def tokens_page(db: DB, auth: CurrentAuth) -> Template:
    assert auth.user is not None
    tokens = await api_tokens.list_for_user(db, auth.user.id)
    return Template("accounts/tokens.html", context=_tokens_context(tokens))


@post("/account/tokens", opt=USER)
async def create_token(db: DB, auth: CurrentAuth, data: Form) -> Template:
    assert auth.user is not None
    name = str(data.get("name", "")).strip()
    expiry = str(data.get("expires_days", str(api_tokens.DEFAULT_DAYS))).strip()
    errors = FormErrors()
    if not name or len(name) > 100:
        errors.add("name", _("Escribe un nombre de hasta 100 caracteres para reconocer el token."))
    choices = {str(days) if days else "": days for days in api_tokens.EXPIRY_CHOICES}
    if expiry not in choices:
        errors.add("expires_days", _("Elige uno de los plazos de la lista."))
    if errors:
        tokens = await api_tokens.list_for_user(db, auth.user.id)
        raise FormError(
            "accounts/tokens.html",
            _tokens_context(tokens, values={"name": name, "expires_days": expiry}),
            errors,
        )
    days = choices[expiry]
    secret, _row = await api_tokens.create(db, auth.user.id, name, expires_in=dt.timedelta(days=days) if days else None)
    tokens = await api_tokens.list_for_user(db, auth.user.id)
    return Template("accounts/tokens.html", context=_tokens_context(tokens, new_secret=secret))


@post("/account/tokens/{token_id:uuid}/revoke", opt=USER)
async def revoke_token(db: DB, auth: CurrentAuth, token_id: FromPath[UUID]) -> Redirect:
    assert auth.user is not None
    if not await api_tokens.revoke(db, auth.user.id, token_id):
        raise NotFound()  # another user's token looks like one that never existed
    return redirect("/account/tokens", flash=_("Token revocado."))


@get("/", opt=PUBLIC, name="home")
async def home(db: DB, auth: CurrentAuth) -> Response[Any]:
    if auth.user is None:
        if auth.contact is not None:
            return Redirect(path=str(auth.contact.get("landing") or "/login"), status_code=303)
        return Template("accounts/landing.html", context={})
    firms = await firms_of_user(db, auth.user.id)
    networks = await networks_of_admin(db, auth.user.id)
    # One place to go: straight there. A firm member who also runs a network sees both.
    if len(firms) == 1 and not networks:
        return Redirect(path=f"/w/{firms[0][0].slug}", status_code=303)
    if len(networks) == 1 and not firms:
        return Redirect(path=f"/n/{networks[0].slug}", status_code=303)
    return Template("tenancy/firms.html", context={"firms": firms, "networks": networks})


ROUTES = [
    signup_form,
    signup,
    login_form,
    login,
    logout,
    switch_language,
    forgot_form,
    forgot,
    follow_link,
    use_link,
    password_form,
    change_password,
    tokens_page,
    create_token,
    revoke_token,
    home,
]
