"""The transactional outbox: ``enqueue`` writes the job in the caller's transaction; the relay
sends committed rows to the broker. A broker outage delays work but loses none, and a worker
never runs before the rows it needs are committed."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.jobs.models import OutboxMessage
from ordena.jobs.registry import JOBS


def _jsonable(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    return value


def enqueue(db: AsyncSession, job_name: str, *args: Any, **kwargs: Any) -> OutboxMessage:
    spec = JOBS.get(job_name)
    row = OutboxMessage(
        actor_name=job_name,
        queue_name=spec.queue_name if spec else "default",
        args=[_jsonable(a) for a in args],
        kwargs={k: _jsonable(v) for k, v in kwargs.items()},
    )
    db.add(row)
    db.info.setdefault("outbox_pending", True)
    return row
