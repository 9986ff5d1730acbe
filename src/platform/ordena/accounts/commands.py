"""What the ``ordena users`` and ``ordena tokens`` commands do, through the accounts services.

Operator commands: errors come back as :class:`click.ClickException` (a message and exit code 1,
never a traceback), and every change to a firm is written to that firm's audit trail with the
operator as the actor.
"""

from __future__ import annotations

import click

from ordena.accounts import api_tokens, services
from ordena.audit.services import Actor
from ordena.db.engine import Database
from ordena.settings import Settings
from ordena.tenancy import memberships
from ordena.tenancy.models import Role
from ordena.tenancy.services import tenant_by_slug

OPERATOR = Actor(None, "operator:cli")


async def create_user(
    settings: Settings, email: str, name: str, password: str, firm_slug: str | None = None, role: str = "consultant"
) -> None:
    """Create (or update) an account and optionally make it a member of a firm, atomically."""
    try:
        wanted = Role(role)
    except ValueError:
        raise click.ClickException(f"unknown role {role!r}: use one of {', '.join(r.value for r in Role)}") from None
    database = Database.connect(settings)
    try:
        async with database.session() as db:
            tenant = None
            if firm_slug:
                tenant = await tenant_by_slug(db, firm_slug)
                if tenant is None:
                    raise click.ClickException(f"no firm with slug {firm_slug!r}")
            try:
                user, _created = await services.ensure_user(
                    db,
                    email=email,
                    name=name,
                    password=password,
                    locale=tenant.locale if tenant else settings.default_locale,
                )
            except services.AccountInvalid as exc:
                raise click.ClickException(str(exc)) from None
            if tenant is not None:
                await memberships.grant(db, tenant=tenant, user=user, role=wanted, actor=OPERATOR)
            await db.commit()
    finally:
        await database.dispose()


async def create_api_token(settings: Settings, email: str, name: str) -> str:
    """A new personal API token for an existing active account; the secret is returned once."""
    database = Database.connect(settings)
    try:
        async with database.session() as db:
            user = await services.user_by_email(db, email.strip())
            if user is None or not user.is_active:
                raise click.ClickException(f"no active account with email {email!r}")
            secret, _row = await api_tokens.create(db, user.id, name.strip() or "cli")
            await db.commit()
            return secret
    finally:
        await database.dispose()
