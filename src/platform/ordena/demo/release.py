"""The demo network's benchmark release, made at the end of ``ordena demo``.

After the demo content is published, each demo network gets its shared framework (the default
one) and the real engine (``networks.refresh``, as the refresh role) publishes a release. At most
one a week: a second ``ordena demo`` within the week of the last release says so and makes none.
"""

from __future__ import annotations

from sqlalchemy import select

from ordena.db.engine import Database
from ordena.lib.clock import now
from ordena.networks import services
from ordena.networks.models import Network
from ordena.networks.refresh import refresh_network
from ordena.networks.schedule import MANUAL_EVERY, latest_release
from ordena.settings import Settings


async def release_demo_networks(settings: Settings, slugs: list[str]) -> list[str]:
    """One line per demo network: the release made, or why none was."""
    lines: list[str] = []
    database = Database.connect(settings)
    todo = []
    try:
        async with database.session() as db, db.begin():
            for network in await db.scalars(select(Network).where(Network.slug.in_(slugs)).order_by(Network.slug)):
                if await services.ensure_shared_framework(db, network):
                    lines.append(f"network {network.slug}: shared framework set (the default one)")
                if network.framework_id is None:
                    lines.append(f"network {network.slug}: no shared framework, no release")
                    continue
                last = await latest_release(db, network.id)
                if last is not None and now() - last.released_at < MANUAL_EVERY:
                    lines.append(
                        f"network {network.slug}: release {last.number} of {last.released_at.date().isoformat()}"
                        " is less than a week old; no new release"
                    )
                    continue
                todo.append((network.id, network.slug))
    finally:
        await database.dispose()
    for network_id, slug in todo:
        outcome = await refresh_network(settings, network_id, trigger="demo")
        lines.extend(f"network {slug}: {line}" for line in outcome.lines())
    return lines
