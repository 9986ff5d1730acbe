"""Sign-up, sign-in, password reset and colleague invitations."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts import api_tokens, passwords, queries, throttle
from ordena.accounts.models import LinkToken, User
from ordena.accounts.sessions import revoke_all_for_user
from ordena.audit.services import Actor, AuditTrail, snapshot
from ordena.lib.clock import now
from ordena.lib.errors import FormErrors
from ordena.lib.i18n import _
from ordena.lib.tokens import digest, new_secret
from ordena.settings import Settings
from ordena.tenancy import firms, memberships
from ordena.tenancy.models import Role, Tenant
from ordena.tenancy.services import RESERVED_SLUGS, SLUG_RE, enter_firm


class TooManyAttempts(Exception):
    pass


# Failed sign-ins per account from all addresses together before each further attempt waits,
# as a multiple of the per-address limit (``login_attempts_per_15min``).
ACCOUNT_ATTEMPTS_FACTOR = 10


def normalize_email(raw: str, errors: FormErrors, field: str = "email", *, lookup: bool = False) -> str:
    """The address, normalized (lower case). New accounts get the full syntax check; a
    ``lookup`` of an existing account only needs something that looks like an address, so
    accounts made by operators (manifests, CLI) on special-use domains can still be found."""
    raw = (raw or "").strip()
    if not raw:
        errors.add(field, _("Escribe tu correo electrónico."))
        return raw
    if lookup:
        local, at, domain = raw.rpartition("@")
        if not at or not local or not domain or len(raw) > 320:
            errors.add(field, _("Ese correo electrónico no es válido."))
        return raw.lower()
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        errors.add(field, _("Ese correo electrónico no es válido."))
        return raw


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.email)


async def user_by_email(db: AsyncSession, email: str) -> User | None:
    user: User | None = await db.scalar(select(User).where(func.lower(User.email) == email.lower()))
    return user


async def add_user(db: AsyncSession, *, email: str, name: str, locale: str, password: str | None = None) -> User:
    """A new account (flushed, so it has its id). Without a password it can only be entered
    through a single-use link, which asks for one."""
    user = User(email=email, name=name, locale=locale)
    if password:
        user.password_hash = passwords.hash_password(password)
    db.add(user)
    await db.flush()
    return user


@dataclass
class SignUp:
    firm_name: str
    slug: str
    name: str
    email: str
    password: str
    locale: str = "es"


async def sign_up(db: AsyncSession, data: SignUp) -> tuple[Tenant, User]:
    """A new firm and its owner, in one transaction. Raises ``FormErrors`` via the returned
    errors object; nothing is written unless every field is valid."""
    errors = FormErrors()
    firm_name = data.firm_name.strip()
    slug = data.slug.strip().lower()
    name = data.name.strip()
    if not firm_name:
        errors.add("firm_name", _("Escribe el nombre de tu firma."))
    elif len(firm_name) > 200:
        errors.add("firm_name", _("El nombre es demasiado largo (máximo 200 caracteres)."))
    if not SLUG_RE.match(slug):
        errors.add("slug", _("Usa de 3 a 63 letras minúsculas, números o guiones, sin guion al inicio ni al final."))
    elif slug in RESERVED_SLUGS:
        errors.add("slug", _("Esa dirección está reservada; elige otra."))
    elif await firms.slug_taken(db, slug):
        errors.add("slug", _("Esa dirección ya está en uso; elige otra."))
    if not name:
        errors.add("name", _("Escribe tu nombre."))
    email = normalize_email(data.email, errors)
    if "email" not in errors.fields and await user_by_email(db, email):
        errors.add("email", _("Ya existe una cuenta con ese correo. Inicia sesión para crear otra firma."))
    weak = passwords.weakness(data.password, email=email)
    if weak:
        errors.add("password", weak)
    if errors:
        raise SignUpInvalid(errors)
    tenant = firms.add_firm(db, slug=slug, name=firm_name, locale=data.locale)
    user = User(email=email, name=name, password_hash=passwords.hash_password(data.password), locale=data.locale)
    db.add(user)
    try:
        await db.flush()
    except IntegrityError as exc:
        # Someone took the slug or the email between our check and this insert.
        errors.add("slug", _("Esa dirección ya está en uso; elige otra."))
        raise SignUpInvalid(errors) from exc
    await enter_firm(db, tenant, user.id)
    actor = actor_of(user)
    AuditTrail(db, tenant.id, actor)("create", "firm", tenant.id, after=snapshot(tenant, ["slug", "name", "locale"]))
    await memberships.grant(db, tenant=tenant, user=user, role=Role.OWNER, actor=actor)
    return tenant, user


class SignUpInvalid(Exception):
    def __init__(self, errors: FormErrors) -> None:
        super().__init__("invalid sign-up")
        self.errors = errors


async def authenticate(
    db: AsyncSession, settings: Settings, email: str, password: str, ip: str, *, known_device: bool = False
) -> User | None:
    """The user, or None for a wrong email or password (same answer, same time).

    Two limits: per address and account (the guesser locks only themselves out for the window),
    and per account from every address together. The second never locks the account: beyond its
    bar each attempt waits longer (:func:`account_delay`), so that a botnet guesses slowly and a
    stranger's flood cannot keep the owner out; a browser that signed in to this account before
    (``known_device``) does not wait at all."""
    window = dt.timedelta(minutes=15)
    key = throttle.key_for("login", email.strip(), ip)
    attempts = await throttle.hit(db, key, window=window)
    if attempts > settings.login_attempts_per_15min:
        raise TooManyAttempts()
    account_key = throttle.key_for("login-account", email.strip())
    account_attempts = await throttle.hit(db, account_key, window=window)
    if not known_device:
        delay = account_delay(account_attempts, settings.login_attempts_per_15min * ACCOUNT_ATTEMPTS_FACTOR)
        if delay:
            await sleep(delay)
    user = await user_by_email(db, email.strip())
    ok = passwords.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        return None
    await throttle.reset(db, key)
    await throttle.reset(db, account_key)
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


# Seconds the first attempt over the per-account bar waits; each further one doubles it, up to
# ACCOUNT_DELAY_MAX.
ACCOUNT_DELAY_BASE = 0.25
ACCOUNT_DELAY_MAX = 8.0
sleep = asyncio.sleep  # module-level so that tests can record the waits instead of waiting


def account_delay(attempts: int, bar: int) -> float:
    """How long attempt number ``attempts`` on one account waits (0 up to ``bar``)."""
    over = attempts - bar
    if over <= 0:
        return 0.0
    return float(min(ACCOUNT_DELAY_MAX, ACCOUNT_DELAY_BASE * 2 ** min(over - 1, 16)))


# --- single-use links -------------------------------------------------------------------------

PASSWORD_RESET = "password_reset"  # noqa: S105 - a link purpose, not a password
INVITATION = "invitation"
CONTACT_SIGN_IN = "contact_sign_in"


async def issue_link(
    db: AsyncSession,
    settings: Settings,
    *,
    purpose: str,
    email: str,
    user_id: UUID | None = None,
    scope: dict[str, Any] | None = None,
    ttl: dt.timedelta | None = None,
) -> str:
    """A new link secret (256 bits); only its SHA-256 is stored. Returns the full URL."""
    secret = new_secret(32)
    db.add(
        LinkToken(
            token_hash=digest(secret),
            purpose=purpose,
            email=email,
            user_id=user_id,
            scope=scope or {},
            expires_at=now() + (ttl or dt.timedelta(hours=settings.link_ttl_hours)),
        )
    )
    await db.flush()
    return f"{settings.base_url}/links/{secret}"


async def consume_link(db: AsyncSession, secret: str) -> LinkToken | None:
    """Atomically mark the link used; None when unknown, expired or already used."""
    row_id = await queries.use_link(db, digest(secret))
    if row_id is None:
        return None
    return await db.get(LinkToken, row_id)


async def peek_link(db: AsyncSession, secret: str) -> tuple[LinkToken, bool] | None:
    """The link of ``secret`` without using it, and whether it can still be used; None when
    unknown. Opening a link must change nothing: mail scanners open links before people do."""
    link: LinkToken | None = await db.scalar(select(LinkToken).where(LinkToken.token_hash == digest(secret)))
    if link is None:
        return None
    return link, link.used_at is None and link.expires_at > now()


def _open_links(purpose: str, tenant_id: UUID) -> list[Any]:
    """Conditions for links of ``purpose`` to ``tenant_id`` that can still be used. link_token is
    a platform table (no RLS): the firm in the link's scope is the only filter, so always apply it."""
    return [
        LinkToken.purpose == purpose,
        LinkToken.scope["tenant_id"].as_string() == str(tenant_id),
        LinkToken.used_at.is_(None),
        LinkToken.expires_at > now(),
    ]


async def open_links(db: AsyncSession, *, purpose: str, tenant_id: UUID) -> list[LinkToken]:
    """The firm's links of ``purpose`` that can still be used, newest first."""
    stmt = select(LinkToken).where(*_open_links(purpose, tenant_id)).order_by(LinkToken.created_at.desc())
    return list((await db.scalars(stmt)).all())


async def void_link(db: AsyncSession, link_id: UUID, *, purpose: str, tenant_id: UUID) -> tuple[str, dict[str, Any]]:
    """Make a usable link of the firm unusable (as if used, atomically); returns its address and
    scope. Raises ``LookupError`` for an unknown, used, expired or another firm's link."""
    stmt = (
        update(LinkToken)
        .where(LinkToken.id == link_id, *_open_links(purpose, tenant_id))
        .values(used_at=now(), updated_at=now())
        .returning(LinkToken.email, LinkToken.scope)
    )
    row = (await db.execute(stmt)).first()
    if row is None:
        raise LookupError("no such usable link")
    return str(row[0]), dict(row[1] or {})


async def set_name(db: AsyncSession, user: User, name: str) -> None:
    user.name = name
    await db.execute(update(User).where(User.id == user.id).values(name=name))


async def set_password(db: AsyncSession, user: User, password: str) -> int:
    """A new password; every API token made under the old one is revoked (a leaked token must
    not outlive the password change that was meant to lock its thief out). Returns how many."""
    user.password_hash = passwords.hash_password(password)
    await db.execute(update(User).where(User.id == user.id).values(password_hash=user.password_hash))
    return await api_tokens.revoke_all_for_user(db, user.id)


# --- accounts created by an operator (CLI) ----------------------------------------------------


class AccountInvalid(Exception):
    """The operator's input cannot make an account; ``errors`` says why, per field."""

    def __init__(self, errors: FormErrors) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.fields.items()))
        self.errors = errors


async def ensure_user(
    db: AsyncSession, *, email: str, name: str, password: str, locale: str = "es"
) -> tuple[User, bool]:
    """The account for ``email`` with this name and password, created if missing.

    Setting the password of an existing account ends its open sessions (as a reset does).
    Returns the user and whether it was created.
    """
    errors = FormErrors()
    email = normalize_email(email, errors)
    name = name.strip()
    if not name:
        errors.add("name", _("Escribe tu nombre."))
    weak = passwords.weakness(password, email=email)
    if weak:
        errors.add("password", weak)
    if errors:
        raise AccountInvalid(errors)
    user = await user_by_email(db, email)
    if user is None:
        user = User(email=email, name=name[:200], password_hash=passwords.hash_password(password), locale=locale)
        db.add(user)
        await db.flush()
        return user, True
    user.name = name[:200]
    await set_password(db, user, password)
    await revoke_all_for_user(db, user.id)
    return user, False
