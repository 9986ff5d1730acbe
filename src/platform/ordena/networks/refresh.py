"""A network's benchmark refresh: one new, immutable release (DESIGN §11).

The refresh logs in as the dedicated refresh role (``ordena.networks.roles``) and runs in one
repeatable-read transaction: PostgreSQL computes one row per cohort of the lattice
(``networks.queries``), Python applies the gates, complementary suppression and OpenDP noise
(``networks.privacy``) and derives every figure from the noisy histogram (``networks.stats``),
and the release is inserted with its cohorts and practices. A second refresh makes release N + 1;
no release is ever changed, so the same question always gets the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from uuid import UUID

import asyncpg
from advanced_alchemy.mixins.uuid import uuid7  # type: ignore[attr-defined]  # the id factory of our models
from sqlalchemy import select

from ordena.db.engine import Database
from ordena.db.urls import refresh_url
from ordena.lib.clock import now
from ordena.lib.errors import NotFound, ServiceError
from ordena.lib.i18n import _
from ordena.networks import privacy, queries, stats
from ordena.networks.models import HIDE_REASONS, Network
from ordena.networks.privacy import Cell, Noise
from ordena.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Figures:
    """What a release stores about one cohort (or practice)."""

    published: bool
    reason: str | None
    n_band: str | None = None
    histogram: list[int] | None = None
    summary: stats.Summary | None = None


@dataclass
class Outcome:
    release_id: UUID
    number: int
    as_of: dt.date
    noised: bool
    published: int
    hidden: dict[str, int]
    seconds: float
    summary: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        hidden = ", ".join(f"{r}: {n}" for r, n in self.hidden.items())
        return [
            f"release {self.number} as of {self.as_of.isoformat()} ({'noised' if self.noised else 'NOT noised'})",
            f"cohorts published: {self.published}; hidden: {hidden}",
            f"firms participating: {self.summary.get('firms', 0)}; in {self.seconds:.1f} s",
        ]


def slice_of(row: Any) -> tuple[str, str]:
    """The lattice slice (kind, value) of one row of the GROUPING SETS statement."""
    kind = queries.SLICE_OF_GROUPING[row["g"]]
    value = {
        "all": "",
        "industry": row["industry"],
        "size": row["size"],
        "country": row["country"],
        "industry_size": f"{row['industry']}:{row['size']}",
    }[kind]
    return kind, value


def cells_of(rows: Sequence[Any]) -> list[Cell]:
    """The SQL's cohort rows as cells (true figures)."""
    out: list[Cell] = []
    for r in rows:
        kind, value = slice_of(r)
        out.append(
            Cell(
                r["scope_kind"],
                r["scope_key"],
                kind,
                value,
                r["n"],
                r["firms"],
                r["top1"],
                r["top2"],
                list(r["hist"]),
                parts=(r["industry"], r["size"]),
            )
        )
    return out


def practice_cells_of(rows: Sequence[Any]) -> list[Cell]:
    """Practices as two-band cells: [answered at level ≤ 2, above]."""
    return [
        Cell(
            "question",
            r["question_key"],
            "all",
            "",
            r["n"],
            r["firms"],
            r["top1"],
            r["top2"],
            [r["low"], r["n"] - r["low"]],
            parts=(r["dimension_key"], ""),
        )
        for r in rows
    ]


def decide(cells: Sequence[Cell], practices: Sequence[Cell], *, k: int, min_firms: int) -> None:
    """Gates on the true population, then complementary suppression (cohorts only: practices are
    published at the network level, with no parent or children)."""
    privacy.apply_gates(cells, k=k, min_firms=min_firms)
    privacy.complementary(cells, k=k, min_firms=min_firms)
    privacy.apply_gates(practices, k=k, min_firms=min_firms)


def figures(cell: Cell, noise: Noise) -> Figures:
    """A cohort's stored figures: hidden with its reason, or its noisy, clamped histogram and
    everything derived from it. The true counts never leave this function."""
    if cell.reason is not None:
        return Figures(False, cell.reason)
    hist = privacy.clamp(noise(cell.hist))
    return Figures(True, None, stats.n_band(sum(hist)), hist, stats.summarize(hist))


def practice_share(cell: Cell, noise: Noise) -> tuple[Figures, Decimal | None]:
    fig = figures(cell, noise)
    if not fig.published or not fig.histogram or sum(fig.histogram) == 0:
        return fig, None
    low, high = fig.histogram
    share = Decimal(low) / Decimal(low + high)
    return fig, share.quantize(Decimal("0.0001"), rounding=ROUND_HALF_EVEN)


def _cohort_record(release_id: UUID, at: dt.datetime, cell: Cell, fig: Figures) -> tuple[Any, ...]:
    s = fig.summary
    numbers = (s.mean, s.p10, s.p25, s.p50, s.p75, s.p90) if s else (None,) * 6
    return (
        uuid7(),
        at,
        at,
        release_id,
        cell.scope_kind,
        cell.scope_key,
        cell.slice_kind,
        cell.slice_value,
        fig.published,
        fig.reason,
        fig.n_band,
        fig.histogram,
        *numbers,
    )


def _practice_record(release_id: UUID, at: dt.datetime, cell: Cell, noise: Noise) -> tuple[Any, ...]:
    fig, share = practice_share(cell, noise)
    return (
        uuid7(),
        at,
        at,
        release_id,
        cell.scope_key,
        cell.parts[0],
        "all",
        "",
        fig.published,
        fig.reason,
        fig.n_band,
        share,
    )


def _counts(items: Sequence[Cell]) -> dict[str, Any]:
    reasons = Counter(c.reason for c in items if c.reason)
    return {
        "published": sum(1 for c in items if c.reason is None),
        "hidden": {r: reasons.get(r, 0) for r in HIDE_REASONS},
    }


async def _connect(settings: Settings) -> asyncpg.Connection:
    url = refresh_url(settings)
    kw: dict[str, Any] = {"user": url.username, "password": url.password, "database": url.database}
    if url.host:
        kw["host"] = url.host
    if url.port:
        kw["port"] = url.port
    if "host" in url.query:  # the embedded server's unix socket
        kw["host"] = url.query["host"]
    return await asyncpg.connect(**kw)


def noise_for(settings: Settings, epsilon: float) -> tuple[Noise, bool]:
    if settings.benchmark_noise:
        return privacy.laplace(epsilon), True
    return privacy.no_noise, False


async def refresh_network(
    settings: Settings, network_id: UUID, *, as_of: dt.date | None = None, trigger: str = "schedule"
) -> Outcome:
    """Compute and store the network's next release. Raises ``NotFound`` for an unknown network
    and ``ServiceError`` for settings that may not publish (k < 3, ε ≤ 0, no shared framework)."""
    started = time.perf_counter()
    as_of = as_of or now().date()
    conn = await _connect(settings)
    try:
        async with conn.transaction(isolation="repeatable_read"):
            await queries.begin_refresh(conn, network_id)
            net = await queries.network_settings(conn, network_id)
            if net is None:
                raise NotFound(network_id)
            if net["framework_id"] is None:
                raise ServiceError(_("La red todavía no tiene un modelo compartido: no hay qué comparar."))
            k, min_firms, epsilon = int(net["min_companies"]), int(net["min_firms"]), float(net["epsilon"])
            privacy.check_settings(k, epsilon, min_firms)
            framework_id = net["framework_id"]
            cells = cells_of(await queries.cells(conn, network_id, framework_id, as_of))
            practices = practice_cells_of(await queries.practices(conn, network_id, framework_id, as_of))
            who = await queries.participation(conn, network_id, framework_id, as_of)
            decide(cells, practices, k=k, min_firms=min_firms)
            noise, noised = noise_for(settings, epsilon)
            at = now()
            release_id = uuid7()
            number = await queries.next_release_number(conn, network_id)
            summary = {
                "firms": who["firms"],
                "companies_per_firm": {b: who[b] for b in ("1-9", "10-49", "50-199", "200+")},
                "cohorts": _counts(cells),
                "practices": _counts(practices),
                "trigger": trigger,
            }
            await queries.insert_release(
                conn,
                (
                    release_id,
                    at,
                    network_id,
                    number,
                    as_of,
                    framework_id,
                    k,
                    min_firms,
                    net["epsilon"],
                    noised,
                    json.dumps(summary),
                ),
            )
            await queries.insert_cohorts(conn, [_cohort_record(release_id, at, c, figures(c, noise)) for c in cells])
            await queries.insert_practices(conn, [_practice_record(release_id, at, c, noise) for c in practices])
    finally:
        await conn.close()
    outcome = Outcome(
        release_id,
        number,
        as_of,
        noised,
        summary["cohorts"]["published"],
        summary["cohorts"]["hidden"],
        time.perf_counter() - started,
        summary,
    )
    log.info("benchmark release %s of network %s: %s", number, network_id, outcome.lines())
    return outcome


async def refresh_by_slug(settings: Settings, slug: str, as_of: dt.date | None = None) -> Outcome:
    """``ordena networks refresh <slug>``: the network found as the app role, refreshed as the
    refresh role. ``NotFound`` for an unknown slug."""
    database = Database.connect(settings)
    try:
        async with database.session() as db:
            network_id = await db.scalar(select(Network.id).where(Network.slug == slug))
    finally:
        await database.dispose()
    if network_id is None:
        raise NotFound(slug)
    return await refresh_network(settings, network_id, as_of=as_of, trigger="cli")
