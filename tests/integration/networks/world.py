"""A network with consenting firms and published assessments, written as rows (as publishing
stores them: the assessment, its result snapshot's overall and the flat dimension scores).

Rows go in through the owner connection (it bypasses RLS), many firms at once; the refresh then
reads them as its own restricted role, exactly as in production."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg
from advanced_alchemy.mixins.uuid import uuid7  # type: ignore[attr-defined]
from sqlalchemy.ext.asyncio import AsyncEngine

from ordena.frameworks.loader import DEFAULT_FRAMEWORK_KEY


async def raw(engine: AsyncEngine) -> tuple[Any, asyncpg.Connection]:
    conn = await engine.connect()
    fairy = await conn.get_raw_connection()
    return conn, fairy.driver_connection


@dataclass
class World:
    engine: AsyncEngine
    network_id: uuid.UUID
    slug: str
    framework_id: uuid.UUID
    version_id: uuid.UUID
    dimensions: list[str]
    firms: list[uuid.UUID] = field(default_factory=list)

    async def sql(self, statement: str, *args: Any) -> Any:
        conn, driver = await raw(self.engine)
        try:
            return await driver.fetch(statement, *args)
        finally:
            await conn.commit()
            await conn.close()

    async def firm(self, *, consent: bool = True, left: bool = False, member: bool = True) -> uuid.UUID:
        tid = uuid7()
        now = dt.datetime.now(dt.UTC)
        await self.sql(
            "INSERT INTO tenant (id, slug, name, locale, brand_color, subscription_status, created_at, updated_at)"
            " VALUES ($1, $2, $3, 'es', '#1f6f5c', 'none', $4, $4)",
            tid,
            f"nf-{tid.hex[-12:]}",
            f"Firma {tid.hex[-6:]}",
            now,
        )
        if member:
            await self.sql(
                "INSERT INTO network_membership (tenant_id, id, network_id, consent_at, consent_by, left_at, "
                "show_to_clients, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, false, $7, $7)",
                tid,
                uuid7(),
                self.network_id,
                now if consent else None,
                "owner@example.com" if consent else None,
                now if left else None,
                now,
            )
        self.firms.append(tid)
        return tid

    async def company(
        self,
        tenant_id: uuid.UUID,
        score: float | Mapping[str, float] = 3.0,
        *,
        industry: str = "C",
        size: str = "mediana",
        country: str = "PE",
        published_days_ago: float = 10,
        status: str = "published",
        version_id: uuid.UUID | None = None,
        company_id: uuid.UUID | None = None,
    ) -> tuple[uuid.UUID, uuid.UUID]:
        """A company (or ``company_id``'s) with one assessment scoring ``score`` on every dimension
        (or per dimension key); its overall = the mean of its dimensions."""
        scores = {d: float(score) for d in self.dimensions} if isinstance(score, int | float) else dict(score)
        now = dt.datetime.now(dt.UTC)
        published = now - dt.timedelta(days=published_days_ago)
        if company_id is None:
            company_id = uuid7()
            await self.sql(
                "INSERT INTO company (tenant_id, id, name, country, industry_section, size_band, default_target_level,"
                " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 3, $7, $7)",
                tenant_id,
                company_id,
                f"Empresa {company_id.hex[-6:]}",
                country,
                industry,
                size,
                now,
            )
        aid = uuid7()
        await self.sql(
            "INSERT INTO assessment (tenant_id, id, company_id, framework_version_id, title, kind, status, targets,"
            " reminder_days, published_at, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, 'Diagnóstico', 'consultant', $5, '{}', 7, $6, $7, $7)",
            tenant_id,
            aid,
            company_id,
            version_id or self.version_id,
            status,
            published if status == "published" else None,
            published,
        )
        overall = round(sum(scores.values()) / len(scores), 2) if scores else None
        await self.sql(
            "INSERT INTO result_snapshot (tenant_id, id, assessment_id, overall, data, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, '{}', $5, $5)",
            tenant_id,
            uuid7(),
            aid,
            None if overall is None else Decimal(str(overall)),
            published,
        )
        for key, value in scores.items():
            await self.sql(
                "INSERT INTO result_dimension_score (tenant_id, id, assessment_id, company_id, dimension_key, score,"
                " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                tenant_id,
                uuid7(),
                aid,
                company_id,
                key,
                Decimal(str(round(value, 2))),
                published,
            )
        return company_id, aid

    async def companies(self, tenant_id: uuid.UUID, scores: Sequence[float], **kw: Any) -> list[uuid.UUID]:
        return [(await self.company(tenant_id, s, **kw))[0] for s in scores]

    async def peers(self, *, firms: int = 5, companies: int = 6, seed: int = 5) -> None:
        """Consenting peer firms whose clients spread over the maturity range (industries C and G,
        two size bands), enough for the default gates to publish the journeys' cohorts."""
        rnd = random.Random(seed)
        for _ in range(firms):
            firm = await self.firm()
            for _ in range(companies):
                maturity = rnd.uniform(1.3, 4.6)
                await self.company(
                    firm,
                    {d: max(1.0, min(5.0, maturity + rnd.uniform(-0.6, 0.6))) for d in self.dimensions},
                    industry=rnd.choice("CCG"),
                    size=rnd.choice(["mediana", "pequena"]),
                )

    async def cohort(self, scope: str, key: str, kind: str, value: str, release: int | None = None) -> Any:
        rows = await self.sql(
            "SELECT c.* FROM benchmark_cohort c JOIN benchmark_release r ON r.id = c.release_id"
            " WHERE r.network_id = $1 AND r.number = coalesce($6, (SELECT max(number) FROM benchmark_release"
            " WHERE network_id = $1)) AND c.scope_kind = $2 AND c.scope_key = $3 AND c.slice_kind = $4"
            " AND c.slice_value = $5",
            self.network_id,
            scope,
            key,
            kind,
            value,
            release,
        )
        return rows[0] if rows else None


async def make_world(engine: AsyncEngine, *, k: int = 5, epsilon: float = 1.0) -> World:
    conn, driver = await raw(engine)
    try:
        fw = await driver.fetchrow(
            "SELECT f.id AS framework_id, v.id AS version_id FROM framework f JOIN framework_version v"
            " ON v.framework_id = f.id WHERE f.key = $1 AND f.owner_tenant_id IS NULL ORDER BY v.version DESC LIMIT 1",
            DEFAULT_FRAMEWORK_KEY,
        )
        dims = [
            r["key"]
            for r in await driver.fetch(
                "SELECT d.key FROM fw_dimension d JOIN fw_pillar p ON p.id = d.pillar_id WHERE d.version_id = $1"
                " ORDER BY p.position, d.position",
                fw["version_id"],
            )
        ]
        nid = uuid7()
        slug = f"red-{nid.hex[-10:]}"
        now = dt.datetime.now(dt.UTC)
        await driver.execute(
            "INSERT INTO network (id, slug, name, min_companies, min_firms, framework_id, epsilon, refresh_every_days,"
            " terms_version, created_at, updated_at) VALUES ($1, $2, $3, $4, 3, $5, $6, 30, '2026-11', $7, $7)",
            nid,
            slug,
            f"Red {slug}",
            k,
            fw["framework_id"],
            Decimal(str(epsilon)),
            now,
        )
        await conn.commit()
    finally:
        await conn.close()
    return World(engine, nid, slug, fw["framework_id"], fw["version_id"], dims)
