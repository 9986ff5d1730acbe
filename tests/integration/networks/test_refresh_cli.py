"""``ordena networks refresh <slug>``: publishes the next release; bad input is a clear error."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner
from sqlalchemy.engine import make_url

from ordena.cli import main
from ordena.db.engine import make_engine
from ordena.settings import Settings
from tests.integration.networks.world import World, make_world


def _env(settings: Settings) -> dict[str, str]:
    return {
        "ORDENA_ENV": "test",
        "ORDENA_DATABASE_URL": settings.database_url,
        "ORDENA_SECRET_KEY": settings.secret_key,
        "ORDENA_DATA_DIR": str(settings.data_dir),
        "ORDENA_LOG_JSON": "0",
    }


def test_the_cli_publishes_release_after_release_and_refuses_bad_settings(migrated: Settings) -> None:
    # A sync test (the command runs its own event loop): an owner engine of its own per loop.
    async def build() -> World:
        engine = make_engine(make_url(migrated.database_url), pool_size=1)
        try:
            world = await make_world(engine)
            for _ in range(3):
                await world.companies(await world.firm(), [2.0, 3.0])
            return world
        finally:
            await engine.dispose()

    async def bad_epsilon(world: World) -> None:
        engine = make_engine(make_url(migrated.database_url), pool_size=1)
        try:
            world.engine = engine
            await world.sql("UPDATE network SET epsilon = -1 WHERE id = $1", world.network_id)
        finally:
            await engine.dispose()

    world = asyncio.run(build())
    runner = CliRunner()
    first = runner.invoke(main, ["networks", "refresh", world.slug], env=_env(migrated))
    assert first.exit_code == 0, first.output
    assert "release 1" in first.output and "firms participating: 3" in first.output
    second = runner.invoke(main, ["networks", "refresh", world.slug], env=_env(migrated))
    assert "release 2" in second.output

    missing = runner.invoke(main, ["networks", "refresh", "no-such-network"], env=_env(migrated))
    assert missing.exit_code != 0 and "no-such-network" in missing.output

    asyncio.run(bad_epsilon(world))
    refused = runner.invoke(main, ["networks", "refresh", world.slug], env=_env(migrated))
    assert refused.exit_code != 0 and "ε" in refused.output
