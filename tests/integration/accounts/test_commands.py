"""Operators create accounts and API tokens from the command line."""

from __future__ import annotations

import asyncio
from typing import Any

from click.testing import CliRunner, Result
from sqlalchemy import select

from ordena.accounts import api_tokens, passwords, services
from ordena.audit.models import AuditEvent
from ordena.cli import main
from ordena.settings import Settings
from ordena.tenancy.models import Membership, Role
from tests.factories import make_firm, unique

STRONG = "operador-clave-segura-1"


async def ordena(settings: Settings, *args: str) -> Result:
    """Run ``ordena …`` against the test database (in a thread: the CLI runs its own loop)."""
    env = {
        "ORDENA_DATABASE_URL": settings.database_url,
        "ORDENA_SECRET_KEY": settings.secret_key,
        "ORDENA_LOG_LEVEL": "WARNING",
    }
    return await asyncio.to_thread(CliRunner().invoke, main, list(args), env=env)


async def test_an_operator_creates_a_user_in_a_firm_with_a_role_and_it_is_audited(
    migrated: Settings, database: Any
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    email = f"{unique('oper')}@example.com"
    result = await ordena(
        migrated,
        "users",
        "create",
        "--email",
        email,
        "--name",
        "Olga Operadora",
        "--password",
        STRONG,
        "--firm",
        firm.slug,
        "--role",
        "partner",
    )
    assert result.exit_code == 0, result.output
    assert f"user {email} ready" in result.output
    async with database.session(tenant_id=firm.id) as db:
        user = await services.user_by_email(db, email)
        assert user is not None and user.name == "Olga Operadora"
        assert passwords.verify_password(user.password_hash, STRONG)
        role = await db.scalar(
            select(Membership.role).where(Membership.tenant_id == firm.id, Membership.user_id == user.id)
        )
        assert role is Role.PARTNER
        events = (
            await db.scalars(
                select(AuditEvent).where(AuditEvent.tenant_id == firm.id, AuditEvent.entity_type == "membership")
            )
        ).all()
        assert [(e.action, e.actor_label, e.after) for e in events] == [
            ("create", "operator:cli", {"user": email, "role": "partner"})
        ]


async def test_running_create_again_changes_the_role_and_password_without_duplicating(
    migrated: Settings, database: Any
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    email = f"{unique('again')}@example.com"
    assert (
        await ordena(
            migrated,
            "users",
            "create",
            "--email",
            email,
            "--name",
            "Uno",
            "--password",
            STRONG,
            "--firm",
            firm.slug,
            "--role",
            "viewer",
        )
    ).exit_code == 0
    result = await ordena(
        migrated,
        "users",
        "create",
        "--email",
        email.upper(),
        "--name",
        "Uno Dos",
        "--password",
        "otra-clave-segura-22",
        "--firm",
        firm.slug,
        "--role",
        "consultant",
    )
    assert result.exit_code == 0, result.output
    async with database.session(tenant_id=firm.id) as db:
        user = await services.user_by_email(db, email)
        assert user is not None and passwords.verify_password(user.password_hash, "otra-clave-segura-22")
        roles = (
            await db.scalars(
                select(Membership.role).where(Membership.tenant_id == firm.id, Membership.user_id == user.id)
            )
        ).all()
        assert roles == [Role.CONSULTANT]


async def test_the_cli_refuses_bad_input_with_a_message_and_creates_nothing(migrated: Settings, database: Any) -> None:
    email = f"{unique('bad')}@example.com"
    cases = [
        (["--email", email, "--name", "X", "--password", "corta"], "10 caracteres"),
        (["--email", "not-an-email", "--name", "X", "--password", STRONG], "no es válido"),
        (["--email", email, "--name", "X", "--password", STRONG, "--firm", "no-such-firm-here"], "no firm"),
        (["--email", email, "--name", "X", "--password", STRONG, "--role", "emperor"], "unknown role"),
    ]
    for args, message in cases:
        result = await ordena(migrated, "users", "create", *args)
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert "Traceback" not in result.output
    async with database.session() as db:
        assert await services.user_by_email(db, email) is None


async def test_an_operator_issues_an_api_token_that_works_as_a_bearer(
    migrated: Settings, database: Any, client: Any
) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    result = await ordena(migrated, "tokens", "create", "--email", firm.email(Role.VIEWER), "--name", "reporting")
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith(api_tokens.PREFIX)
    response = await client.client.get(f"/api/v1/w/{firm.slug}", headers={"authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.json()["role"] == "viewer"


async def test_a_token_for_an_unknown_email_is_refused(migrated: Settings) -> None:
    result = await ordena(migrated, "tokens", "create", "--email", "ghost@example.com")
    assert result.exit_code == 1
    assert "no active account" in result.output
