"""Run Alembic migrations as the owner role, then make sure the app role and RLS are in place.

Alembic (with Mako, about 5 MiB resident) is imported by the functions that run it: the CLI
imports this module for every command, ``ordena serve`` included.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import URL

from ordena.db import rls
from ordena.db.base import metadata
from ordena.db.engine import make_engine
from ordena.db.urls import owner_url
from ordena.domains import load_models, platform_content
from ordena.settings import Settings

if TYPE_CHECKING:
    from alembic.config import Config


def alembic_config(settings: Settings, url: URL | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(settings.migrations_dir))
    cfg.attributes["settings"] = settings
    cfg.attributes["url"] = url or owner_url(settings)
    return cfg


async def upgrade_async(settings: Settings, revision: str = "heads", url: URL | None = None) -> None:
    from alembic import command

    url = url or owner_url(settings)
    # Alembic's async env.py runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(command.upgrade, alembic_config(settings, url), revision)
    await finalize(settings, url)


def upgrade(settings: Settings, revision: str = "heads", url: URL | None = None) -> None:
    asyncio.run(upgrade_async(settings, revision, url))


def downgrade(settings: Settings, revision: str, url: URL | None = None) -> None:
    from alembic import command

    command.downgrade(alembic_config(settings, url), revision)


def revision(settings: Settings, message: str, autogenerate: bool = True) -> None:
    from alembic import command

    command.revision(alembic_config(settings), message=message, autogenerate=autogenerate)


async def finalize(settings: Settings, url: URL | None = None) -> None:
    """Idempotent: app role password and grants, RLS on every tenant table, append-only tables.

    Runs after every upgrade so that a migration that forgot RLS on a new tenant table still
    ends isolated; the catalog test checks the result.
    """
    url = url or owner_url(settings)
    load_models()
    role = settings.app_db_role
    engine = make_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            for stmt in rls.create_app_role(role):
                await conn.execute(text(stmt))
            await conn.execute(text(f'ALTER ROLE "{role}" PASSWORD ' + _literal(settings.effective_app_db_password)))
            # The benchmark refresh role, created by its migration: its password, like the app role's.
            await conn.execute(
                text(
                    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = "
                    + _literal(settings.refresh_db_role)
                    + ") THEN EXECUTE format('ALTER ROLE %I PASSWORD %L', "
                    + _literal(settings.refresh_db_role)
                    + ", "
                    + _literal(settings.effective_refresh_db_password)
                    + "); END IF; END $$"
                )
            )
            for stmt in rls.grant_app_role(role):
                await conn.execute(text(stmt))
            rows = await conn.execute(
                text(
                    "SELECT c.table_name FROM information_schema.columns c "
                    "JOIN information_schema.tables t USING (table_schema, table_name) "
                    "WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' "
                    "AND t.table_type = 'BASE TABLE'"
                )
            )
            for (table,) in rows:
                info: dict[str, Any] = metadata.tables[table].info if table in metadata.tables else {}
                for stmt in rls.enable_tenant_rls(table, extra_read_predicate=info.get("rls_read_also")):
                    await conn.execute(text(stmt))
            for table in metadata.sorted_tables:
                if table.info.get("rls_shared"):
                    for stmt in rls.enable_shared_rls(table.name):
                        await conn.execute(text(stmt))
                if table.info.get("append_only"):
                    for stmt in rls.append_only(table.name, role):
                        await conn.execute(text(stmt))
            # Platform content every database needs (idempotent; the owner bypasses shared RLS).
            for load in platform_content():
                await load(conn)
    finally:
        await engine.dispose()


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
