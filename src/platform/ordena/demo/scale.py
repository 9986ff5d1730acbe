"""Synthetic data in bulk for benchmarks and load tests (``ordena bench-data``).

Rows are made in plain Python and written with PostgreSQL ``COPY`` (asyncpg
``copy_records_to_table``) on an owner connection, not through ORM objects: firms, their
members, client companies with plausible CIIU sections and size bands, published assessments
whose answers follow a believable distribution (a company-level maturity, shifted per
dimension, plus noise), one consultant respondent per assessment and the result snapshot.

The owner role must bypass row-level security (a superuser or a ``BYPASSRLS`` role, as the
machine's ``postgres`` and the embedded server's owner are): ``COPY`` writes rows of many firms
in one go, with no ``app.tenant_id`` set.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg

from ordena.accounts.passwords import hash_password
from ordena.assessments import latest

# CIIU Rev.4 sections, weighted roughly like Peru's formal SMEs (commerce first).
SECTIONS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("G", 34, ("45", "46", "47")),
    ("C", 12, ("10", "13", "14", "22", "25", "31")),
    ("I", 9, ("55", "56")),
    ("M", 8, ("69", "70", "71", "73")),
    ("H", 7, ("49", "52", "53")),
    ("F", 6, ("41", "42", "43")),
    ("N", 5, ("77", "78", "81", "82")),
    ("A", 3, ("01", "02", "03")),
    ("J", 3, ("58", "62", "63")),
    ("Q", 3, ("86", "87")),
    ("P", 3, ("85",)),
    ("K", 2, ("64", "65", "66")),
    ("L", 2, ("68",)),
    ("S", 2, ("94", "95", "96")),
    ("B", 1, ("07", "08")),
)
SIZE_BANDS: tuple[tuple[str, float, int, int], ...] = (
    ("micro", 52, 1, 10),
    ("pequena", 31, 11, 50),
    ("mediana", 12, 51, 250),
    ("grande", 5, 251, 3000),
)
SIZE_MATURITY = {"micro": -0.5, "pequena": 0.0, "mediana": 0.4, "grande": 0.8}
_PREFIX = (
    "Comercial",
    "Distribuidora",
    "Inversiones",
    "Servicios",
    "Industrias",
    "Grupo",
    "Corporación",
    "Importaciones",
    "Consultores",
    "Transportes",
    "Agroindustrias",
    "Constructora",
    "Textil",
    "Laboratorios",
)
_NAME = (
    "Andina",
    "del Sur",
    "Pacífico",
    "Huamán",
    "Quispe",
    "Los Olivos",
    "San Martín",
    "Chavín",
    "Mochica",
    "Santa Rosa",
    "Miraflores",
    "El Norte",
    "Inca",
    "Amazonas",
    "Arequipa",
    "Callao",
    "Nazca",
    "Rímac",
    "Huascarán",
    "Titicaca",
    "Cusco",
    "Lurín",
    "Paracas",
    "Vilcanota",
    "Condor",
    "Sol Naciente",
)
_SUFFIX = ("S.A.C.", "S.A.C.", "S.A.C.", "E.I.R.L.", "S.R.L.", "S.A.")
_FIRST = ("Ana", "Luis", "María", "Jorge", "Rosa", "Carlos", "Lucía", "Diego", "Carmen", "José", "Valeria", "Miguel")
_LAST = ("García", "Flores", "Rojas", "Torres", "Vargas", "Mendoza", "Castillo", "Ramos", "Chávez", "Paredes")

# Table → columns written, in order (every NOT NULL column without a server default).
COLUMNS: dict[str, tuple[str, ...]] = {
    "tenant": ("id", "slug", "name", "locale", "brand_color", "subscription_status", "created_at", "updated_at"),
    "user_account": ("id", "email", "name", "password_hash", "locale", "is_active", "created_at", "updated_at"),
    "membership": ("tenant_id", "id", "user_id", "role", "created_at", "updated_at"),
    "company": (
        "tenant_id",
        "id",
        "name",
        "ruc",
        "country",
        "industry_section",
        "industry_division",
        "size_band",
        "employees",
        "default_target_level",
        "created_at",
        "updated_at",
    ),
    "assessment": (
        "tenant_id",
        "id",
        "company_id",
        "framework_version_id",
        "title",
        "kind",
        "status",
        "targets",
        "reminder_days",
        "created_by",
        "submitted_at",
        "validated_at",
        "validated_by",
        "published_at",
        "published_by",
        "created_at",
        "updated_at",
    ),
    "respondent": (
        "tenant_id",
        "id",
        "assessment_id",
        "kind",
        "user_id",
        "last_activity_at",
        "submitted_at",
        "created_at",
        "updated_at",
    ),
    "answer": (
        "tenant_id",
        "id",
        "assessment_id",
        "respondent_id",
        "question_id",
        "level",
        "not_applicable",
        "comment",
        "created_at",
        "updated_at",
    ),
    "result_snapshot": ("tenant_id", "id", "assessment_id", "overall", "data", "created_at", "updated_at"),
    "result_dimension_score": (
        "tenant_id",
        "id",
        "assessment_id",
        "company_id",
        "dimension_key",
        "score",
        "created_at",
        "updated_at",
    ),
    # One row per company, as ``assessments.latest`` keeps it at publication (every generated
    # assessment is on the one platform framework, so each company's latest is also its newest).
    "company_latest_result": (
        "tenant_id",
        "id",
        "company_id",
        "framework_id",
        "assessment_id",
        "newest",
        "overall",
        "published_at",
        "created_at",
        "updated_at",
    ),
}
ORDER = tuple(COLUMNS)  # parents before children


def uuid7(ms: int | None = None) -> uuid.UUID:
    """A time-ordered UUIDv7 (like the app's ids), from ``ms`` milliseconds since the epoch."""
    if ms is None:
        ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & 0xFFFFFFFFFFFF) << 80 | 0x7 << 76 | (rand >> 68 & 0xFFF) << 64 | 0b10 << 62 | (rand & (2**62 - 1))
    return uuid.UUID(int=value)


def ruc_for(n: int) -> str:
    """A valid Peruvian RUC of a legal person (20…), distinct for each ``n``."""
    from stdnum.pe import ruc

    body = f"20{n % 10**8:08d}"
    return body + ruc.calc_check_digit(body)


@dataclass
class ScaleSpec:
    firms: int = 1
    companies: int = 500  # per firm
    members: int = 5  # per firm: owner, partner, consultants…, viewer
    assessments: int = 1  # published per company
    answer_fraction: float = 1.0  # share of published assessments that carry answers
    open_assessments: int = 1  # per firm: an in-progress assessment (questionnaire, autosave)
    slug_prefix: str = "scale"
    first_index: int = 0
    password_hash: str | None = None  # one shared hash (argon2 costs ~50 ms a hash)
    seed: int | None = 1


@dataclass
class FirmMade:
    tenant_id: uuid.UUID
    slug: str
    emails: dict[str, str]
    open_assessment_ids: list[uuid.UUID] = field(default_factory=list)
    respondent_ids: list[uuid.UUID] = field(default_factory=list)
    company_ids: list[uuid.UUID] = field(default_factory=list)


@dataclass
class ScaleReport:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    firms: list[FirmMade] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        out = [f"{t}: {n:,} rows" for t, n in self.rows.items() if n]
        out.append(f"total {self.total_rows:,} rows in {self.seconds:.1f} s = {self.rows_per_second:,.0f} rows/s")
        return out


@dataclass
class Framework:
    version_id: uuid.UUID
    framework_id: uuid.UUID
    # (question id, dimension key, allows_na) in order
    questions: list[tuple[uuid.UUID, str, bool]]
    dimensions: list[str]


async def load_framework(conn: asyncpg.Connection) -> Framework:
    found = await conn.fetchrow(
        "SELECT v.id, v.framework_id FROM framework_version v JOIN framework f ON f.id = v.framework_id "
        "WHERE v.owner_tenant_id IS NULL ORDER BY v.status = 'published' DESC, v.version DESC LIMIT 1"
    )
    if found is None:
        raise RuntimeError("no platform framework loaded: run `ordena db upgrade` first")
    version_id = found["id"]
    rows = await conn.fetch(
        "SELECT q.id, d.key AS dim, q.allows_na FROM fw_question q JOIN fw_dimension d ON d.id = q.dimension_id "
        "WHERE q.version_id = $1 ORDER BY d.position, q.position",
        version_id,
    )
    dims = list(dict.fromkeys(r["dim"] for r in rows))
    return Framework(version_id, found["framework_id"], [(r["id"], r["dim"], r["allows_na"]) for r in rows], dims)


class _Writer:
    """Buffers rows per table and COPYs them, parents first, when enough have piled up."""

    def __init__(self, conn: asyncpg.Connection, report: ScaleReport, flush_at: int = 40_000) -> None:
        self.conn = conn
        self.report = report
        self.flush_at = flush_at
        self.buf: dict[str, list[tuple[Any, ...]]] = {t: [] for t in ORDER}
        self.pending = 0

    async def add(self, table: str, row: tuple[Any, ...]) -> None:
        self.buf[table].append(row)
        self.pending += 1
        if self.pending >= self.flush_at:
            await self.flush()

    async def flush(self) -> None:
        for table in ORDER:
            rows = self.buf[table]
            if rows:
                await self.conn.copy_records_to_table(table, records=rows, columns=COLUMNS[table])
                self.report.rows[table] = self.report.rows.get(table, 0) + len(rows)
                self.buf[table] = []
        self.pending = 0


class Generator:
    def __init__(
        self, conn: asyncpg.Connection, framework: Framework, *, seed: int | None = 1, password_hash: str | None = None
    ) -> None:
        self.conn = conn
        self.fw = framework
        self.rnd = random.Random(seed)  # noqa: S311 - synthetic data, not secrets
        self.password_hash = password_hash
        self.now = dt.datetime.now(dt.UTC)
        self._ruc = self.rnd.randrange(10**8 - 5_000_000)

    # --- pieces -----------------------------------------------------------------------
    def _company(self, tenant_id: uuid.UUID) -> tuple[tuple[Any, ...], float]:
        r = self.rnd
        section, _w, divisions = r.choices(SECTIONS, weights=[s[1] for s in SECTIONS])[0]
        band, _w2, lo, hi = r.choices(SIZE_BANDS, weights=[b[1] for b in SIZE_BANDS])[0]
        employees = min(hi, max(lo, int(lo * (hi / lo) ** r.random())))
        self._ruc += 1
        name = f"{r.choice(_PREFIX)} {r.choice(_NAME)} {r.choice(_SUFFIX)}"
        created = self.now - dt.timedelta(days=r.uniform(30, 900))
        row = (
            tenant_id,
            uuid7(int(created.timestamp() * 1000)),
            name,
            ruc_for(self._ruc),
            "PE",
            section,
            r.choice(divisions),
            band,
            employees,
            3,
            created,
            created,
        )
        maturity = r.gauss(2.4 + SIZE_MATURITY[band], 0.6)
        return row, maturity

    def _answers(self, maturity: float) -> list[tuple[uuid.UUID, int | None, bool]]:
        r = self.rnd
        offsets = {d: r.gauss(0, 0.45) for d in self.fw.dimensions}
        out: list[tuple[uuid.UUID, int | None, bool]] = []
        for qid, dim, allows_na in self.fw.questions:
            if allows_na and r.random() < 0.05:
                out.append((qid, None, True))
                continue
            level = round(maturity + offsets[dim] + r.gauss(0, 0.6))
            out.append((qid, min(5, max(1, level)), False))
        return out

    def _snapshot(
        self, answers: list[tuple[uuid.UUID, int | None, bool]]
    ) -> tuple[float | None, str, dict[str, float]]:
        by_dim: dict[str, list[int]] = {}
        dim_of = {q[0]: q[1] for q in self.fw.questions}
        for qid, level, _na in answers:
            if level is not None:
                by_dim.setdefault(dim_of[qid], []).append(level)
        dims = {d: round(sum(v) / len(v), 2) for d, v in by_dim.items()}
        overall = round(sum(dims.values()) / len(dims), 2) if dims else None
        return overall, json.dumps({"dimensions": dims}), dims

    # --- firms ---------------------------------------------------------------------------
    async def firm(self, w: _Writer, index: int, spec: ScaleSpec) -> FirmMade:
        r = self.rnd
        slug = f"{spec.slug_prefix}-{index:05d}"
        tid = uuid7()
        created = self.now - dt.timedelta(days=1000)
        await w.add(
            "tenant", (tid, slug, f"Consultora {r.choice(_NAME)} {index}", "es", "#1f6f5c", "none", created, created)
        )
        roles = ["owner", "partner"] + ["consultant"] * max(1, spec.members - 3) + ["viewer"]
        emails: dict[str, str] = {}
        user_ids: dict[str, list[uuid.UUID]] = {}
        for i, role in enumerate(roles[: max(spec.members, 3)]):
            uid = uuid7()
            email = f"{role}{i}.{slug}@bench.example"
            emails.setdefault(role, email)
            user_ids.setdefault(role, []).append(uid)
            name = f"{r.choice(_FIRST)} {r.choice(_LAST)}"
            await w.add("user_account", (uid, email, name, self.password_hash, "es", True, created, created))
            # The ORM's Enum(Role) stores member names (OWNER, …), not values.
            await w.add("membership", (tid, uuid7(), uid, role.upper(), created, created))
        made = FirmMade(tid, slug, emails)
        consultants = user_ids.get("consultant") or user_ids["owner"]
        await self.companies(w, made, spec.companies, spec, consultants)
        return made

    async def companies(
        self, w: _Writer, made: FirmMade, n: int, spec: ScaleSpec, consultants: Sequence[uuid.UUID]
    ) -> None:
        tid = made.tenant_id
        opened = 0
        for _ in range(n):
            row, maturity = self._company(tid)
            cid = row[1]
            made.company_ids.append(cid)
            await w.add("company", row)
            created: dt.datetime = row[10]
            newest: tuple[Any, ...] | None = None
            for k in range(spec.assessments):
                made_one = await self._published_assessment(w, tid, cid, created, k, maturity, spec, consultants)
                if newest is None or made_one[:2] > newest[:2]:  # (published at, created at, id, overall)
                    newest = made_one
            if newest is not None:
                published, _started, aid, overall = newest
                await w.add(
                    "company_latest_result",
                    (tid, uuid7(), cid, self.fw.framework_id, aid, True, overall, published, published, published),
                )
            if opened < spec.open_assessments:
                opened += 1
                await self._open_assessment(w, made, cid, maturity, consultants[0])

    async def _published_assessment(
        self,
        w: _Writer,
        tid: uuid.UUID,
        cid: uuid.UUID,
        created: dt.datetime,
        k: int,
        maturity: float,
        spec: ScaleSpec,
        consultants: Sequence[uuid.UUID],
    ) -> tuple[dt.datetime, dt.datetime, uuid.UUID, float | None]:
        """Writes one published assessment; returns (published at, created at, id, overall)."""
        r = self.rnd
        consultant = r.choice(consultants)
        started = created + dt.timedelta(days=10 + 120 * k + r.uniform(0, 60))
        published = min(self.now, started + dt.timedelta(days=r.uniform(7, 40)))
        aid = uuid7(int(started.timestamp() * 1000))
        title = f"Diagnóstico {started.year}-{k + 1}"
        await w.add(
            "assessment",
            # The COPY column order: ids, version, title, kind, status, targets, reminder days, created by,
            # submitted at, validated at/by, published at/by, created at, updated at.
            (
                tid,
                aid,
                cid,
                self.fw.version_id,
                title,
                "consultant",
                "published",
                "{}",
                7,
                consultant,
                published,
                published,
                consultant,
                published,
                consultant,
                started,
                published,
            ),
        )
        rid = uuid7(int(started.timestamp() * 1000))
        await w.add("respondent", (tid, rid, aid, "consultant", consultant, published, published, started, published))
        if r.random() >= spec.answer_fraction:
            return published, started, aid, None
        answers = self._answers(maturity + 0.3 * k)
        for qid, level, na in answers:
            await w.add("answer", (tid, uuid7(), aid, rid, qid, level, na, "", published, published))
        overall, data, dims = self._snapshot(answers)
        await w.add("result_snapshot", (tid, uuid7(), aid, overall, data, published, published))
        for key, score in dims.items():
            await w.add(
                "result_dimension_score", (tid, uuid7(), aid, cid, key, Decimal(str(score)), published, published)
            )
        return published, started, aid, overall

    async def _open_assessment(
        self, w: _Writer, made: FirmMade, cid: uuid.UUID, maturity: float, consultant: uuid.UUID
    ) -> None:
        tid, now = made.tenant_id, self.now
        aid, rid = uuid7(), uuid7()
        await w.add(
            "assessment",
            (
                tid,
                aid,
                cid,
                self.fw.version_id,
                "Diagnóstico en curso",
                "consultant",
                "in_progress",
                "{}",
                7,
                consultant,
                None,
                None,
                None,
                None,
                None,
                now,
                now,
            ),
        )
        await w.add("respondent", (tid, rid, aid, "consultant", consultant, now, None, now, now))
        # Half answered, like a questionnaire in progress.
        for qid, level, na in self._answers(maturity)[: len(self.fw.questions) // 2]:
            await w.add("answer", (tid, uuid7(), aid, rid, qid, level, na, "", now, now))
        made.open_assessment_ids.append(aid)
        made.respondent_ids.append(rid)


async def generate(
    conn: asyncpg.Connection, spec: ScaleSpec, progress: Callable[[str], None] | None = None
) -> ScaleReport:
    """Create ``spec.firms`` firms with their members, companies and assessments."""
    report = ScaleReport()
    started = time.perf_counter()
    gen = Generator(conn, await load_framework(conn), seed=spec.seed, password_hash=spec.password_hash)
    writer = _Writer(conn, report)
    step = max(1, spec.firms // 10)
    for i in range(spec.firms):
        report.firms.append(await gen.firm(writer, spec.first_index + i, spec))
        if progress and (i + 1) % step == 0:
            progress(f"{i + 1}/{spec.firms} firms")
    await writer.flush()
    await latest.rebuild_totals(conn, [f.tenant_id for f in report.firms])  # the dashboard's sums
    report.seconds = time.perf_counter() - started
    return report


async def add_companies(conn: asyncpg.Connection, tenant_id: uuid.UUID, n: int, spec: ScaleSpec) -> ScaleReport:
    """Grow an existing firm by ``n`` companies (with their assessments), e.g. for scale curves."""
    report = ScaleReport()
    started = time.perf_counter()
    gen = Generator(conn, await load_framework(conn), seed=None, password_hash=spec.password_hash)
    consultants = [
        r["user_id"]
        for r in await conn.fetch(
            "SELECT user_id FROM membership WHERE tenant_id = $1 AND role IN ('CONSULTANT', 'OWNER') ORDER BY role",
            tenant_id,
        )
    ]
    slug = await conn.fetchval("SELECT slug FROM tenant WHERE id = $1", tenant_id)
    made = FirmMade(tenant_id, slug, {})
    writer = _Writer(conn, report)
    await gen.companies(writer, made, n, spec, consultants)
    await writer.flush()
    await latest.rebuild_totals(conn, [tenant_id])  # the dashboard's sums, with the new companies
    report.seconds = time.perf_counter() - started
    report.firms.append(made)
    return report


def asyncpg_dsn(url: str) -> str:
    """A libpq-style DSN for asyncpg from a SQLAlchemy URL (drops the ``+asyncpg`` driver)."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def run_cli(owner_url: str, spec: ScaleSpec, echo: Callable[[str], None]) -> ScaleReport:
    if spec.password_hash is None:
        spec.password_hash = hash_password("ordena-bench-1")
    conn = await asyncpg.connect(asyncpg_dsn(owner_url))
    try:
        bypass = await conn.fetchval("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        if not bypass:
            raise RuntimeError("bench-data needs an owner role that bypasses RLS (superuser or BYPASSRLS)")
        fast = await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if fast:
            # Rows are generated consistent: skip the per-row foreign-key triggers, as
            # pg_restore --disable-triggers does (superuser only).
            await conn.execute("SET session_replication_role = replica")
        report = await generate(conn, spec, progress=echo)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return report
