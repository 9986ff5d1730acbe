"""The development outbox is served to this machine only (issue 14, item 6): a deployment
where ``ORDENA_ENV`` was forgotten (so it is "development") and SMTP not configured published
every reset link to anyone who opened /dev/outbox."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import uvicorn
from click.testing import CliRunner
from litestar.testing import AsyncTestClient
from litestar.types import Receive, Scope, Send

from ordena import cli
from ordena.settings import Settings
from tests.conftest import BASE_URL


class FromPeer:
    """The app as seen from a given peer address (the test client calls itself "testclient")."""

    def __init__(self, app: Any, host: str) -> None:
        self.app, self.host = app, host

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["client"] = (self.host, 50000)
        await self.app(scope, receive, send)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)


async def _outbox(settings: Settings, host: str, headers: dict[str, str] | None = None) -> Any:
    from ordena.server.app import create_app

    app = create_app(settings, start_jobs=False)
    async with AsyncTestClient(app=FromPeer(app, host), base_url=BASE_URL) as c:  # type: ignore[arg-type]
        return await c.get("/dev/outbox", headers=headers or {}, follow_redirects=False)


async def test_a_forgotten_ordena_env_does_not_publish_the_outbox_to_other_machines(migrated: Settings) -> None:
    forgotten = replace(migrated, environment="development")  # ORDENA_ENV's default
    assert (await _outbox(forgotten, "203.0.113.7")).status_code == 404
    # A proxy on the same machine connects from loopback: its forwarding headers give it away.
    relayed = await _outbox(forgotten, "127.0.0.1", {"x-forwarded-for": "203.0.113.7"})
    assert relayed.status_code == 404
    # The developer's own browser still gets it (after signing in).
    local = await _outbox(forgotten, "127.0.0.1")
    assert local.status_code == 303 and local.headers["location"].startswith("/login")


def test_ordena_serve_on_a_public_address_without_smtp_warns_loudly(monkeypatch: Any, migrated: Settings) -> None:
    started: list[dict[str, Any]] = []
    # A mock where the real thing cannot run in a test: uvicorn would serve until killed.
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(kw))
    env = {"ORDENA_DATABASE_URL": migrated.database_url, "ORDENA_SMTP_HOST": ""}
    result = CliRunner().invoke(cli.main, ["serve", "--host", "0.0.0.0"], env=env, catch_exceptions=False)  # noqa: S104
    assert "WARNING" in result.output and "SMTP" in result.output
    assert started and started[0]["host"] == "0.0.0.0"  # noqa: S104
    quiet = CliRunner().invoke(cli.main, ["serve"], env=env, catch_exceptions=False)
    assert "WARNING" not in quiet.output


async def _client_seen(options: dict[str, Any], peer: str, forwarded_for: str) -> str:
    """The client address the app sees behind uvicorn configured with ``options``."""
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["client"][0])

    config = uvicorn.Config(app, **{k: v for k, v in options.items() if k not in {"host", "port"}})
    config.load()
    scope = {
        "type": "http",
        "client": (peer, 5000),
        "headers": [(b"x-forwarded-for", forwarded_for.encode())],
        "scheme": "http",
    }
    await config.loaded_app(scope, None, None)
    return seen[0]


async def test_forwarded_for_is_believed_only_from_the_trusted_proxies(migrated: Settings) -> None:
    spoofed = f"198.51.100.{uuid.uuid4().int % 200}"
    default = cli.uvicorn_options(replace(migrated, trusted_proxies=""))
    assert await _client_seen(default, "127.0.0.1", spoofed) == "127.0.0.1"
    behind_proxy = cli.uvicorn_options(replace(migrated, trusted_proxies="10.0.0.5"))
    assert await _client_seen(behind_proxy, "10.0.0.5", spoofed) == spoofed
    assert await _client_seen(behind_proxy, "127.0.0.1", spoofed) == "127.0.0.1"
    assert Settings.from_env({"ORDENA_TRUSTED_PROXIES": " 10.0.0.5 "}).trusted_proxies == "10.0.0.5"
