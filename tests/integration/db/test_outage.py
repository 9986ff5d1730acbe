"""A database that cannot be reached is a 503 with a retry hint, never a 500 page with a trace
(the fault suite, tests/faults/test_database_restart.py, restarts a real PostgreSQL; these are
the quick checks that run with every `make test`)."""

from __future__ import annotations

from dataclasses import replace

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.exc import IntegrityError, OperationalError

from ordena.db.outage import database_unavailable
from ordena.server.app import create_app
from ordena.settings import Settings
from tests.conftest import BASE_URL
from tests.integration.mail.smtp import free_port


async def test_a_refused_connection_is_an_outage_and_a_broken_rule_is_not() -> None:
    with pytest.raises(OSError) as refused:
        await asyncpg.connect(host="127.0.0.1", port=free_port(), user="postgres", timeout=5)
    assert database_unavailable(refused.value)
    wrapped = OperationalError("SELECT 1", {}, asyncpg.ConnectionDoesNotExistError("connection was closed"))
    assert database_unavailable(wrapped)
    assert not database_unavailable(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not database_unavailable(ValueError("bad input"))


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
async def test_pages_answer_503_with_retry_after_while_the_database_is_unreachable(
    migrated: Settings, accept: str
) -> None:
    down = replace(migrated, database_url=f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nowhere")
    app = create_app(down, start_jobs=False)
    async with AsyncTestClient(app=app, base_url=BASE_URL) as client:
        client.cookies.set("ordena_session", "a-session-the-database-must-look-up")
        response = await client.get("/w/some-firm/companies", headers={"accept": accept})
    assert response.status_code == 503, response.text[:300]
    assert response.headers["retry-after"] == "5"
    # the session lookup itself failed: the answer still carries the headers every page carries
    assert response.headers.get("x-content-type-options") == "nosniff"
    assert "default-src" in response.headers.get("content-security-policy", "")
    assert response.headers.get("x-request-id")
    assert "Traceback" not in response.text and "asyncpg" not in response.text
    if accept == "application/json":
        assert response.json()["status"] == 503
    else:
        assert "Vuelve a intentarlo en unos segundos" in response.text
