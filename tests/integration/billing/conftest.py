"""Billing tests run against a real localstripe server behind the tests' LOCAL FAKE front for
Checkout and the portal (tests/stripe/fake.py), with an app whose settings carry Stripe keys."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event

from ordena.db.engine import Database
from ordena.settings import Settings
from tests.conftest import BASE_URL, Browser
from tests.stripe.fake import StripeStack, stripe_stack


@pytest.fixture(scope="session")
def stripe_env() -> Iterator[StripeStack]:
    with stripe_stack() as stack:
        yield stack


@pytest.fixture(scope="session")
def billing_settings(migrated: Settings, stripe_env: StripeStack) -> Settings:
    return replace(migrated, **stripe_env.settings_overrides())


@pytest.fixture(scope="session")
def billing_app(billing_settings: Settings) -> Litestar:
    from ordena.server.app import create_app

    return create_app(billing_settings)


@pytest.fixture
async def billing_client(billing_app: Litestar) -> AsyncIterator[Browser]:
    async with AsyncTestClient(app=billing_app, base_url=BASE_URL) as c:
        yield Browser(c)


@pytest.fixture
async def billing_db(billing_settings: Settings) -> AsyncIterator[Database]:
    db = Database.connect(billing_settings)
    yield db
    await db.dispose()


@pytest.fixture
async def quick_commit_db(billing_settings: Settings) -> AsyncIterator[Database]:
    """The app's database with ``synchronous_commit`` off on its connections: a commit does
    not wait for the disk (the tests' loaded machine spent 20 ms on each). Same SQL, same
    locks and same visibility; only durability after a crash differs, which no test needs."""
    db = Database.connect(billing_settings)

    @event.listens_for(db.engine.sync_engine, "connect")
    def _no_fsync_wait(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("SET synchronous_commit TO off")
        cursor.close()

    yield db
    await db.dispose()


async def eventually(check: Any, *, within: float = 20, every: float = 0.1) -> Any:
    """Poll ``check()`` (async) until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"still not true after {within} s: {check.__name__}")
        await asyncio.sleep(every)
