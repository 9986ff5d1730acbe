"""Operations: probes for the orchestrator and one JSON log line per request."""

from __future__ import annotations

import io
import json
import os
from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient

from ordena.lib.logging import configure_logging
from ordena.server.app import create_app
from ordena.settings import Settings
from tests.conftest import BASE_URL, Browser
from tests.integration.mail.smtp import free_port

AMQP_URL = os.environ.get("ORDENA_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")


async def test_the_orchestrator_sees_a_live_and_ready_app(client: Browser) -> None:
    live = await client.get("/health/live")
    assert live.status_code == 200 and live.json() == {"status": "ok"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.parametrize("scheme", ["amqp", "redis"])
async def test_the_app_is_not_ready_while_its_broker_is_down(migrated: Settings, scheme: str) -> None:
    down = f"{scheme}://127.0.0.1:{free_port()}/"  # nothing listens there
    app = create_app(replace(migrated, broker_url=down), start_jobs=False)
    async with AsyncTestClient(app=app, base_url=BASE_URL) as c:
        assert (await c.get("/health/live")).status_code == 200  # alive: don't restart it
        ready = await c.get("/health/ready")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error: ")


@pytest.mark.broker
async def test_the_app_is_ready_with_a_real_rabbitmq(migrated: Settings) -> None:
    import pika

    try:
        pika.BlockingConnection(pika.URLParameters(AMQP_URL)).close()
    except Exception as exc:
        pytest.skip(f"RabbitMQ not reachable at {AMQP_URL}: {type(exc).__name__}")
    app = create_app(replace(migrated, broker_url=AMQP_URL), start_jobs=False)
    async with AsyncTestClient(app=app, base_url=BASE_URL) as c:
        ready = await c.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}


async def test_each_request_writes_one_json_log_line_with_its_request_id(migrated: Settings) -> None:
    settings = replace(migrated, log_json=True, log_level="INFO")
    app = create_app(settings, start_jobs=False)
    stream = io.StringIO()
    configure_logging(settings, stream=stream)
    try:
        async with AsyncTestClient(app=app, base_url=BASE_URL) as c:
            response = await c.get("/health/live")
            ready = await c.get("/health/ready")
    finally:
        configure_logging(migrated)
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]  # every line is JSON
    requests = [line for line in lines if line.get("event") == "request"]
    first = next(line for line in requests if line["path"] == "/health/live")
    assert first["request_id"] == response.headers["x-request-id"]
    assert first["method"] == "GET" and first["status"] == 200 and first["level"] == "info"
    assert "timestamp" in first and isinstance(first["ms"], float)
    second = next(line for line in requests if line["path"] == "/health/ready")
    assert (
        second["status"] == ready.status_code
        and second["request_id"] == ready.headers["x-request-id"] != first["request_id"]
    )


def test_standard_library_logs_are_json_lines_too(migrated: Settings) -> None:
    import logging

    stream = io.StringIO()
    configure_logging(replace(migrated, log_json=True, log_level="INFO"), stream=stream)
    try:
        logging.getLogger("dramatiq.worker").warning("worker %s started", "w1")
    finally:
        configure_logging(migrated)
    [line] = [json.loads(x) for x in stream.getvalue().splitlines() if "worker w1" in x]
    assert line["event"] == "worker w1 started" and line["level"] == "warning" and line["logger"] == "dramatiq.worker"
