"""The job runtime of a process: the broker, the outbox relay and (optionally) a worker.

- ``ORDENA_BROKER_URL`` = ``amqp://…`` → RabbitMQ with publisher confirms; ``redis://…`` → Redis.
- unset → dramatiq's in-memory broker consumed by a worker inside the web process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO
from sqlalchemy import select

from ordena.db.engine import Database
from ordena.jobs.models import OutboxMessage
from ordena.jobs.registry import JOBS, import_job_modules
from ordena.lib.clock import now
from ordena.settings import Settings

log = logging.getLogger(__name__)

_worker_settings: Settings | None = None
_worker_database: Database | None = None


def make_broker(settings: Settings) -> dramatiq.Broker:
    url = settings.broker_url
    broker: dramatiq.Broker
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url, confirm_delivery=True)
    elif url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=url)
    else:
        broker = StubBroker()
    broker.add_middleware(AsyncIO())
    return broker


def bind_jobs(broker: dramatiq.Broker, settings: Settings) -> dict[str, dramatiq.Actor[Any, Any]]:
    """Declare every registered job as an actor of ``broker``."""
    global _worker_settings
    _worker_settings = settings
    import_job_modules()
    dramatiq.set_broker(broker)
    actors: dict[str, dramatiq.Actor[Any, Any]] = {}
    for spec in JOBS.values():
        if spec.name in broker.actors:
            actors[spec.name] = broker.get_actor(spec.name)  # type: ignore[assignment]
            continue
        actors[spec.name] = dramatiq.actor(
            spec.fn, actor_name=spec.name, queue_name=spec.queue_name, broker=broker, **spec.options
        )
    return actors


def worker_database() -> Database:
    """The database of the worker's event loop (asyncpg connections belong to one loop)."""
    global _worker_database
    if _worker_database is None:
        if _worker_settings is None:
            raise RuntimeError("jobs are not bound to a broker")
        _worker_database = Database.connect(_worker_settings)
    return _worker_database


def worker_settings() -> Settings:
    if _worker_settings is None:
        raise RuntimeError("jobs are not bound to a broker")
    return _worker_settings


async def relay_pending(database: Database, broker: dramatiq.Broker, limit: int = 100) -> int:
    """Send committed, unsent outbox rows to the broker; mark each sent. Returns how many."""
    sent = 0
    async with database.session() as db:
        rows = (
            await db.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.relayed_at.is_(None))
                .order_by(OutboxMessage.created_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in rows:
            message = dramatiq.Message(
                queue_name=row.queue_name,
                actor_name=row.actor_name,
                args=tuple(row.args),
                kwargs=dict(row.kwargs),
                options={},
                message_id=str(row.id),
            )
            try:
                await asyncio.to_thread(broker.enqueue, message)
            except Exception as exc:  # the broker is down: keep the row, try again later
                row.attempts += 1
                row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                log.warning("outbox relay failed for %s: %s", row.id, exc)
                break
            row.relayed_at = now()
            sent += 1
        await db.commit()
    return sent


class JobRuntime:
    def __init__(self, settings: Settings, database: Database, *, poll_seconds: float = 1.0) -> None:
        self.settings = settings
        self.database = database
        self.poll_seconds = poll_seconds
        self.broker = make_broker(settings)
        self.actors = bind_jobs(self.broker, settings)
        self.worker: dramatiq.Worker | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    async def start(self, *, in_process_worker: bool) -> None:
        if in_process_worker and isinstance(self.broker, StubBroker):
            self.worker = dramatiq.Worker(self.broker, worker_threads=2, worker_timeout=100)
            self.worker.start()
        self._task = asyncio.create_task(self._relay_loop(), name="outbox-relay")

    def check_broker(self) -> None:
        """Raise if the broker cannot be reached (readiness probe)."""
        if isinstance(self.broker, StubBroker):
            return
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        if isinstance(self.broker, RabbitmqBroker):
            self.broker.get_declared_queues()
            _ = self.broker.channel
        else:
            self.broker.client.ping()  # type: ignore[attr-defined]

    def wake(self) -> None:
        """Relay now (called after a commit that wrote outbox rows)."""
        self._wake.set()

    async def _relay_loop(self) -> None:
        while True:
            try:
                while await relay_pending(self.database, self.broker):
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay error")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            self._wake.clear()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.worker is not None:
            await asyncio.to_thread(self.worker.stop)
        self.broker.close()


def run_workers(settings: Settings, *, processes: int = 1, threads: int = 4) -> None:
    """A standalone worker process (production): consume the configured broker."""
    import signal
    import threading

    if not settings.broker_url:
        raise SystemExit("ORDENA_BROKER_URL is not set: jobs run inside the web process")
    broker = make_broker(settings)
    bind_jobs(broker, settings)
    worker = dramatiq.Worker(broker, worker_threads=threads)
    worker.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    worker.stop()
    broker.close()
