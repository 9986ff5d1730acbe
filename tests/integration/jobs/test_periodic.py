"""Reminders are scheduled by the job runtime itself: every web process and every ``ordena worker``
enqueue ``send_assessment_reminders`` through the outbox at the configured interval."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from ordena.db.engine import Database
from ordena.jobs.models import OutboxMessage
from ordena.jobs.runtime import JobRuntime, PeriodicJobs, bind_jobs, make_broker, periodic_schedule, start_relay_thread
from ordena.settings import Settings, SettingsError
from tests.integration.mail.smtp import eventually

REMINDERS = "send_assessment_reminders"
FAST = 0.001  # minutes: 60 ms


async def _reminder_rows(database: Database, *, relayed: bool = False) -> int:
    async with database.session() as db:
        stmt = select(func.count()).where(OutboxMessage.actor_name == REMINDERS)
        if relayed:
            stmt = stmt.where(OutboxMessage.relayed_at.is_not(None))
        return int(await db.scalar(stmt) or 0)


async def test_the_web_process_enqueues_the_reminder_job_through_the_outbox_every_interval(
    migrated: Settings, database: Database
) -> None:
    settings = replace(migrated, reminder_interval_minutes=FAST)
    before = await _reminder_rows(database, relayed=True)
    runtime = JobRuntime(settings, database, poll_seconds=0.05)
    await runtime.start(in_process_worker=False)
    try:

        async def two_passes_relayed() -> bool:
            return await _reminder_rows(database, relayed=True) >= before + 2

        await eventually(two_passes_relayed, within=10, what="two scheduled reminder jobs relayed to the broker")
    finally:
        await runtime.stop()
    queue = runtime.actors[REMINDERS].queue_name
    assert runtime.broker.queues[queue].qsize() >= 2  # type: ignore[attr-defined]


async def test_the_standalone_worker_schedules_reminders_too(migrated: Settings, database: Database) -> None:
    settings = replace(migrated, reminder_interval_minutes=FAST)
    before = await _reminder_rows(database)
    broker = make_broker(settings)
    bind_jobs(broker, settings)
    thread = start_relay_thread(settings, broker, poll_seconds=0.05)
    try:

        async def scheduled() -> bool:
            return await _reminder_rows(database) > before

        await eventually(scheduled, within=10, what="the worker's scheduled reminder job")
    finally:
        await asyncio.to_thread(thread.stop)


async def test_the_first_pass_waits_one_interval_so_restarts_do_not_burst(database: Database) -> None:
    before = await _reminder_rows(database)
    periodic = PeriodicJobs(database, [(REMINDERS, 60.0)])
    task = asyncio.create_task(periodic.run())
    await asyncio.sleep(0.3)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert await _reminder_rows(database) == before


def test_an_operator_sets_the_reminder_interval_or_turns_it_off() -> None:
    assert Settings.from_env({}).reminder_interval_minutes == 15
    every_hour = Settings.from_env({"ORDENA_REMINDER_INTERVAL_MINUTES": "60"})
    assert dict(periodic_schedule(every_hour))[REMINDERS] == 3600.0
    off = Settings.from_env(
        {
            "ORDENA_REMINDER_INTERVAL_MINUTES": "0",
            "ORDENA_PLAN_DIGEST_INTERVAL_MINUTES": "0",
            "ORDENA_NETWORK_REFRESH_CHECK_MINUTES": "0",
            "ORDENA_REPORT_CLEANUP_INTERVAL_MINUTES": "0",
        }
    )
    assert PeriodicJobs(None, periodic_schedule(off)).schedule == []  # type: ignore[arg-type]
    with pytest.raises(SettingsError):
        Settings.from_env({"ORDENA_REMINDER_INTERVAL_MINUTES": "-5"})
