"""The job runtime of a process: the broker, the outbox relay and (optionally) a worker.

- ``ORDENA_BROKER_URL`` = ``amqp://…`` → RabbitMQ with publisher confirms; ``redis://…`` → Redis.
- unset → dramatiq's in-memory broker consumed by a worker inside the web process.

Both the web process and the standalone ``ordena worker`` run an :class:`OutboxRelay`, so work is
relayed even when no web process is up, and :class:`PeriodicJobs`, which enqueues the periodic
jobs (assessment reminders every ``ORDENA_REMINDER_INTERVAL_MINUTES``). Relays lock the rows they send with
``FOR UPDATE SKIP LOCKED``: several relays share the table without sending a row twice, except
when a relay dies between the broker's confirm and its commit (at least once, never lost).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import functools
import json
import logging
import signal
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO, Middleware

from ordena.db.driver import driver
from ordena.db.engine import Database
from ordena.jobs.models import OutboxMessage
from ordena.jobs.outbox import enqueue
from ordena.jobs.registry import JOBS
from ordena.lib.clock import now
from ordena.settings import Settings

log = logging.getLogger(__name__)

RELAY_BATCH = 50
MAX_BACKOFF_SECONDS = 30.0

_worker_settings: Settings | None = None
# The settings of the runtime whose broker delivered the running job: several apps in one process
# (the e2e live servers, tests) each keep their own (e.g. one with SMTP, one without).
_job_settings: contextvars.ContextVar[Settings | None] = contextvars.ContextVar("ordena_job_settings", default=None)
# asyncpg connections belong to one event loop: one Database per loop (the AsyncIO middleware
# gives each dramatiq Worker its own loop thread; tests and the CLI run their own loops).
_worker_databases: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Database] = weakref.WeakKeyDictionary()
_databases_lock = threading.Lock()


class _DisposeWorkerDatabase(Middleware):
    """Close the worker loop's engine while that loop still runs (before AsyncIO stops it)."""

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        thread = get_event_loop_thread()
        if thread is None:
            return
        with _databases_lock:
            database = _worker_databases.pop(thread.loop, None)
        if database is not None:
            with contextlib.suppress(Exception):
                thread.run_coroutine(database.dispose())


def is_stub(broker: dramatiq.Broker) -> bool:
    return isinstance(broker, StubBroker)


def make_broker(settings: Settings, *, namespace: str = "dramatiq") -> dramatiq.Broker:
    """The configured broker. ``namespace`` prefixes Redis keys (tests use their own)."""
    url = settings.broker_url
    broker: dramatiq.Broker
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        # Publisher confirms: ``enqueue`` returns only once RabbitMQ has taken the message, so
        # the relay marks a row sent only after the broker owns it.
        broker = RabbitmqBroker(url=url, confirm_delivery=True)
    elif url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=url, namespace=namespace)  # type: ignore[no-untyped-call]
    elif url:
        raise ValueError(
            f"ORDENA_BROKER_URL must start with amqp://, amqps://, redis:// or rediss://, not {url.split(':')[0]}://"
        )
    else:
        broker = StubBroker()
    broker.add_middleware(AsyncIO())
    broker.add_middleware(_DisposeWorkerDatabase())
    return broker


def bind_jobs(
    broker: dramatiq.Broker, settings: Settings, *, queue_prefix: str = ""
) -> dict[str, dramatiq.Actor[Any, Any]]:
    """Declare every registered job as an actor of ``broker``.

    ``queue_prefix`` lets several installations (or test runs) share one RabbitMQ vhost or Redis
    database; production normally gives each installation its own vhost instead.
    """
    global _worker_settings
    _worker_settings = settings
    dramatiq.set_broker(broker)
    actors: dict[str, dramatiq.Actor[Any, Any]] = {}
    for spec in JOBS.values():
        if spec.name in broker.actors:
            actors[spec.name] = broker.get_actor(spec.name)
            continue
        declare = dramatiq.actor(
            actor_name=spec.name, queue_name=queue_prefix + spec.queue_name, broker=broker, **spec.options
        )
        actors[spec.name] = declare(_with_settings(spec.fn, settings))
    return actors


def _with_settings(fn: Any, settings: Settings) -> Any:
    @functools.wraps(fn)
    async def run(*args: Any, **kwargs: Any) -> Any:
        token = _job_settings.set(settings)
        try:
            return await fn(*args, **kwargs)
        finally:
            _job_settings.reset(token)

    return run


def worker_database() -> Database:
    """The database of the running event loop (the worker's, or the caller's)."""
    settings = worker_settings()
    loop = asyncio.get_running_loop()
    with _databases_lock:
        database = _worker_databases.get(loop)
        if database is None:
            database = _worker_databases[loop] = Database.connect(settings)
    return database


async def close_worker_database() -> None:
    """Dispose the running loop's worker database (tests and one-off commands)."""
    with _databases_lock:
        database = _worker_databases.pop(asyncio.get_running_loop(), None)
    if database is not None:
        await database.dispose()


def worker_settings() -> Settings:
    """The settings of the runtime that delivered the running job (else the last bound)."""
    settings = _job_settings.get() or _worker_settings
    if settings is None:
        raise RuntimeError("jobs are not bound to a broker")
    return settings


def _message_for(row: Any, queue_name: str) -> dramatiq.Message[Any]:
    # The outbox row's id is the message id: a redelivered or re-relayed message keeps it, so
    # operators can follow one job from the table to the dead-letter queue.
    args, kwargs = row["args"], row["kwargs"]
    return dramatiq.Message(
        queue_name=queue_name,
        actor_name=row["actor_name"],
        args=tuple(json.loads(args) if isinstance(args, str) else args),
        kwargs=dict(json.loads(kwargs) if isinstance(kwargs, str) else kwargs),
        options={},
        message_id=str(row["id"]),
    )


# The relay's statements, on the driver (benchmarked, ``webhook``: the relay runs in the web
# process, and loading and flushing its rows as ORM objects, one publisher-thread hop per row,
# was the tail of every request that writes a job).
_OUTBOX = OutboxMessage.__tablename__
_PENDING = f"""
SELECT id, actor_name, args, kwargs FROM {_OUTBOX}
WHERE relayed_at IS NULL
ORDER BY attempts, created_at
LIMIT $1
FOR UPDATE SKIP LOCKED
"""
_SENT = f"UPDATE {_OUTBOX} SET relayed_at = $2, last_error = NULL, updated_at = $2 WHERE id = ANY($1::uuid[])"
_FAILED = f"UPDATE {_OUTBOX} SET attempts = attempts + 1, last_error = $2, updated_at = $3 WHERE id = ANY($1::uuid[])"


@dataclass
class OutboxRelay:
    """Sends committed, unsent outbox rows to the broker.

    All publishing happens on one dedicated thread: pika connections are per thread and not
    thread-safe, so the relay keeps a single long-lived, confirming channel instead of opening
    one in every thread of the default executor. A batch goes to that thread at once.
    """

    database: Database
    broker: dramatiq.Broker
    queue_prefix: str = ""
    batch: int = RELAY_BATCH
    # Set when another process's relay must be the only one sending for a while: test apps that
    # share one database but deliver mail differently (the browser journeys' SMTP server).
    paused: bool = False
    _publisher: concurrent.futures.ThreadPoolExecutor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._publisher = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-publisher")

    def _queue_for(self, actor_name: str) -> str | None:
        if actor_name in self.broker.actors:
            return str(self.broker.get_actor(actor_name).queue_name)
        return None

    def _publish(self, messages: list[tuple[Any, dramatiq.Message[Any]]]) -> tuple[list[Any], Any, Exception | None]:
        """On the publisher thread: send in order, stopping at the first failure → (the ids
        sent, the id that failed or None, its error)."""
        sent: list[Any] = []
        for row_id, message in messages:
            try:
                self.broker.enqueue(message)
            except Exception as exc:  # the broker is down: keep the row, try again later
                return sent, row_id, exc
            sent.append(row_id)
        return sent, None, None

    async def relay_once(self) -> int:
        """One batch. Returns how many rows were sent; raises the broker's error (after
        recording it on the row) when the broker is unreachable."""
        if self.paused:
            return 0
        loop = asyncio.get_running_loop()
        async with self.database.session() as db:
            con = await driver(db)
            rows = await con.fetch(_PENDING, self.batch)
            if not rows:
                return 0
            messages: list[tuple[Any, dramatiq.Message[Any]]] = []
            unknown: list[Any] = []
            for row in rows:
                queue_name = self._queue_for(row["actor_name"])
                if queue_name is None:
                    # A job this code no longer knows (renamed, removed): keep the row for the
                    # operator (`ordena jobs outbox`) instead of sending what nobody consumes.
                    unknown.append(row)
                else:
                    messages.append((row["id"], _message_for(row, queue_name)))
            sent, failed_id, failure = await loop.run_in_executor(self._publisher, self._publish, messages)
            at = now()
            if sent:
                await con.execute(_SENT, sent, at)
            for row in unknown:
                await con.execute(_FAILED, [row["id"]], f"unknown job {row['actor_name']!r}", at)
            if failure is not None:
                await con.execute(_FAILED, [failed_id], f"{type(failure).__name__}: {failure}"[:2000], at)
            await db.commit()
        if failure is not None:
            raise failure
        return len(sent)

    async def drain(self) -> int:
        """Relay until nothing is left (or the broker fails)."""
        total = 0
        while sent := await self.relay_once():
            total += sent
        return total

    async def run(self, wake: asyncio.Event | None = None, *, poll_seconds: float = 1.0) -> None:
        """Relay forever: right after ``wake`` is set (a commit wrote rows) or every
        ``poll_seconds`` (rows written by other processes); back off while the broker is down."""
        wake = wake or asyncio.Event()
        backoff = 0.0
        while True:
            try:
                await self.drain()
                backoff = 0.0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                backoff = min(MAX_BACKOFF_SECONDS, max(poll_seconds, backoff * 2 or 1.0))
                log.warning("outbox relay failed, retrying in %.0f s: %s: %s", backoff, type(exc).__name__, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=backoff or poll_seconds)
            wake.clear()

    async def close(self) -> None:
        """Close the broker's connections from the publishing thread that owns them."""
        loop = asyncio.get_running_loop()
        with contextlib.suppress(Exception):
            await loop.run_in_executor(self._publisher, self.broker.close)
        self._publisher.shutdown(wait=False)


def check_broker(broker: dramatiq.Broker) -> None:
    """Raise if the broker cannot be reached (readiness probe). Uses a short-lived connection:
    the broker's own connections belong to the threads that opened them."""
    if is_stub(broker):
        return
    from dramatiq.brokers.rabbitmq import RabbitmqBroker

    if isinstance(broker, RabbitmqBroker):
        import pika

        params = broker.parameters if isinstance(broker.parameters, list) else [broker.parameters]
        connection = pika.BlockingConnection(params)
        connection.close()
    else:
        broker.client.ping()  # type: ignore[attr-defined]


class PeriodicJobs:
    """Enqueue jobs at a fixed interval through the outbox (e.g. ``send_assessment_reminders``).

    Every web process and every ``ordena worker`` runs one; there is no leader election because
    the scheduled jobs are idempotent (reminders by ``respondent.reminded_at``): several processes
    enqueueing the same pass cost a few empty runs, never a second email. The first pass comes one
    interval after start, so restarts do not trigger a burst.
    """

    def __init__(self, database: Database, schedule: Iterable[tuple[str, float]], *, wake: Any = None) -> None:
        self.database = database
        self.schedule = [(name, seconds) for name, seconds in schedule if seconds > 0]
        self.wake = wake

    async def enqueue(self, job_name: str) -> None:
        async with self.database.session() as db:
            enqueue(db, job_name)
            await db.commit()
        if self.wake is not None:
            self.wake()

    async def _every(self, job_name: str, seconds: float) -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await self.enqueue(job_name)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database is away: try again next time
                log.warning("could not schedule %s: %s: %s", job_name, type(exc).__name__, exc)

    async def run(self) -> None:
        if not self.schedule:
            return
        async with asyncio.TaskGroup() as group:
            for name, seconds in self.schedule:
                group.create_task(self._every(name, seconds), name=f"schedule-{name}")


def periodic_schedule(settings: Settings) -> list[tuple[str, float]]:
    """The periodic jobs of this installation, in seconds (an interval of 0 turns a job off)."""
    return [
        ("send_assessment_reminders", settings.reminder_interval_minutes * 60),
        ("send_plan_digests", settings.plan_digest_interval_minutes * 60),
        ("schedule_network_refreshes", settings.network_refresh_check_minutes * 60),
        ("clean_report_files", settings.report_cleanup_interval_minutes * 60),
        ("billing_reconcile", settings.billing_reconcile_interval_minutes * 60 if settings.billing_enabled else 0),
    ]


class JobRuntime:
    def __init__(
        self, settings: Settings, database: Database, *, poll_seconds: float = 1.0, queue_prefix: str = ""
    ) -> None:
        self.settings = settings
        self.database = database
        self.poll_seconds = poll_seconds
        self.broker = make_broker(settings)
        self.actors = bind_jobs(self.broker, settings, queue_prefix=queue_prefix)
        self.relay = OutboxRelay(database, self.broker, queue_prefix)
        self.worker: dramatiq.Worker | None = None
        self._task: asyncio.Task[None] | None = None
        self._scheduler: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self.periodic = PeriodicJobs(database, periodic_schedule(settings), wake=self.wake)

    async def start(self, *, in_process_worker: bool) -> None:
        if in_process_worker and is_stub(self.broker):
            self.worker = dramatiq.Worker(self.broker, worker_threads=2, worker_timeout=100)
            self.worker.start()
        self._task = asyncio.create_task(
            self.relay.run(self._wake, poll_seconds=self.poll_seconds), name="outbox-relay"
        )
        self._scheduler = asyncio.create_task(self.periodic.run(), name="periodic-jobs")

    def check_broker(self) -> None:
        check_broker(self.broker)

    def wake(self) -> None:
        """Relay now (called after a commit that wrote outbox rows)."""
        self._wake.set()

    async def stop(self) -> None:
        for task in (self._scheduler, self._task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.worker is not None:
            await asyncio.to_thread(self.worker.stop)
        await self.relay.close()


class _RelayThread(threading.Thread):
    """The outbox relay of a standalone worker process, on its own event loop."""

    def __init__(self, settings: Settings, broker: dramatiq.Broker, queue_prefix: str, poll_seconds: float) -> None:
        super().__init__(name="outbox-relay", daemon=True)
        self.settings = settings
        self.broker = broker
        self.queue_prefix = queue_prefix
        self.poll_seconds = poll_seconds
        self.loop = asyncio.new_event_loop()
        self._task: asyncio.Task[None] | None = None
        self._ready = threading.Event()

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._main())
        self.loop.close()

    async def _main(self) -> None:
        database = Database.connect(self.settings)
        relay = OutboxRelay(database, self.broker, self.queue_prefix)
        wake = asyncio.Event()
        periodic = PeriodicJobs(database, periodic_schedule(self.settings), wake=wake.set)
        self._task = asyncio.current_task()
        self._ready.set()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(relay.run(wake, poll_seconds=self.poll_seconds))
                group.create_task(periodic.run())
        except asyncio.CancelledError:
            pass
        finally:
            relay._publisher.shutdown(wait=False)
            await database.dispose()

    def stop(self, timeout: float = 10.0) -> None:
        self._ready.wait(timeout)
        if self._task is not None:
            self.loop.call_soon_threadsafe(self._task.cancel)
        self.join(timeout)


def start_relay_thread(
    settings: Settings, broker: dramatiq.Broker, *, queue_prefix: str = "", poll_seconds: float = 1.0
) -> _RelayThread:
    thread = _RelayThread(settings, broker, queue_prefix, poll_seconds)
    thread.start()
    return thread


def run_workers(
    settings: Settings, *, processes: int = 1, threads: int = 4, relay: bool = True, queue_prefix: str = ""
) -> None:
    """A standalone worker process (production): consume the configured broker and relay the
    outbox. Scale out by running more of these processes (``--processes`` is accepted for
    compatibility; one process per container is the recommended shape)."""
    if not settings.broker_url:
        raise SystemExit("ORDENA_BROKER_URL is not set: jobs run inside the web process")
    broker = make_broker(settings)
    bind_jobs(broker, settings, queue_prefix=queue_prefix)
    worker = dramatiq.Worker(broker, worker_threads=threads)
    worker.start()
    relay_thread = start_relay_thread(settings, broker, queue_prefix=queue_prefix) if relay else None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    log.info(
        "worker started: queues %s, %d threads, relay %s",
        sorted(broker.get_declared_queues()),
        threads,
        "on" if relay else "off",
    )
    stop.wait()
    if relay_thread is not None:
        relay_thread.stop()
    worker.stop()
    broker.close()
