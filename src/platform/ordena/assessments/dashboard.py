"""The consultant dashboard (the firm's home): a handful of aggregate queries.

Every statement filters ``tenant_id`` itself (RLS is the backstop) and works on the firm's
*active* (not archived) client companies. "Latest" means each company's most recent published
assessment, kept per company in ``company_latest_result`` at publication (:mod:`.latest`), so no
statement here reads the firm's whole history; the scores come from its stored
:class:`ResultSnapshot` (never recomputed). A new firm (no companies) costs one statement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
from markupsafe import Markup
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments import queries
from ordena.assessments.scoring import LevelBand, level_bands, level_of
from ordena.db.driver import driver
from ordena.frameworks import queries as framework_queries
from ordena.frameworks.services import FrameworkStructure, cached_structure, structure
from ordena.lib.clock import now
from ordena.lib.i18n import format_number, get_locale, gettext, use_locale

ATTENTION_LIMIT = 8
RECENT_LIMIT = 5
LIMA = ZoneInfo("America/Lima")


@dataclass(frozen=True)
class Stats:
    members: int
    companies_total: int
    companies: int
    open: int  # draft or in progress (respondents may be invited)
    in_progress: int
    submitted: int
    published_12m: int
    assessed_companies: int  # with a published assessment
    scored_companies: int
    average: Decimal | None

    @property
    def average_level(self) -> int | None:
        return level_of(self.average)


@dataclass(frozen=True)
class AwaitingValidation:
    assessment_id: UUID
    title: str
    company_id: UUID
    company: str
    submitted_at: dt.datetime | None
    days: int | None


@dataclass(frozen=True)
class SilentRespondent:
    assessment_id: UUID
    title: str
    company: str
    contact: str
    started: bool  # answered something before going quiet
    days: int


@dataclass(frozen=True, slots=True)
class RecentResult:
    """``level`` of ``overall`` and ``published_on`` (the publication day as seen in Peru, where
    the firms work) are worked out once, when the row is read."""

    assessment_id: UUID
    title: str
    company_id: UUID
    company: str
    published_at: dt.datetime | None
    overall: Decimal | None
    level: int | None
    published_on: dt.date | None


def _recent(r: asyncpg.Record) -> RecentResult:
    at = r["published_at"]
    return RecentResult(
        r["id"],
        r["title"],
        r["company_id"],
        r["company"],
        at,
        r["overall"],
        level_of(r["overall"]),
        at.astimezone(LIMA).date() if at else None,
    )


@dataclass(frozen=True, slots=True)
class DimensionAverage:
    key: str
    name: str
    pillar: str
    score: Decimal
    companies: int
    level: int | None  # of ``score``, worked out once


@dataclass
class Dashboard:
    stats: Stats
    awaiting: list[AwaitingValidation] = field(default_factory=list)
    silent: list[SilentRespondent] = field(default_factory=list)
    silent_total: int = 0
    recent: list[RecentResult] = field(default_factory=list)
    portfolio: list[DimensionAverage] = field(default_factory=list)
    tree: Any = None  # the default framework's structure (level and dimension names)

    @property
    def is_new(self) -> bool:
        return self.stats.companies_total == 0

    @property
    def portfolio_companies(self) -> int:
        return max((d.companies for d in self.portfolio), default=0)

    @property
    def attention_total(self) -> int:
        return self.stats.submitted + self.silent_total

    def level_name(self, level: int | None) -> str:
        return self.tree.level_name(level) if self.tree is not None and level is not None else ""

    @property
    def level_bands(self) -> tuple[LevelBand, ...]:
        return level_bands()

    @property
    def badges(self) -> tuple[Markup, ...]:
        """Each level's badge (index 0: none), as ``partials/levels.html``'s ``badge`` draws it."""
        return level_badges(get_locale(), tuple(self.level_name(b.level) for b in level_bands()))


@lru_cache(maxsize=64)
def level_badges(locale: str, names: tuple[str, ...]) -> tuple[Markup, ...]:
    """The five level badges in ``locale`` with these level names, drawn once per (locale, names):
    a pure function of its key (the bands are constants), so nothing to invalidate; bounded.
    The same markup as the ``badge`` macro of ``partials/levels.html`` (a test compares them);
    a dashboard shows a badge per row (profiled: the macro was a tenth of the page)."""
    with use_locale(locale):
        out = [Markup("")]
        for b, name in zip(level_bands(), names, strict=True):
            # As the macro: the translated text is trusted, its values are escaped.
            title = Markup(gettext("Nivel {level}: puntajes de {low} a {high}")).format(  # noqa: S704
                level=b.level, low=format_number(b.low, 2), high=format_number(b.high, 2)
            )
            out.append(
                Markup('<span class="badge level-{0}" title="{1}">{0} · {2}</span>').format(b.level, title, name)
            )
    return tuple(out)


def _days(at: dt.datetime, since: dt.datetime | None) -> int | None:
    return None if since is None else max(0, (at - since).days)


TreeLoader = Callable[[UUID], Awaitable[FrameworkStructure]]


class TreeNotCached(LookupError):
    """The default framework's tree is not in this process's cache yet (see :func:`cold_tree`)."""


async def cold_tree(version_id: UUID) -> FrameworkStructure:
    """A ``load_tree`` for the driver-only path: the caller catches this, ends its read-only
    transaction and builds the page with :func:`load_dashboard` (once per process and version)."""
    raise TreeNotCached(version_id)


async def load_dashboard(db: AsyncSession, tenant_id: UUID, *, at: dt.datetime | None = None) -> Dashboard:
    """The dashboard inside an ORM session's transaction."""

    async def tree(version_id: UUID) -> FrameworkStructure:
        return await structure(db, version_id)

    return await dashboard_on(await driver(db), tenant_id, tree, at=at)


async def dashboard_on(
    con: asyncpg.Connection, tenant_id: UUID, load_tree: TreeLoader, *, at: dt.datetime | None = None
) -> Dashboard:
    """The dashboard on the driver alone (the firm's home opens no ORM session: benchmarked).
    The default framework's tree comes from the process's cache of published trees; only when
    it is not there yet is ``load_tree`` asked for it."""
    at = at or now()
    row = await queries.firm_stats(con, tenant_id=tenant_id, since=at - dt.timedelta(days=365))
    stats = Stats(
        members=int(row["members"]),
        companies_total=int(row["total"]),
        companies=int(row["active"]),
        open=int(row["open"]),
        in_progress=int(row["in_progress"]),
        submitted=int(row["submitted"]),
        published_12m=int(row["published_12m"]),
        assessed_companies=int(row["latest"]),
        scored_companies=int(row["scored"]),
        average=row["average"],
    )
    board = Dashboard(stats)
    if stats.companies == 0:
        return board
    if stats.submitted:
        board.awaiting = [
            AwaitingValidation(
                r["id"], r["title"], r["company_id"], r["company"], r["submitted_at"], _days(at, r["submitted_at"])
            )
            for r in await queries.awaiting_validation(con, tenant_id=tenant_id, limit=ATTENTION_LIMIT)
        ]
    if stats.open:
        silent = await queries.silent_respondents(con, tenant_id=tenant_id, now=at, limit=ATTENTION_LIMIT)
        board.silent = [
            SilentRespondent(
                r["id"],
                r["title"],
                r["company"],
                r["contact"] or "",
                r["last_activity_at"] is not None,
                _days(at, r["idle_since"]) or 0,
            )
            for r in silent
        ]
        board.silent_total = int(silent[0]["total"]) if silent else 0
    if stats.assessed_companies:
        board.recent = [_recent(r) for r in await queries.recent_results(con, tenant_id=tenant_id, limit=RECENT_LIMIT)]
        await _portfolio(con, load_tree, tenant_id, board)
    return board


async def _portfolio(con: asyncpg.Connection, load_tree: TreeLoader, tenant_id: UUID, board: Dashboard) -> None:
    """Per dimension of the default framework, the mean of the companies' latest scores."""
    version_id, framework_id = await framework_queries.default_version_ids(con)
    tree = board.tree = await cached_structure(con, version_id) or await load_tree(version_id)
    averages = await queries.portfolio_averages(con, tenant_id=tenant_id, framework_id=framework_id)
    known = {d.key: d for d in tree.dimensions}
    board.portfolio = sorted(
        (
            DimensionAverage(
                r["key"],
                tree.label(known[r["key"]].name),
                tree.label(tree.pillar(known[r["key"]].pillar_key).name),
                r["score"],
                int(r["companies"]),
                level_of(r["score"]),
            )
            for r in averages
            if r["key"] in known
        ),
        key=lambda d: (d.score, d.name),
    )
