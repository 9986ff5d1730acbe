"""Link secrets and bearer tokens are guessed like passwords, and limited like them: per client
address, in the shared database (issue 14, item 4)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from litestar.testing import AsyncTestClient

from ordena.accounts import api_tokens
from ordena.settings import Settings
from ordena.tenancy.models import Role
from tests.conftest import BASE_URL
from tests.factories import make_firm
from tests.integration.mail.test_outbox_exposure import FromPeer

LIMIT = 3


def _peer() -> str:
    return f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


async def test_guessing_bearer_tokens_is_refused_after_a_few_failures_even_for_a_valid_token(
    migrated: Settings, database: Any
) -> None:
    from ordena.server.app import create_app

    firm = await make_firm(database, roles=(Role.VIEWER,))
    async with database.session() as db:
        good, _row = await api_tokens.create(db, firm.users[Role.VIEWER].id, "good")
        await db.commit()
    app = create_app(replace(migrated, guess_failures_per_15min=LIMIT), start_jobs=False)
    async with AsyncTestClient(app=FromPeer(app, _peer()), base_url=BASE_URL) as c:  # type: ignore[arg-type]
        assert (await c.get("/api/v1/me", headers={"authorization": f"Bearer {good}"})).status_code == 200
        for i in range(LIMIT):
            guess = await c.get("/api/v1/me", headers={"authorization": f"Bearer ord_guess{i}"})
            assert guess.status_code == 401
        refused = await c.get("/api/v1/me", headers={"authorization": f"Bearer {good}"})
        assert refused.status_code == 429 and refused.json()["status"] == 429
    async with AsyncTestClient(app=FromPeer(app, _peer()), base_url=BASE_URL) as other:  # type: ignore[arg-type]
        # Another address is not held back by the guesser.
        assert (await other.get("/api/v1/me", headers={"authorization": f"Bearer {good}"})).status_code == 200


async def test_guessing_link_secrets_is_refused_after_a_few_failures(migrated: Settings) -> None:
    from ordena.server.app import create_app

    app = create_app(replace(migrated, guess_failures_per_15min=LIMIT), start_jobs=False)
    async with AsyncTestClient(app=FromPeer(app, _peer()), base_url=BASE_URL) as c:  # type: ignore[arg-type]
        for i in range(LIMIT):
            assert (await c.get(f"/links/guess-{i}-{uuid.uuid4().hex}")).status_code == 410
        assert (await c.get(f"/links/guess-{uuid.uuid4().hex}")).status_code == 429
