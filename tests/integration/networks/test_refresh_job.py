"""The refresh job: scheduled monthly (checked hourly), queued through the outbox, idempotent."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from ordena.db.engine import Database
from ordena.jobs.models import OutboxMessage
from ordena.jobs.runtime import bind_jobs, close_worker_database, make_broker, periodic_schedule
from ordena.networks.jobs import refresh_network_benchmark
from ordena.networks.schedule import JOB, enqueue_due
from ordena.settings import Settings
from tests.integration.networks.world import World

pytestmark = pytest.mark.asyncio


def test_the_schedule_is_checked_hourly_and_can_be_turned_off(migrated: Settings) -> None:
    assert dict(periodic_schedule(migrated))["schedule_network_refreshes"] == 3600
    off = replace(migrated, network_refresh_check_minutes=0)
    assert dict(periodic_schedule(off))["schedule_network_refreshes"] == 0


async def test_a_due_network_is_queued_once_and_a_redelivered_job_publishes_nothing_more(
    world: World, database: Database, exact: Settings
) -> None:
    for _ in range(3):
        await world.companies(await world.firm(), [2.0, 4.0])

    async def queued() -> list[OutboxMessage]:
        async with database.session() as db:
            rows = await db.scalars(select(OutboxMessage).where(OutboxMessage.actor_name == JOB))
            return [m for m in rows if m.args[0] == str(world.network_id)]

    async with database.session() as db:
        await enqueue_due(db)
        await enqueue_due(db)  # already queued: not twice
        await db.commit()
    messages = await queued()
    assert len(messages) == 1 and messages[0].args[1:3] == [0, "schedule"]

    bind_jobs(make_broker(exact), exact)
    try:
        await refresh_network_benchmark(*messages[0].args)
        await refresh_network_benchmark(*messages[0].args)  # at least once: delivered again
    finally:
        await close_worker_database()
    releases = await world.sql("SELECT number FROM benchmark_release WHERE network_id = $1", world.network_id)
    assert [r["number"] for r in releases] == [1]

    async with database.session() as db:
        await db.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.actor_name == JOB)
            .values(relayed_at=OutboxMessage.created_at)
        )
        await enqueue_due(db)  # released today: not due for 30 days
        await db.commit()
    assert all(m.relayed_at is not None for m in await queued())
