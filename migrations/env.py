"""Alembic environment: async engine as the owner role, URL and settings from ``ordena db``."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from ordena.db.base import metadata
from ordena.db.engine import make_engine
from ordena.db.urls import owner_url
from ordena.domains import load_models
from ordena.settings import Settings

config = context.config
load_models()  # every table in the metadata


def _url():  # type: ignore[no-untyped-def]
    url = config.attributes.get("url")
    if url is None:
        settings = config.attributes.get("settings") or Settings.from_env()
        url = owner_url(settings)
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    engine = make_engine(_url(), pool_size=1)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
