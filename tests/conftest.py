"""Test fixtures: one fresh, migrated database per test process, the app wired to it, and
helpers that act like a browser (cookies, CSRF tokens from the page, form posts).

Tests keep each other's data apart the way the product does: every test creates its own firms
(unique slugs and emails), and row-level security hides every other firm's rows.
Set ORDENA_TEST_DATABASE_URL (a user that may create databases and roles) to use an external
PostgreSQL; otherwise an embedded one is started under var/test-pg.
"""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from ordena.accounts import passwords
from ordena.db.engine import Database, make_engine
from ordena.db.migrate import upgrade_async
from ordena.domains import load_jobs, load_models
from ordena.settings import BASE_DIR, Settings

# Property tests check rules, not speed: no per-example deadline and no "too slow" health check,
# which a busy machine (CI beside other jobs) trips although nothing is wrong.
hypothesis_settings.register_profile(
    "ordena", deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
hypothesis_settings.load_profile("ordena")

# What the web plugin, the worker and `ordena db upgrade` load at start: every table and every job
# (tests call services that enqueue jobs without starting an app).
load_models()
load_jobs()

BASE_URL = "http://ordena.test"
CSRF_RE = re.compile(r'name="_csrf" value="([^"]+)"')

# Every login verifies a password, and argon2id at production cost (19 MiB, 2 passes) made
# those a large share of the suite's time. The suite hashes cheaply; a fresh process still
# hashes at production cost (tests/unit/accounts/test_passwords.py checks both). Set before
# any test module hashes (tests/factories.py precomputes its users' hash at import).
TEST_PASSWORD_COST = passwords.Cost(time_cost=1, memory_cost=8, parallelism=1)
passwords.use_cost(TEST_PASSWORD_COST)


def _server_url() -> str:
    given = os.environ.get("ORDENA_TEST_DATABASE_URL")
    if given:
        return given
    from ordena.db.embedded import embedded_database_url

    return embedded_database_url(BASE_DIR / "var" / "test-pg")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """A new database for this test process (xdist workers each get their own)."""
    import asyncpg

    server = make_url(_server_url()).set(drivername="postgresql+asyncpg")
    name = f"ordena_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{uuid.uuid4().hex[:8]}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(**_asyncpg_kwargs(server.set(database="postgres")))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _asyncpg_kwargs(url: Any) -> dict[str, Any]:
    kw: dict[str, Any] = {"user": url.username, "database": url.database}
    if url.password:
        kw["password"] = url.password
    if url.host:
        kw["host"] = url.host
    if url.port:
        kw["port"] = url.port
    if "host" in url.query:  # unix socket of the embedded server
        kw["host"] = url.query["host"]
    return kw


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        environment="test",
        secret_key="test-secret-key-0123456789abcdef0123456789",
        base_url=BASE_URL,
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("data"),
        log_json=False,
        log_level="WARNING",
        login_attempts_per_15min=5,
        # Every test signs in from "testclient": its link and token guesses share one count.
        guess_failures_per_15min=100_000,
    )


@pytest.fixture(scope="session")
async def migrated(settings: Settings) -> Settings:
    # Roles are cluster-wide: parallel test processes migrate one at a time.
    import fcntl

    lock_path = BASE_DIR / "var" / "test-migrate.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock:
        await asyncio.to_thread(fcntl.flock, lock, fcntl.LOCK_EX)
        await upgrade_async(settings)
    return settings


@pytest.fixture(scope="session")
async def database(migrated: Settings) -> AsyncIterator[Database]:
    db = Database.connect(migrated)
    yield db
    await db.dispose()


@pytest.fixture
async def one_connection_database(migrated: Settings) -> AsyncIterator[Database]:
    """The app's database with a pool of one connection: every session borrows the same one."""
    db = Database.connect(replace(migrated, db_pool_size=1))
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
async def owner_engine(migrated: Settings) -> AsyncIterator[AsyncEngine]:
    """The owner role (migrations, catalog checks); the app never uses it."""
    engine = make_engine(make_url(migrated.database_url), pool_size=2)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def app(migrated: Settings) -> Litestar:
    """The app under test. Litestar's test client serves it from its own event loop (a thread),
    so the app opens its own engine; tests use the ``database`` fixture on theirs."""
    from ordena.server.app import create_app

    return create_app(migrated)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[Browser]:
    async with AsyncTestClient(app=app, base_url=BASE_URL) as c:
        yield Browser(c)


@pytest.fixture
async def new_client(migrated: Settings) -> AsyncIterator[Any]:
    """Open more browsers in one test (e.g. two users of different firms). Each gets its own
    app instance: Litestar's test client serves an app from its own event loop, and one app's
    state (engine, job runtime) belongs to one loop."""
    from ordena.server.app import create_app

    clients: list[AsyncTestClient[Any]] = []

    async def make() -> Browser:
        c: AsyncTestClient[Any] = AsyncTestClient(app=create_app(migrated), base_url=BASE_URL)
        await c.__aenter__()
        clients.append(c)
        return Browser(c)

    yield make
    for c in clients:
        await c.__aexit__(None, None, None)


class Browser:
    """A test client that behaves like a browser: takes the CSRF token from the page it was
    on and sends it with each form, and sends same-origin fetch metadata."""

    def __init__(self, client: AsyncTestClient[Any]) -> None:
        self.client = client
        self.csrf: str | None = None

    async def get(self, path: str, **kw: Any) -> Any:
        response = await self.client.get(path, **kw)
        match = CSRF_RE.search(response.text) if "text/html" in response.headers.get("content-type", "") else None
        if match:
            self.csrf = match.group(1)
        return response

    async def token(self) -> str:
        if self.csrf is None:
            await self.get("/login")
        assert self.csrf is not None
        return self.csrf

    async def post(
        self,
        path: str,
        data: dict[str, Any] | None = None,
        *,
        csrf: bool = True,
        headers: dict[str, str] | None = None,
        **kw: Any,
    ) -> Any:
        form = dict(data or {})
        if csrf:
            form.setdefault("_csrf", await self.token())
        h = {"sec-fetch-site": "same-origin", "origin": BASE_URL, **(headers or {})}
        kw.setdefault("follow_redirects", False)
        response = await self.client.post(path, data=form, headers=h, **kw)
        match = CSRF_RE.search(response.text) if "text/html" in response.headers.get("content-type", "") else None
        if match:
            self.csrf = match.group(1)
        return response

    async def login(self, email: str, password: str) -> Any:
        response = await self.post("/login", {"email": email, "password": password, "next": "/"})
        assert response.status_code in (302, 303), response.text[:500]
        self.csrf = None  # the session has a new token
        return response

    @property
    def cookies(self) -> Any:
        return self.client.cookies


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Browser journeys share one live server per process: keep them on one xdist worker.
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(pytest.mark.xdist_group("e2e"))


ROOT = Path(__file__).resolve().parents[1]
