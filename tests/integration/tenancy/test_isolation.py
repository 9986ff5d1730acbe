"""Row-level security, checked as the app role with raw SQL, for every tenant-owned table in
the metadata (a new table is covered without touching this file)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Table, bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

from ordena.db.base import metadata, tenant_owned_tables
from ordena.db.engine import Database
from ordena.settings import Settings
from tests.factories import make_firm
from tests.rowgen import insert_row

TENANT_TABLES = tenant_owned_tables()


def test_there_are_tenant_tables_to_check() -> None:
    assert {"membership", "audit_event"} <= set(TENANT_TABLES)


async def test_every_tenant_table_has_forced_rls_a_policy_and_tenant_in_its_primary_key(
    owner_engine: AsyncEngine,
) -> None:
    async with owner_engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
                   (SELECT array_agg(a.attname::text) FROM pg_index i
                      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                    WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind = 'r'
              AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
            """
                )
            )
        ).all()
    found = {r.relname: r for r in rows}
    assert set(found) == set(TENANT_TABLES), "the database and the models disagree on tenant tables"
    for name, r in found.items():
        assert r.relrowsecurity and r.relforcerowsecurity, f"{name}: RLS not enabled and forced"
        assert r.policies >= 1, f"{name}: no policy"
        assert "tenant_id" in r.pk, f"{name}: tenant_id not in primary key {r.pk}"


async def test_every_foreign_key_between_tenant_tables_includes_tenant_id(owner_engine: AsyncEngine) -> None:
    for table_name in TENANT_TABLES:
        table: Table = metadata.tables[table_name]
        for fk in table.foreign_key_constraints:
            target = fk.referred_table.name
            if target in TENANT_TABLES:
                cols = [c.name for c in fk.columns]
                assert "tenant_id" in cols, f"{table_name} → {target} must be a composite key with tenant_id"


async def test_app_role_cannot_bypass_rls_and_owns_nothing(owner_engine: AsyncEngine, migrated: Settings) -> None:
    role = migrated.app_db_role
    async with owner_engine.connect() as conn:
        r = (
            await conn.execute(
                text("SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = :r"),
                {"r": role},
            )
        ).one()
        assert not any(r), f"{role} has powers it must not have: {r}"
        owned = (
            await conn.execute(
                text("SELECT count(*) FROM pg_class c JOIN pg_roles o ON o.oid = c.relowner WHERE o.rolname = :r"),
                {"r": role},
            )
        ).scalar_one()
        assert owned == 0
        views = (
            (
                await conn.execute(
                    text(
                        "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = 'public' AND relkind = 'v' AND NOT coalesce(reloptions::text[] @> ARRAY['security_invoker=true'], false)"
                    )
                )
            )
            .scalars()
            .all()
        )
        assert views == [], f"views without security_invoker: {views}"


async def test_the_audit_trail_is_append_only_for_the_app_role(database: Database) -> None:
    firm = await make_firm(database)
    async with database.session(tenant_id=firm.id) as db:
        await db.execute(
            text(
                "INSERT INTO audit_event (tenant_id, id, action, entity_type, entity_id, actor_label, created_at, updated_at) "
                "VALUES (:t, gen_random_uuid(), 'create', 'x', '1', 'test', now(), now())"
            ),
            {"t": firm.id},
        )
        await db.commit()
    for stmt in ("UPDATE audit_event SET action = 'tampered'", "DELETE FROM audit_event"):
        async with database.session(tenant_id=firm.id) as db:
            with pytest.raises(Exception, match="permission denied"):
                await db.execute(text(stmt))


@pytest.mark.parametrize("table", TENANT_TABLES)
async def test_tenant_a_cannot_see_insert_update_or_delete_tenant_b_rows(
    table: str, database: Database, owner_engine: AsyncEngine
) -> None:
    """With firm A set, firm B's rows are invisible and untouchable; with no firm, nothing shows."""
    a = await make_firm(database, roles=())
    b = await make_firm(database, roles=())
    async with owner_engine.begin() as conn:
        b_row = await insert_row(conn, metadata.tables[table], b.id)

    async with database.session(tenant_id=a.id) as db:
        seen = (
            await db.execute(text(f'SELECT count(*) FROM "{table}" WHERE tenant_id = :b'), {"b": b.id})
        ).scalar_one()
        assert seen == 0
        if not metadata.tables[table].info.get("append_only"):  # those refuse UPDATE/DELETE outright
            updated = (
                await db.execute(text(f'UPDATE "{table}" SET updated_at = now() WHERE id = :id'), {"id": b_row["id"]})
            ).rowcount
            assert updated == 0
            deleted = (await db.execute(text(f'DELETE FROM "{table}" WHERE id = :id'), {"id": b_row["id"]})).rowcount
            assert deleted == 0
        await db.rollback()

    async with owner_engine.connect() as conn:
        still = (
            await conn.execute(text(f'SELECT count(*) FROM "{table}" WHERE id = :id'), {"id": b_row["id"]})
        ).scalar_one()
        assert still == 1

    # Writing a row into firm B while acting as firm A is refused by WITH CHECK.
    async with database.session(tenant_id=a.id) as db:
        forged = {k: v for k, v in b_row.items()}
        forged["id"] = uuid.uuid4()
        cols = ", ".join(f'"{c}"' for c in forged)
        vals = ", ".join(f":{c}" for c in forged)
        with pytest.raises(Exception, match="row-level security"):
            await db.execute(
                text(f'INSERT INTO "{table}" ({cols}) VALUES ({vals})').bindparams(
                    *[bindparam(c, type_=metadata.tables[table].c[c].type) for c in forged]
                ),
                forged,
            )

    async with database.session() as db:  # no firm set
        assert (await db.execute(text(f'SELECT count(*) FROM "{table}"'))).scalar_one() == 0


async def test_switching_firms_on_one_pooled_connection_leaks_nothing(
    database: Database, one_connection_database: Database
) -> None:
    a = await make_firm(database)
    b = await make_firm(database)
    single = one_connection_database
    backends: set[int] = set()
    for firm, other in ((a, b), (b, a), (a, b)):
        async with single.session(tenant_id=firm.id) as db:
            backends.add((await db.execute(text("SELECT pg_backend_pid()"))).scalar_one())
            ids = set((await db.execute(text("SELECT DISTINCT tenant_id FROM membership"))).scalars())
            assert ids == {firm.id}
            assert other.id not in ids
        async with single.session() as db:
            backends.add((await db.execute(text("SELECT pg_backend_pid()"))).scalar_one())
            assert (await db.execute(text("SELECT count(*) FROM membership"))).scalar_one() == 0
            setting = (await db.execute(text("SELECT current_setting('app.tenant_id', true)"))).scalar_one()
            assert setting in (None, "")
    # One server process answered all six sessions: the clean context above was found on a
    # reused connection, not on a fresh one.
    assert len(backends) == 1, backends
