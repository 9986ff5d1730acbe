"""The schema can be distributed by tenant_id on Citus without change (DESIGN §5, §10).

Read from the migrated database's catalog (not the models), so a migration that drifts from the
models is caught too: Citus requires every primary key and unique constraint of a distributed
table to contain the distribution column, and every foreign key between distributed tables to
join on it. Platform tables that tenant tables point at become reference tables (a copy on every
node): they must be the declared ones, and no platform table may point at a tenant table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from ordena.db.base import Base
from ordena.db.citus import citus_sql, plan
from tests.conftest import ROOT

TENANT_TABLES = text(
    """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
    """
)

# Every key and unique index of a public table, with its columns in order (conkey for
# constraints, indkey for unique indexes that back no constraint, e.g. partial unique indexes).
KEYS = text(
    """
    SELECT cl.relname AS tbl, con.conname AS name, con.contype::text AS kind,
           ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS cols,
           ref.relname AS ref_tbl,
           ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n ORDER BY k.i)::text[] AS ref_cols
    FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = cl.relnamespace LEFT JOIN pg_class ref ON ref.oid = con.confrelid
    WHERE n.nspname = 'public' AND con.contype IN ('p', 'u', 'f', 'x')
    UNION ALL
    SELECT cl.relname, ic.relname, 'i'::text,
           ARRAY(SELECT a.attname FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n ORDER BY k.i)::text[],
           NULL, NULL
    FROM pg_index ix JOIN pg_class cl ON cl.oid = ix.indrelid JOIN pg_class ic ON ic.oid = ix.indexrelid
    JOIN pg_namespace n ON n.oid = cl.relnamespace
    WHERE n.nspname = 'public' AND ix.indisunique
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)
    """
)


async def _catalog(owner_engine: AsyncEngine) -> tuple[set[str], list[Any]]:
    async with owner_engine.connect() as conn:
        tenant = {r[0] for r in await conn.execute(TENANT_TABLES)}
        keys = list(await conn.execute(KEYS))
    return tenant, keys


async def test_every_key_of_a_tenant_table_contains_tenant_id(owner_engine: AsyncEngine) -> None:
    tenant, keys = await _catalog(owner_engine)
    assert len(tenant) >= 20  # the catalog was read (firms, companies, assessments, plans, …)
    missing = [
        f"{k.tbl}.{k.name} ({k.kind}: {', '.join(k.cols)})"
        for k in keys
        if k.tbl in tenant and k.kind in ("p", "u", "x", "i") and "tenant_id" not in k.cols
    ]
    assert missing == []
    without_pk = tenant - {k.tbl for k in keys if k.kind == "p"}
    assert without_pk == set()


async def test_foreign_keys_between_tenant_tables_join_on_tenant_id(owner_engine: AsyncEngine) -> None:
    tenant, keys = await _catalog(owner_engine)
    bad = [
        f"{k.tbl}.{k.name}: ({', '.join(k.cols)}) → {k.ref_tbl}({', '.join(k.ref_cols)})"
        for k in keys
        if k.kind == "f"
        and k.tbl in tenant
        and k.ref_tbl in tenant
        and ("tenant_id" not in k.cols or k.ref_cols[k.cols.index("tenant_id")] != "tenant_id")
    ]
    assert bad == []


async def test_platform_tables_point_at_no_tenant_table(owner_engine: AsyncEngine) -> None:
    """A reference or coordinator table may not point at a distributed one."""
    tenant, keys = await _catalog(owner_engine)
    bad = [
        f"{k.tbl}.{k.name} → {k.ref_tbl}" for k in keys if k.kind == "f" and k.tbl not in tenant and k.ref_tbl in tenant
    ]
    assert bad == []


async def test_platform_tables_that_tenant_tables_point_at_are_the_declared_small_reference_tables(
    owner_engine: AsyncEngine,
) -> None:
    tenant, keys = await _catalog(owner_engine)
    pointed_at = {k.ref_tbl for k in keys if k.kind == "f" and k.tbl in tenant and k.ref_tbl not in tenant}
    reference = {t.name for t in plan(Base.metadata).reference}
    assert pointed_at <= reference, pointed_at - reference
    # Reference tables are copied to every node and every write to them goes to all nodes: they
    # must hold platform data (firms, accounts, networks, framework content), whose size grows
    # with firms and people, never with a firm's own work. None of them has a per-firm workload
    # table's shape (a tenant_id column), and the catalog agrees with the models on which are.
    assert reference.isdisjoint(tenant)
    assert reference == {"tenant", "user_account", "network", "framework", "framework_version"} | {
        t for t in reference if t.startswith("fw_")
    }
    distributed = {t.name for t in plan(Base.metadata).distributed}
    assert distributed == tenant


def test_the_committed_citus_script_is_the_one_the_models_give() -> None:
    committed = (ROOT / "deploy" / "citus" / "distribute.sql").read_text()
    assert committed == citus_sql(Base.metadata), "run: ordena db citus-sql > deploy/citus/distribute.sql"
