"""API tokens end with the password they were made under, expire, and belong to one user
(issue 14, items 1 and 7): a leaked token no longer outlives a password change or reset."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select, update

from ordena.accounts import api_tokens
from ordena.accounts.models import ApiToken
from ordena.lib.clock import now
from ordena.tenancy.models import Role
from tests.conftest import BASE_URL
from tests.factories import PASSWORD, make_firm
from tests.integration.accounts.helpers import link_in_last_email

NEW_PASSWORD = "a-brand-new-secret-42"
SECRET_RE = re.compile(r"<code>(ord_[A-Za-z0-9_\-]+)</code>")


async def _token(database: Any, user_id: Any) -> str:
    async with database.session() as db:
        secret, _row = await api_tokens.create(db, user_id, "integración")
        await db.commit()
    return secret


async def _me(client: Any, secret: str) -> int:
    response = await client.client.get("/api/v1/me", headers={"authorization": f"Bearer {secret}"})
    return int(response.status_code)


async def test_changing_the_password_revokes_the_api_tokens_and_the_page_says_so(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    secret = await _token(database, firm.users[Role.CONSULTANT].id)
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    assert await _me(client, secret) == 200
    await client.get("/account/password")
    response = await client.post(
        "/account/password", {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/account/tokens"
    page = await client.get("/account/tokens")
    assert "Tu contraseña cambió" in page.text and "se revocó 1 token" in page.text and "Crear token" in page.text
    assert await _me(client, secret) == 401


async def test_a_password_reset_revokes_the_api_tokens_too(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    email = firm.email(Role.VIEWER)
    secret = await _token(database, firm.users[Role.VIEWER].id)
    await client.get("/password/forgot")
    await client.post("/password/forgot", {"email": email})
    url = await link_in_last_email(database, email)
    await client.get(url.removeprefix(BASE_URL))
    await client.post(url.removeprefix(BASE_URL), {})
    client.csrf = None
    await client.get("/account/password?reset=1")
    response = await client.post("/account/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 303
    assert await _me(client, secret) == 401


async def test_a_new_token_expires_in_90_days_by_default_the_page_shows_it_and_an_expired_token_is_refused(
    client: Any, database: Any
) -> None:
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    user = firm.users[Role.CONSULTANT]
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    await client.get("/account/tokens")
    response = await client.post("/account/tokens", {"name": "Excel", "expires_days": "90"})
    secret = SECRET_RE.search(response.text).group(1)  # type: ignore[union-attr]
    async with database.session() as db:
        row = await db.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
        assert row is not None and row.expires_at is not None
        assert abs(row.expires_at - (now() + dt.timedelta(days=90))) < dt.timedelta(minutes=5)
    assert await _me(client, secret) == 200
    page = await client.get("/account/tokens")
    assert "Vence" in page.text and "Último uso" in page.text and "Nunca" not in page.text
    async with database.session() as db:
        await db.execute(
            update(ApiToken).where(ApiToken.user_id == user.id).values(expires_at=now() - dt.timedelta(seconds=1))
        )
        await db.commit()
    assert await _me(client, secret) == 401
    assert "Vencido" in (await client.get("/account/tokens")).text


async def test_a_token_may_be_made_without_an_expiry_and_a_silly_expiry_is_refused(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    await client.get("/account/tokens")
    response = await client.post("/account/tokens", {"name": "Servidor", "expires_days": ""})
    assert response.status_code == 200
    async with database.session() as db:
        row = await db.scalar(select(ApiToken).where(ApiToken.user_id == firm.users[Role.CONSULTANT].id))
        assert row is not None and row.expires_at is None
    refused = await client.post("/account/tokens", {"name": "Raro", "expires_days": "99999999"})
    assert refused.status_code == 422


async def test_revoking_another_users_token_is_404_and_changes_nothing(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.CONSULTANT, Role.VIEWER))
    secret = await _token(database, firm.users[Role.VIEWER].id)
    async with database.session() as db:
        token_id = await db.scalar(select(ApiToken.id).where(ApiToken.user_id == firm.users[Role.VIEWER].id))
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    await client.get("/account/tokens")
    response = await client.post(f"/account/tokens/{token_id}/revoke", {})
    assert response.status_code == 404
    assert "revocado" not in response.text
    assert await _me(client, secret) == 200
