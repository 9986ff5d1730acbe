"""The firm's hand-written SQL, run on the request's asyncpg connection (see
docs/CONVENTIONS.md, "The request's database work"). Each takes the connection first and
the values by name."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from ordena.accounts.models import User
from ordena.tenancy.models import Membership, Role

_MEMBERSHIP = Membership.__tablename__

# Before every firm page whose session look-up did not bring the role, in one round trip:
# write the caller into the transaction's context, read their membership (a user may read
# their own membership rows), and write the firm into the context only if there is one.
# Each materialized CTE reads the one before it, so they run in order: set_config first.
ENTER_AND_ROLE_SQL = f"""
WITH ctx AS MATERIALIZED (
    SELECT set_config('app.user_id', $4, true) AS member
), found AS MATERIALIZED (
    SELECT (SELECT m.role FROM {_MEMBERSHIP} m
            WHERE m.tenant_id = $1 AND m.user_id = $2 AND m.user_id::text = ctx.member) AS role
    FROM ctx
)
SELECT role, CASE WHEN role IS NOT NULL THEN set_config('app.tenant_id', $3, true) END FROM found
"""


async def enter_and_read_role(con: asyncpg.Connection, *, tenant_id: UUID, user_id: UUID) -> str | None:
    """The user's stored role name in the firm, with the firm and user written into the
    statement's transaction context; None (and no firm in the context) for a non-member."""
    role: str | None = await con.fetchval(ENTER_AND_ROLE_SQL, tenant_id, user_id, str(tenant_id), str(user_id))
    return role


# The members page (displays only): each membership with its account's name and address, by name.
_FIRM_MEMBERS = f"""
SELECT m.id, m.role, u.id AS user_id, u.name, u.email
FROM {_MEMBERSHIP} m JOIN {User.__tablename__} u ON u.id = m.user_id
WHERE m.tenant_id = $1
ORDER BY u.name
"""


@dataclass(frozen=True, slots=True)
class MemberRow:
    id: UUID  # the membership's
    role: Role
    user_id: UUID
    name: str
    email: str


async def firm_members(con: asyncpg.Connection, *, tenant_id: UUID) -> list[MemberRow]:
    """The firm's members by name, as plain rows (the ORM stores a role by its member name)."""
    return [
        MemberRow(r["id"], Role[r["role"]], r["user_id"], r["name"], r["email"])
        for r in await con.fetch(_FIRM_MEMBERS, tenant_id)
    ]
