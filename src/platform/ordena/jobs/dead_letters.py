"""Operations on the broker's dead-letter queues: ``ordena jobs dead-letters`` / ``retry-dead``.

Messages that failed every retry wait there; an operator lists them and sends the chosen ones
back with fresh retries (the message id stays, so idempotent jobs recognise a repeat).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import click
import dramatiq
from dramatiq.common import xq_name

from ordena.jobs.registry import JOBS
from ordena.jobs.runtime import make_broker
from ordena.settings import Settings


@dataclass(frozen=True)
class DeadLetter:
    queue_name: str
    message_id: str
    actor_name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    retries: int
    failed_at: dt.datetime | None
    error: str

    @classmethod
    def from_message(
        cls, queue_name: str, message: dramatiq.Message[Any], failed_at: dt.datetime | None = None
    ) -> DeadLetter:
        # RabbitMQ dead-letters the body as it was delivered: the traceback is the one of the
        # previous attempt (the last one is in the worker's log), the time is RabbitMQ's.
        options = message.options
        stamp = options.get("requeue_timestamp")
        if failed_at is None and stamp:
            failed_at = dt.datetime.fromtimestamp(stamp / 1000, dt.UTC)
        traceback = str(options.get("traceback") or "").strip()
        return cls(
            queue_name=queue_name,
            message_id=message.message_id,
            actor_name=message.actor_name,
            args=tuple(message.args),
            kwargs=dict(message.kwargs),
            retries=int(options.get("retries", 0)),
            failed_at=failed_at,
            error=traceback.splitlines()[-1] if traceback else "",
        )


def job_queues(queue_prefix: str = "") -> list[str]:
    """The canonical queues of every registered job."""
    return sorted({queue_prefix + spec.queue_name for spec in JOBS.values()})


def _revive(message: dramatiq.Message[Any], queue_name: str) -> dramatiq.Message[Any]:
    # A fresh set of retries; the message id stays, so idempotent actors still recognise it.
    options = {
        k: v
        for k, v in message.options.items()
        if k not in {"traceback", "requeue_timestamp", "redis_message_id", "eta"}
    }
    options["retries"] = 0
    return dramatiq.Message(
        queue_name=queue_name,
        actor_name=message.actor_name,
        args=message.args,
        kwargs=message.kwargs,
        options=options,
        message_id=message.message_id,
        message_timestamp=message.message_timestamp,
    )


def dead_letters(
    broker: dramatiq.Broker, queues: Iterable[str], *, retry: bool = False, message_ids: set[str] | None = None
) -> list[DeadLetter]:
    """The messages in the dead-letter queues of ``queues``; with ``retry``, also send the
    selected ones (``message_ids``, default all) back to their queue with fresh retries."""
    from dramatiq.brokers.rabbitmq import RabbitmqBroker
    from dramatiq.brokers.redis import RedisBroker

    if isinstance(broker, RabbitmqBroker):
        return _rabbitmq_dead_letters(broker, queues, retry=retry, message_ids=message_ids)
    if isinstance(broker, RedisBroker):
        return _redis_dead_letters(broker, queues, retry=retry, message_ids=message_ids)
    return []  # the in-memory broker keeps nothing once the process ends


def _x_death_time(properties: Any) -> dt.datetime | None:
    deaths = (getattr(properties, "headers", None) or {}).get("x-death") or []
    stamp = deaths[0].get("time") if deaths else None
    if isinstance(stamp, dt.datetime):
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    if isinstance(stamp, int | float):
        return dt.datetime.fromtimestamp(stamp, dt.UTC)
    return None


def _rabbitmq_dead_letters(
    broker: Any, queues: Iterable[str], *, retry: bool, message_ids: set[str] | None
) -> list[DeadLetter]:
    import pika
    from pika.exceptions import ChannelClosedByBroker

    found: list[DeadLetter] = []
    params = broker.parameters if isinstance(broker.parameters, list) else [broker.parameters]
    connection = pika.BlockingConnection(params)
    try:
        channel = connection.channel()
        for queue_name in queues:
            dead = xq_name(queue_name)
            try:
                channel.queue_declare(queue=dead, passive=True)
            except ChannelClosedByBroker:  # no such queue: nothing ever failed there
                channel = connection.channel()
                continue
            # Read without acknowledging: the messages return to the queue when the channel
            # closes, except those acknowledged after a successful retry.
            while True:
                method, _props, body = channel.basic_get(dead, auto_ack=False)
                if method is None:
                    break
                message = dramatiq.Message.decode(body)
                letter = DeadLetter.from_message(queue_name, message, _x_death_time(_props))
                if retry and (message_ids is None or message.message_id in message_ids):
                    broker.enqueue(_revive(message, queue_name))
                    channel.basic_ack(method.delivery_tag)
                found.append(letter)
            channel.close()
            channel = connection.channel()
    finally:
        connection.close()
    return found


def _redis_dead_letters(
    broker: Any, queues: Iterable[str], *, retry: bool, message_ids: set[str] | None
) -> list[DeadLetter]:
    found: list[DeadLetter] = []
    client = broker.client
    for queue_name in queues:
        key = f"{broker.namespace}:{xq_name(queue_name)}"
        for redis_id, data in sorted(client.hgetall(f"{key}.msgs").items()):
            message = dramatiq.Message.decode(data)
            found.append(DeadLetter.from_message(queue_name, message))
            if retry and (message_ids is None or message.message_id in message_ids):
                broker.enqueue(_revive(message, queue_name))
                client.zrem(key, redis_id)
                client.hdel(f"{key}.msgs", redis_id)
    return found


def dead_letters_command(
    settings: Settings, queues: Iterable[str], *, retry: bool, message_ids: Iterable[str]
) -> list[DeadLetter]:
    """``ordena jobs dead-letters`` / ``ordena jobs retry-dead``."""
    if not settings.broker_url:
        raise click.ClickException("ORDENA_BROKER_URL is not set: the in-process broker keeps no dead letters")
    broker = make_broker(settings)
    try:
        chosen = list(queues) or job_queues()
        ids = set(message_ids) or None
        letters = dead_letters(broker, chosen, retry=retry, message_ids=ids)
    finally:
        broker.close()
    if not letters:
        click.echo(f"no dead letters in {', '.join(chosen)}")
        return letters
    verb = "retried" if retry else "dead"
    for letter in letters:
        if retry and ids is not None and letter.message_id not in ids:
            continue
        failed = letter.failed_at.isoformat(timespec="seconds") if letter.failed_at else "-"
        arguments = ", ".join([*map(repr, letter.args), *(f"{k}={v!r}" for k, v in letter.kwargs.items())])
        click.echo(
            f"{verb}  {letter.queue_name}  {letter.message_id}  {letter.actor_name}({arguments})  retries={letter.retries}  failed={failed}  {letter.error}"
        )
    return letters
