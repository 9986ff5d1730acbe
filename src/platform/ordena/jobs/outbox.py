"""The transactional outbox: ``enqueue`` writes the job in the caller's transaction; the relay
(:class:`ordena.jobs.runtime.OutboxRelay`) sends committed rows to the broker. A broker outage
delays work but loses none, and a worker never runs before the rows it needs are committed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import click
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.db.engine import Database
from ordena.jobs.models import OutboxMessage
from ordena.jobs.registry import JOBS, JobSpec


def _jsonable(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    # Jobs take ids, never objects: an ORM instance here is a bug that would only show in the
    # worker, so refuse it in the request that made it.
    raise TypeError(f"job arguments must be ids or plain values, not {type(value).__name__}")


def _spec(job_name: str) -> JobSpec:
    spec = JOBS.get(job_name)
    if spec is None:
        raise LookupError(
            f"no job named {job_name!r}: declare it with @job in a module named as its domain's `jobs` in"
            " ordena/domains.py, and call ordena.domains.load_jobs() when the process starts"
        )
    return spec


def enqueue(db: AsyncSession, job_name: str, *args: Any, **kwargs: Any) -> OutboxMessage:
    """Write a job into the caller's transaction; it is relayed once that transaction commits."""
    spec = _spec(job_name)
    row = OutboxMessage(
        actor_name=job_name,
        queue_name=spec.queue_name,
        args=[_jsonable(a) for a in args],
        kwargs={k: _jsonable(v) for k, v in kwargs.items()},
    )
    db.add(row)
    # The request's session commits, then wakes the relay (ordena.web.db.provide_db).
    db.info["outbox_pending"] = True
    return row


@dataclass(frozen=True)
class OutboxReport:
    pending: int
    oldest_pending: dt.datetime | None
    relayed_last_hour: int
    failing: list[OutboxMessage]


async def outbox_report(db: AsyncSession, *, limit: int = 50) -> OutboxReport:
    """What an operator needs: how much is waiting, since when, and which rows keep failing."""
    pending_filter = OutboxMessage.relayed_at.is_(None)
    pending, oldest = (
        await db.execute(select(func.count(), func.min(OutboxMessage.created_at)).where(pending_filter))
    ).one()
    hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    relayed = await db.scalar(select(func.count()).where(OutboxMessage.relayed_at >= hour_ago))
    failing = (
        await db.scalars(
            select(OutboxMessage)
            .where(pending_filter, OutboxMessage.attempts > 0)
            .order_by(OutboxMessage.created_at)
            .limit(limit)
        )
    ).all()
    return OutboxReport(int(pending), oldest, int(relayed or 0), list(failing))


async def print_outbox(settings: Any, *, limit: int = 50) -> None:
    """``ordena jobs outbox``: the report, as the operator reads it."""
    database = Database.connect(settings)
    try:
        async with database.session() as db:
            report = await outbox_report(db, limit=limit)
    finally:
        await database.dispose()
    oldest = report.oldest_pending.isoformat(timespec="seconds") if report.oldest_pending else "-"
    click.echo(f"pending: {report.pending}  oldest: {oldest}  relayed in the last hour: {report.relayed_last_hour}")
    if not report.failing:
        click.echo("no failing rows")
        return
    click.echo("failing (id, job, attempts, created, last error):")
    for row in report.failing:
        click.echo(
            f"{row.id}  {row.actor_name}  {row.attempts}  {row.created_at.isoformat(timespec='seconds')}  {row.last_error or ''}"
        )
