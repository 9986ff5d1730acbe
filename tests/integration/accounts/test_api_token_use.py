"""A personal API token records its use (at most once a minute), like any ORM change would."""

from __future__ import annotations

from sqlalchemy import select

from ordena.accounts import api_tokens
from ordena.accounts.models import ApiToken
from ordena.db.engine import Database
from ordena.tenancy.models import Role
from tests.factories import make_firm


async def test_using_a_token_records_when_at_most_once_a_minute(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    owner = firm.users[Role.OWNER]
    async with database.session() as db:
        secret, row = await api_tokens.create(db, owner.id, "integración")
        await db.commit()
    created_at = row.updated_at

    async with database.session() as db:
        user = await api_tokens.authenticate(db, secret)
        assert user is not None and user.id == owner.id
        await db.commit()
    async with database.session() as db:
        first_use, updated_at = (
            await db.execute(select(ApiToken.last_used_at, ApiToken.updated_at).where(ApiToken.id == row.id))
        ).one()
    assert first_use is not None and updated_at > created_at

    async with database.session() as db:
        assert await api_tokens.authenticate(db, secret) is not None
        await db.commit()
        assert await db.scalar(select(ApiToken.last_used_at).where(ApiToken.id == row.id)) == first_use

    async with database.session() as db:
        assert await api_tokens.authenticate(db, secret[:-1] + "x") is None
        assert await api_tokens.authenticate(db, "not-ours") is None
