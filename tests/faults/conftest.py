"""The fault suite's fixtures: private PostgreSQL, RabbitMQ, Redis and SMTP servers for the whole
run, a migrated database, Ordena's processes per test, and the figures every case records
(written to docs/faults.md at the end of a full run)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import faulthandler
import os
import shutil
import tempfile
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiosmtpd.controller import Controller

from ordena.db.engine import Database
from ordena.settings import Settings
from tests.faults.figures import Figures
from tests.faults.stack import ROOT, Ordena, PrivatePostgres, PrivateRabbit, PrivateRedis, free_port

SECRET = "faults-secret-key-0123456789abcdef0123456789"
DB_NAME = "ordena_faults"
CASE_TIMEOUT_SECONDS = 900


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The suite starts servers and breaks them (minutes): it runs only when asked for by its
    # marker (`make test-faults`), never inside `make test`'s "not e2e and not perf".
    asked = "faults" in (config.option.markexpr or "") and "not faults" not in (config.option.markexpr or "")
    for item in items:
        if "tests/faults/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.faults)
            if not asked:
                item.add_marker(pytest.mark.skip(reason="the fault suite runs with -m faults (make test-faults)"))


@pytest.fixture(autouse=True)
def watchdog() -> Iterator[None]:
    """A case that hangs prints every thread's stack and ends the run instead of stalling CI."""
    faulthandler.dump_traceback_later(CASE_TIMEOUT_SECONDS, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="session")
def fault_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # Short paths: the PostgreSQL socket lives here (a Unix socket path is limited to ~100 bytes).
    folder = Path(tempfile.mkdtemp(prefix="ordena-faults-"))
    folder.chmod(0o755)  # the postgres and rabbitmq system users run inside it
    yield folder
    if not os.environ.get("ORDENA_FAULTS_KEEP"):  # keep the servers' logs to look at
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres(fault_dir: Path) -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres(fault_dir / "pg")
    pg.init()
    yield pg
    pg.stop("immediate")


@pytest.fixture(scope="session")
def rabbit(fault_dir: Path) -> Iterator[PrivateRabbit]:
    if not shutil.which("rabbitmq-server"):
        pytest.skip("rabbitmq-server is not installed")
    node = PrivateRabbit(fault_dir / "rabbit")
    try:
        node.start()
        yield node
    finally:
        node.stop(kill=True)


@pytest.fixture(scope="session")
def redis_server(fault_dir: Path) -> Iterator[PrivateRedis]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = PrivateRedis(fault_dir / "redis")
    server.start()
    yield server
    if server.process is not None:
        server.process.stop()


@dataclass
class Inbox:
    """What the SMTP server received, by Message-ID (stable per stored email: a second delivery
    of one email shows as a second copy under the same id). ``ehlo_delay`` slows every new SMTP
    conversation down, so a test can kill a worker while it is inside one; ``in_ehlo`` is set
    while one waits."""

    messages: list[EmailMessage] = field(default_factory=list)
    by_to: dict[str, int] = field(default_factory=dict)
    by_id: dict[str, int] = field(default_factory=dict)
    ehlo_delay: float = 0.0
    in_ehlo: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.ehlo_delay:
            self.in_ehlo.set()
            await asyncio.sleep(self.ehlo_delay)
            self.in_ehlo.clear()
        return responses

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        to, message_id = str(message["To"]), str(message["Message-ID"])
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
            self.by_to[to] = self.by_to.get(to, 0) + 1
            self.by_id[message_id] = self.by_id.get(message_id, 0) + 1
        return "250 Message accepted for delivery"

    def copies(self, to: str) -> int:
        with self.lock:
            return self.by_to.get(to, 0)

    def duplicates(self) -> int:
        with self.lock:
            return sum(n - 1 for n in self.by_id.values())

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.by_to.clear()
            self.by_id.clear()


@dataclass
class Smtp:
    port: int
    inbox: Inbox


@pytest.fixture(scope="session")
def smtp() -> Iterator[Smtp]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield Smtp(port, inbox)
    controller.stop()


@pytest.fixture
def inbox(smtp: Smtp) -> Inbox:
    smtp.inbox.clear()
    smtp.inbox.ehlo_delay = 0.0
    return smtp.inbox


@pytest.fixture(scope="session")
def base_env(postgres: PrivatePostgres, smtp: Smtp, fault_dir: Path) -> dict[str, str]:
    async def create() -> None:
        con = await asyncpg.connect(host="127.0.0.1", port=postgres.port, user="postgres", database="postgres")
        try:
            await con.execute(f'CREATE DATABASE "{DB_NAME}"')
        finally:
            await con.close()

    asyncio.run(create())
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("ORDENA_")},
        "ORDENA_ENV": "test",
        "ORDENA_SECRET_KEY": SECRET,
        "ORDENA_DATABASE_URL": postgres.url(DB_NAME),
        "ORDENA_DATA_DIR": str(fault_dir / "data"),
        "ORDENA_SMTP_HOST": "127.0.0.1",
        "ORDENA_SMTP_PORT": str(smtp.port),
        "ORDENA_LOG_JSON": "false",
        "ORDENA_LOG_LEVEL": "INFO",
        "ORDENA_WORKER_IN_PROCESS": "false",
        "ORDENA_REMINDER_INTERVAL_MINUTES": "0",
        "ORDENA_PLAN_DIGEST_INTERVAL_MINUTES": "0",
        "ORDENA_REPORT_CLEANUP_INTERVAL_MINUTES": "0",
        "ORDENA_DB_POOL_SIZE": "8",
    }
    Ordena(env, fault_dir / "logs").command("db", "upgrade")
    return env


@pytest.fixture
def ordena(base_env: dict[str, str], fault_dir: Path, request: pytest.FixtureRequest) -> Iterator[Ordena]:
    """Ordena's processes for one test (stopped afterwards); the broker is chosen by the test."""
    name = request.node.name
    logs = ROOT / "var" / "faults" / (name[:50] + name[name.find("[") :] if "[" in name else name[:60])
    shutil.rmtree(logs, ignore_errors=True)
    stack = Ordena(dict(base_env), logs)
    stack.env["ORDENA_BASE_URL"] = stack.base_url
    yield stack
    stack.stop_all()


@pytest.fixture(scope="session")
def settings(base_env: dict[str, str]) -> Settings:
    return Settings.from_env(base_env)


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    """The app role's database, as the product sees it (to make firms). One per case: a case
    that restarts PostgreSQL leaves a session-wide pool full of dead connections."""
    db = Database.connect(settings)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
async def owner(postgres: PrivatePostgres) -> AsyncIterator[asyncpg.Pool]:
    """The owner's connections, to count rows across firms (RLS does not apply to them)."""
    pool = await asyncpg.create_pool(
        host="127.0.0.1", port=postgres.port, user="postgres", database=DB_NAME, min_size=0, max_size=2
    )
    yield pool
    await pool.close()


@pytest.fixture(scope="session")
def figures(request: pytest.FixtureRequest) -> Iterator[Figures]:
    # docs/faults.md is rewritten only by a run of the whole suite (a folder, not a file or a
    # case, on the command line) in which every case recorded its figures.
    whole = not any(arg.endswith(".py") or "::" in arg for arg in request.config.args)
    cases = sum(1 for item in request.session.items if "faults" in item.keywords)
    found = Figures(expected=cases if whole else cases + 1)
    yield found
    found.write()
