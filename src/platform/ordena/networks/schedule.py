"""When a network's benchmark refreshes: on its schedule (default monthly), or when a network
admin asks, at most once a week (DESIGN §11: one publication cannot be isolated by comparing
consecutive releases). Both go through the outbox job ``refresh_network_benchmark``."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.jobs.models import OutboxMessage
from ordena.jobs.outbox import enqueue
from ordena.lib.clock import now
from ordena.lib.errors import ServiceError
from ordena.lib.i18n import _
from ordena.networks.models import BenchmarkRelease, Network

JOB = "refresh_network_benchmark"
MANUAL_EVERY = dt.timedelta(days=7)


async def latest_release(db: AsyncSession, network_id: UUID) -> BenchmarkRelease | None:
    release: BenchmarkRelease | None = await db.scalar(
        select(BenchmarkRelease)
        .where(BenchmarkRelease.network_id == network_id)
        .order_by(BenchmarkRelease.number.desc())
        .limit(1)
    )
    return release


async def _pending(db: AsyncSession, network_id: UUID) -> bool:
    count = await db.scalar(
        select(func.count()).where(
            OutboxMessage.actor_name == JOB,
            OutboxMessage.relayed_at.is_(None),
            func.jsonb_extract_path_text(OutboxMessage.args, "0") == str(network_id),
        )
    )
    return bool(count)


async def request_refresh(db: AsyncSession, network: Network, by_user: UUID | None) -> None:
    """A network admin asks for a release now. Refused (429, nothing queued) within a week of
    the last release, or while one is already queued."""
    last = await latest_release(db, network.id)
    if last is not None and now() - last.released_at < MANUAL_EVERY:
        next_at = (last.released_at + MANUAL_EVERY).date()
        raise ServiceError(
            _("Ya se publicó una edición hace menos de una semana; podrás pedir otra desde el {date}.").format(
                date=next_at.isoformat()
            ),
            status_code=429,
        )
    if await _pending(db, network.id):
        raise ServiceError(_("Ya hay una actualización en cola para esta red."), status_code=429)
    enqueue(db, JOB, str(network.id), last.number if last else 0, "manual", str(by_user) if by_user else None)


async def enqueue_due(db: AsyncSession) -> int:
    """Queue a refresh for every network with a shared framework whose last release is older than
    its ``refresh_every_days`` (or that has none). Idempotent: the job skips a network whose
    release count moved past the one it was queued after."""
    queued = 0
    for network in await db.scalars(select(Network).where(Network.framework_id.is_not(None))):
        last = await latest_release(db, network.id)
        due = last is None or now() - last.released_at >= dt.timedelta(days=network.refresh_every_days)
        if due and not await _pending(db, network.id):
            enqueue(db, JOB, str(network.id), last.number if last else 0, "schedule", None)
            queued += 1
    return queued
