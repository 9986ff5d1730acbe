"""Real brokers for the job tests: RabbitMQ and Redis from ORDENA_TEST_AMQP_URL and
ORDENA_TEST_REDIS_URL. An unreachable broker skips its tests with the URL in the reason.
Every test uses its own queue names (RabbitMQ) or key namespace (Redis), so parallel runs
against the same servers don't see each other's messages."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.integration.mail.smtp import smtp_server  # noqa: F401 - a fixture

AMQP_URL = os.environ.get("ORDENA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
REDIS_URL = os.environ.get("ORDENA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    import pika

    try:
        params = pika.URLParameters(AMQP_URL)
        params.socket_timeout = 3
        params.connection_attempts = 1
        pika.BlockingConnection(params).close()
    except Exception as exc:
        pytest.skip(f"RabbitMQ not reachable at {AMQP_URL}: {type(exc).__name__}")
    return AMQP_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {type(exc).__name__}")
    return REDIS_URL


@pytest.fixture
def queue_prefix(rabbitmq_url: str) -> Iterator[str]:
    """A unique prefix for this test's RabbitMQ queues; the queues are deleted afterwards."""
    import pika

    prefix = f"ordena-test-{uuid.uuid4().hex[:10]}."
    yield prefix
    connection = pika.BlockingConnection(pika.URLParameters(rabbitmq_url))
    try:
        for base in ("default", "mail"):
            for suffix in ("", ".DQ", ".XQ"):
                channel = connection.channel()
                try:
                    channel.queue_delete(prefix + base + suffix)
                    channel.close()
                except Exception:  # noqa: S110 - the queue was never declared
                    pass
    finally:
        connection.close()


@pytest.fixture
def redis_namespace(redis_url: str) -> Iterator[str]:
    import redis

    namespace = f"ordena-test-{uuid.uuid4().hex[:10]}"
    yield namespace
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{namespace}:*"))
    if keys:
        client.delete(*keys)
