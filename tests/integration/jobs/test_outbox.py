"""The transactional outbox against real brokers: what a user triggers is written with the
change, relayed after commit, survives a broker outage, and ends in a dead-letter queue that an
operator can read when it keeps failing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from typing import Any

import dramatiq
import pytest
from click.testing import CliRunner
from sqlalchemy import cast, select
from sqlalchemy.dialects.postgresql import JSONB

from ordena.cli import main as cli
from ordena.db.engine import Database
from ordena.jobs.dead_letters import dead_letters
from ordena.jobs.models import OutboxMessage
from ordena.jobs.outbox import enqueue
from ordena.jobs.registry import JOBS, job
from ordena.jobs.runtime import OutboxRelay, bind_jobs, close_worker_database, make_broker
from ordena.mail.jobs import send_email
from ordena.mail.models import Email
from ordena.mail.services import send_mail
from ordena.settings import Settings
from tests.integration.mail.smtp import SmtpServer, eventually, free_port

pytestmark = pytest.mark.broker


async def _password_reset_mail(database: Database, settings: Settings, to: str, locale: str = "es") -> Email:
    """What the 'forgot password' page does: the mail and its job in one transaction."""
    async with database.session() as db:
        email = await send_mail(
            db,
            templates_dir=settings.templates_dir,
            to=to,
            template="password_reset",
            context={"name": "Ana", "url": f"{settings.base_url}/reset/abc", "hours": 2},
            locale=locale,
        )
        await db.commit()
    return email


async def _outbox_row(database: Database, email_id: uuid.UUID) -> OutboxMessage:
    async with database.session() as db:
        row = await db.scalar(select(OutboxMessage).where(cast(OutboxMessage.args, JSONB)[0].astext == str(email_id)))
        assert row is not None
        return row


async def _sent_at(database: Database, email_id: uuid.UUID) -> Any:
    async with database.session() as db:
        email = await db.get(Email, email_id)
        assert email is not None
        return email.sent_at


@asynccontextmanager
async def running_worker(broker: dramatiq.Broker) -> AsyncIterator[dramatiq.Worker]:
    """A real dramatiq worker consuming ``broker`` in this process (its own threads and loop)."""
    worker = dramatiq.Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        yield worker
    finally:
        await asyncio.to_thread(worker.stop)


@contextmanager
def temporary_job(name: str, fn: Any, **options: Any) -> Iterator[None]:
    job(name, **options)(fn)
    try:
        yield
    finally:
        JOBS.pop(name, None)


def _mail_settings(settings: Settings, broker_url: str, smtp: SmtpServer) -> Settings:
    return replace(settings, broker_url=broker_url, smtp_host=smtp.host, smtp_port=smtp.port)


async def test_password_reset_mail_travels_through_rabbitmq_and_a_worker_sends_it(
    migrated: Settings, database: Database, rabbitmq_url: str, queue_prefix: str, smtp_server: SmtpServer
) -> None:
    settings = _mail_settings(migrated, rabbitmq_url, smtp_server)
    broker = make_broker(settings)
    bind_jobs(broker, settings, queue_prefix=queue_prefix)
    relay = OutboxRelay(database, broker, queue_prefix)
    to = f"ana.{uuid.uuid4().hex[:8]}@example.test"
    try:
        email = await _password_reset_mail(database, settings, to)
        assert (await _outbox_row(database, email.id)).relayed_at is None  # committed, not yet sent

        assert await relay.drain() >= 1
        row = await _outbox_row(database, email.id)
        assert row.relayed_at is not None and row.queue_name == "mail"
        # Publisher confirms: RabbitMQ holds the message durably before the row is marked sent.
        counts = await asyncio.to_thread(broker.get_queue_message_counts, f"{queue_prefix}mail")  # type: ignore[attr-defined]
        assert counts[0] >= 1

        async with running_worker(broker):
            await eventually(lambda: _has_sent(database, email.id), what="the worker to send the mail")
        assert len(smtp_server.inbox.to(to)) == 1
    finally:
        await relay.close()


async def _has_sent(database: Database, email_id: uuid.UUID) -> bool:
    return await _sent_at(database, email_id) is not None


async def test_password_reset_mail_travels_through_redis_and_a_worker_sends_it(
    migrated: Settings, database: Database, redis_url: str, redis_namespace: str, smtp_server: SmtpServer
) -> None:
    settings = _mail_settings(migrated, redis_url, smtp_server)
    broker = make_broker(settings, namespace=redis_namespace)
    bind_jobs(broker, settings)
    relay = OutboxRelay(database, broker)
    to = f"luis.{uuid.uuid4().hex[:8]}@example.test"
    try:
        email = await _password_reset_mail(database, settings, to)
        assert await relay.drain() >= 1
        assert (await _outbox_row(database, email.id)).relayed_at is not None
        async with running_worker(broker):
            await eventually(lambda: _has_sent(database, email.id), what="the worker to send the mail")
        assert len(smtp_server.inbox.to(to)) == 1
    finally:
        await relay.close()


async def test_mail_requested_while_the_broker_is_down_is_kept_and_sent_when_it_is_back(
    migrated: Settings, database: Database, rabbitmq_url: str, queue_prefix: str, smtp_server: SmtpServer
) -> None:
    down_url = f"amqp://guest:guest@127.0.0.1:{free_port()}/"  # nothing listens there
    down = make_broker(replace(migrated, broker_url=down_url))
    bind_jobs(down, migrated, queue_prefix=queue_prefix)
    down_relay = OutboxRelay(database, down, queue_prefix)
    to = f"rosa.{uuid.uuid4().hex[:8]}@example.test"

    email = await _password_reset_mail(database, migrated, to)  # the user's request succeeds
    with pytest.raises(Exception, match=r"(?i)connection"):
        await down_relay.drain()
    await down_relay.close()
    row = await _outbox_row(database, email.id)
    assert row.relayed_at is None
    assert row.attempts >= 1
    assert row.last_error and "Connection" in row.last_error

    # The operator sees the row waiting, with its error.
    result = await asyncio.to_thread(
        CliRunner().invoke, cli, ["jobs", "outbox"], env=_cli_env(migrated), catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert str(row.id) in result.output and "Connection" in result.output

    # The broker is back: the next relay (web or worker process) delivers it.
    settings = _mail_settings(migrated, rabbitmq_url, smtp_server)
    broker = make_broker(settings)
    bind_jobs(broker, settings, queue_prefix=queue_prefix)
    relay = OutboxRelay(database, broker, queue_prefix)
    try:
        await relay.drain()
        row = await _outbox_row(database, email.id)
        assert row.relayed_at is not None and row.last_error is None
        async with running_worker(broker):
            await eventually(lambda: _has_sent(database, email.id), what="the delayed mail to be sent")
        assert len(smtp_server.inbox.to(to)) == 1
    finally:
        await relay.close()


def _cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        "ORDENA_DATABASE_URL": settings.database_url,
        "ORDENA_SECRET_KEY": settings.secret_key,
        "ORDENA_LOG_JSON": "false",
        "ORDENA_LOG_LEVEL": "WARNING",
        **extra,
    }


async def test_a_job_that_always_fails_ends_in_the_dead_letter_queue_and_the_operator_can_list_and_retry_it(
    migrated: Settings, database: Database, rabbitmq_url: str, queue_prefix: str
) -> None:
    name = f"always_fails_{uuid.uuid4().hex[:8]}"

    async def always_fails(entity_id: str) -> None:
        raise RuntimeError("el servicio externo no responde")

    settings = replace(migrated, broker_url=rabbitmq_url)
    with temporary_job(name, always_fails, max_retries=1, min_backoff=10, max_backoff=20):
        broker = make_broker(settings)
        bind_jobs(broker, settings, queue_prefix=queue_prefix)
        relay = OutboxRelay(database, broker, queue_prefix)
        queue = f"{queue_prefix}default"
        try:
            async with database.session() as db:
                row = enqueue(db, name, uuid.uuid4())
                await db.commit()
            await relay.drain()

            async def dead() -> bool:
                letters = await asyncio.to_thread(dead_letters, broker, [queue])
                return any(letter.message_id == str(row.id) for letter in letters)

            async with running_worker(broker):
                await eventually(dead, what="the failed message in the dead-letter queue")

            env = _cli_env(migrated, ORDENA_BROKER_URL=rabbitmq_url)
            listed = await asyncio.to_thread(
                CliRunner().invoke, cli, ["jobs", "dead-letters", "--queue", queue], env=env, catch_exceptions=False
            )
            assert listed.exit_code == 0, listed.output
            assert str(row.id) in listed.output
            assert name in listed.output
            assert "RuntimeError: el servicio externo no responde" in listed.output
            assert "retries=1" in listed.output and "failed=-" not in listed.output
            # Listing does not consume: the message is still there.
            assert len(await asyncio.to_thread(dead_letters, broker, [queue])) == 1

            retried = await asyncio.to_thread(
                CliRunner().invoke,
                cli,
                ["jobs", "retry-dead", "--queue", queue, str(row.id)],
                env=env,
                catch_exceptions=False,
            )
            assert retried.exit_code == 0, retried.output
            assert f"retried  {queue}  {row.id}" in retried.output
            counts = await asyncio.to_thread(broker.get_queue_message_counts, queue)  # type: ignore[attr-defined]
            assert counts[0] == 1 and counts[2] == 0  # back in the work queue, out of the dead letters
        finally:
            await relay.close()


async def test_sending_the_same_email_twice_delivers_it_once(
    migrated: Settings, database: Database, smtp_server: SmtpServer
) -> None:
    settings = replace(migrated, smtp_host=smtp_server.host, smtp_port=smtp_server.port)
    bind_jobs(make_broker(settings), settings)
    to = f"eva.{uuid.uuid4().hex[:8]}@example.test"
    email = await _password_reset_mail(database, settings, to)
    try:
        # At-least-once delivery: the same message may arrive twice (relay crash, redelivery).
        await send_email(str(email.id))
        await send_email(str(email.id))
        await asyncio.gather(send_email(str(email.id)), send_email(str(email.id)))
    finally:
        await close_worker_database()
    assert len(smtp_server.inbox.to(to)) == 1
    assert await _sent_at(database, email.id) is not None


async def test_two_relays_running_at_once_send_each_row_once(migrated: Settings, database: Database) -> None:
    from dramatiq.brokers.stub import StubBroker

    broker = make_broker(migrated)
    assert isinstance(broker, StubBroker)
    bind_jobs(broker, migrated)
    emails = [
        await _password_reset_mail(database, migrated, f"x{i}.{uuid.uuid4().hex[:6]}@example.test") for i in range(30)
    ]
    relays = [OutboxRelay(database, broker, batch=5) for _ in range(3)]
    try:
        await asyncio.gather(*(r.drain() for r in relays))
    finally:
        for r in relays:
            await r.close()
    ids = {str(e.id) for e in emails}
    sent = [m for m in broker.queues["mail"].queue if m and dramatiq.Message.decode(m).args[0] in ids]  # type: ignore[attr-defined]
    assert len(sent) == len(emails)


async def test_a_paused_relay_leaves_the_rows_to_another_relay(migrated: Settings, database: Database) -> None:
    from dramatiq.brokers.stub import StubBroker

    broker = make_broker(migrated)
    assert isinstance(broker, StubBroker)
    bind_jobs(broker, migrated)
    email = await _password_reset_mail(database, migrated, f"pausa.{uuid.uuid4().hex[:6]}@example.com")
    paused, active = OutboxRelay(database, broker, paused=True), OutboxRelay(database, broker)
    try:
        assert await paused.relay_once() == 0
        assert (await _outbox_row(database, email.id)).relayed_at is None
        await active.drain()
        assert (await _outbox_row(database, email.id)).relayed_at is not None
    finally:
        await paused.close()
        await active.close()


async def test_a_job_taking_an_object_instead_of_an_id_is_refused_in_the_request(database: Database) -> None:
    async with database.session() as db:
        with pytest.raises(TypeError, match="ids"):
            enqueue(db, "send_email", object())
        with pytest.raises(LookupError):
            enqueue(db, "no_such_job", "x")
