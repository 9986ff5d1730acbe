"""What the network admin area reads: release tables (no firm or company identity), the
network's event log and invitations. Nothing here reads a tenant table; the area runs with no
firm set, where every tenant table reads as empty (RLS)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.companies.ciiu import section_label
from ordena.companies.services import country_name, size_band_label
from ordena.db.driver import driver
from ordena.frameworks.services import FrameworkStructure, structure
from ordena.lib.i18n import _
from ordena.networks import queries, schedule
from ordena.networks.models import (
    SLICE_KINDS,
    BenchmarkCohort,
    BenchmarkPractice,
    BenchmarkRelease,
    NetworkEvent,
)
from ordena.tenancy.models import Tenant

ALL = ("all", "")


class CohortOutsideLattice(LookupError):
    """A cohort that the lattice does not have (or this release does not hold)."""


def parse_slice(raw: str | None) -> tuple[str, str]:
    """``kind:value`` (``industry:C``, ``industry_size:C:mediana``) → (kind, value); empty → all."""
    if not raw:
        return ALL
    kind, _sep, value = raw.partition(":")
    if kind not in SLICE_KINDS or (kind == "all") != (value == ""):
        raise CohortOutsideLattice(raw)
    return kind, value


def slice_param(kind: str, value: str) -> str:
    return "" if kind == "all" else f"{kind}:{value}"


def slice_label(kind: str, value: str) -> str:
    if kind == "all":
        return _("Toda la red")
    if kind == "industry":
        return section_label(value) or value
    if kind == "size":
        return _("Tamaño: {band}").format(band=size_band_label(value))
    if kind == "country":
        return country_name(value)
    section, _sep, band = value.partition(":")
    return f"{section_label(section) or section} · {size_band_label(band)}"


def reason_label(reason: str | None) -> str:
    """Why a cohort is hidden, without saying anything the rule protects."""
    return {
        "k": _("Muy pocas empresas para publicarlo"),
        "firms": _("Muy pocas firmas aportan empresas"),
        "dominance": _("Una o dos firmas aportan la mayoría de las empresas"),
        "complementary": _("Oculto para proteger otro grupo oculto"),
    }.get(reason or "", _("Oculto"))


@dataclass(frozen=True)
class CohortView:
    scope_kind: str
    scope_key: str
    label: str
    published: bool
    reason: str | None
    n_band: str | None
    histogram: list[int] | None
    mean: Decimal | None
    p10: Decimal | None
    p25: Decimal | None
    p50: Decimal | None
    p75: Decimal | None
    p90: Decimal | None

    @property
    def reason_text(self) -> str:
        return reason_label(self.reason)


async def network_tree(db: AsyncSession, framework_id: UUID | None) -> FrameworkStructure | None:
    """The latest published version of the network's framework (names of pillars, dimensions
    and questions); None when there is none the platform can read."""
    if framework_id is None:
        return None
    version_id = await queries.latest_version_id(await driver(db), framework_id)
    return await structure(db, version_id) if version_id else None


def _scope_label(tree: FrameworkStructure | None, kind: str, key: str) -> str:
    if kind == "overall":
        return _("General")
    if tree is not None:
        try:
            node = tree.pillar(key) if kind == "pillar" else tree.dimension(key)
            return tree.label(node.name)
        except KeyError:
            pass
    return key


def scope_order(tree: FrameworkStructure | None) -> dict[tuple[str, str], int]:
    order: dict[tuple[str, str], int] = {("overall", ""): 0}
    if tree is not None:
        for p in tree.pillars:
            order[("pillar", p.key)] = len(order)
        for d in tree.dimensions:
            order[("dimension", d.key)] = len(order)
    return order


async def releases(db: AsyncSession, network_id: UUID) -> list[BenchmarkRelease]:
    stmt = select(BenchmarkRelease).where(BenchmarkRelease.network_id == network_id)
    return list((await db.scalars(stmt.order_by(BenchmarkRelease.number.desc()))).all())


latest_release = schedule.latest_release  # one definition; the area's pages read it from here


async def release_slices(db: AsyncSession, release_id: UUID) -> list[tuple[str, str]]:
    """The slices of the lattice this release holds (published or hidden), in lattice order."""
    rows = await db.execute(
        select(BenchmarkCohort.slice_kind, BenchmarkCohort.slice_value)
        .where(BenchmarkCohort.release_id == release_id)
        .distinct()
    )
    found = [(k, v) for k, v in rows.all()]
    return sorted(found, key=lambda s: (SLICE_KINDS.index(s[0]) if s[0] in SLICE_KINDS else 99, s[1]))


def _view(tree: FrameworkStructure | None, c: BenchmarkCohort) -> CohortView:
    published = bool(c.published)
    return CohortView(
        c.scope_kind,
        c.scope_key,
        _scope_label(tree, c.scope_kind, c.scope_key),
        published,
        None if published else c.reason,
        c.n_band if published else None,
        list(c.histogram or []) if published else None,
        *((c.mean, c.p10, c.p25, c.p50, c.p75, c.p90) if published else (None,) * 6),
    )


async def cohorts(
    db: AsyncSession, release: BenchmarkRelease, tree: FrameworkStructure | None, kind: str, value: str
) -> list[CohortView]:
    """Every scope of one slice in the release, overall first, then pillars and dimensions."""
    rows = (
        await db.scalars(
            select(BenchmarkCohort).where(
                BenchmarkCohort.release_id == release.id,
                BenchmarkCohort.slice_kind == kind,
                BenchmarkCohort.slice_value == value,
            )
        )
    ).all()
    return sorted_views(tree, list(rows))


async def published_cohorts(db: AsyncSession, release_id: UUID) -> list[BenchmarkCohort]:
    stmt = select(BenchmarkCohort).where(BenchmarkCohort.release_id == release_id, BenchmarkCohort.published)
    stmt = stmt.order_by(
        BenchmarkCohort.slice_kind, BenchmarkCohort.slice_value, BenchmarkCohort.scope_kind, BenchmarkCohort.scope_key
    )
    return list((await db.scalars(stmt)).all())


@dataclass(frozen=True)
class TrendPoint:
    release: BenchmarkRelease
    views: dict[tuple[str, str], CohortView]


async def trend(
    db: AsyncSession, network_id: UUID, tree: FrameworkStructure | None, kind: str, value: str
) -> list[TrendPoint]:
    """Overall and pillar cohorts of one slice across every release, oldest first."""
    stmt = (
        select(BenchmarkRelease, BenchmarkCohort)
        .join(BenchmarkCohort, BenchmarkCohort.release_id == BenchmarkRelease.id)
        .where(
            BenchmarkRelease.network_id == network_id,
            BenchmarkCohort.slice_kind == kind,
            BenchmarkCohort.slice_value == value,
            BenchmarkCohort.scope_kind.in_(("overall", "pillar")),
        )
        .order_by(BenchmarkRelease.number)
    )
    points: dict[UUID, TrendPoint] = {}
    for release, cohort in (await db.execute(stmt)).all():
        point = points.setdefault(release.id, TrendPoint(release, {}))
        point.views[(cohort.scope_kind, cohort.scope_key)] = _view(tree, cohort)
    return list(points.values())


@dataclass(frozen=True)
class PracticeView:
    question_key: str
    question: str
    dimension: str
    n_band: str | None
    share_low: Decimal | None


async def practices(
    db: AsyncSession, release_id: UUID, tree: FrameworkStructure | None, kind: str, value: str, *, limit: int = 50
) -> list[PracticeView]:
    """Published commonly missed practices of one slice: the largest share at level ≤ 2 first."""
    stmt = (
        select(BenchmarkPractice)
        .where(
            BenchmarkPractice.release_id == release_id,
            BenchmarkPractice.published,
            BenchmarkPractice.slice_kind == kind,
            BenchmarkPractice.slice_value == value,
        )
        .order_by(BenchmarkPractice.share_low.desc().nulls_last(), BenchmarkPractice.question_key)
        .limit(limit)
    )
    texts: dict[str, str] = {}
    if tree is not None:
        texts = {q.key: tree.label(q.text) for q in tree.questions}
    return [
        PracticeView(
            p.question_key,
            texts.get(p.question_key, p.question_key),
            _scope_label(tree, "dimension", p.dimension_key),
            p.n_band,
            p.share_low,
        )
        for p in (await db.scalars(stmt)).all()
    ]


@dataclass
class ReleaseCounts:
    published: int = 0
    hidden: Counter[str] = field(default_factory=Counter)
    practices_published: int = 0
    practices_hidden: int = 0


async def release_counts(db: AsyncSession, release_ids: list[UUID]) -> dict[UUID, ReleaseCounts]:
    """Per release: cohorts published, hidden by reason (counts of cohorts, never their sizes)."""
    out: dict[UUID, ReleaseCounts] = {rid: ReleaseCounts() for rid in release_ids}
    if not release_ids:
        return out
    rows = await db.execute(
        select(BenchmarkCohort.release_id, BenchmarkCohort.published, BenchmarkCohort.reason, func.count())
        .where(BenchmarkCohort.release_id.in_(release_ids))
        .group_by(BenchmarkCohort.release_id, BenchmarkCohort.published, BenchmarkCohort.reason)
    )
    for rid, published, reason, n in rows.all():
        if published:
            out[rid].published += n
        else:
            out[rid].hidden[reason or "other"] += n
    rows = await db.execute(
        select(BenchmarkPractice.release_id, BenchmarkPractice.published, func.count())
        .where(BenchmarkPractice.release_id.in_(release_ids))
        .group_by(BenchmarkPractice.release_id, BenchmarkPractice.published)
    )
    for rid, published, n in rows.all():
        if published:
            out[rid].practices_published += n
        else:
            out[rid].practices_hidden += n
    return out


def counts_and_slices(rows: list[Any]) -> tuple[ReleaseCounts, list[tuple[str, str]]]:
    """From ``queries.release_counts``: the release's counts and its slices in lattice order."""
    counts = ReleaseCounts()
    slices: set[tuple[str, str]] = set()
    for r in rows:
        if r["cohort"]:
            slices.add((r["slice_kind"], r["slice_value"]))
            if r["published"]:
                counts.published += r["n"]
            else:
                counts.hidden[r["reason"] or "other"] += r["n"]
        elif r["published"]:
            counts.practices_published += r["n"]
        else:
            counts.practices_hidden += r["n"]
    ordered = sorted(slices, key=lambda s: (SLICE_KINDS.index(s[0]) if s[0] in SLICE_KINDS else 99, s[1]))
    return counts, ordered


def sorted_views(tree: FrameworkStructure | None, rows: list[BenchmarkCohort]) -> list[CohortView]:
    """Cohorts of one slice as the area shows them: overall first, then pillars and dimensions."""
    order = scope_order(tree)
    views = [_view(tree, c) for c in rows]
    return sorted(views, key=lambda v: (order.get((v.scope_kind, v.scope_key), 999), v.scope_key))


@dataclass(frozen=True)
class Participation:
    """From a release's summary, which holds only counts: firms taking part, and how many firms
    bring how many companies (as bands, never a firm's exact count)."""

    firms: int | None
    companies_per_firm: list[tuple[str, int]]


def participation(release: BenchmarkRelease | None) -> Participation:
    summary: dict[str, Any] = dict(release.summary or {}) if release is not None else {}
    firms = summary.get("firms")
    bands = summary.get("companies_per_firm") or {}
    pairs = [(str(k), int(v)) for k, v in bands.items()] if isinstance(bands, dict) else []
    pairs.sort(key=lambda kv: int(kv[0].split("-")[0].rstrip("+")) if kv[0][:1].isdigit() else 0)
    return Participation(int(firms) if isinstance(firms, int) else None, pairs)


@dataclass(frozen=True)
class RosterEntry:
    """A firm on the network's consent list: the member firm's name and state, no figures."""

    firm_name: str
    state: str  # active | pending | left
    since: dt.datetime
    terms_version: str | None


async def roster(db: AsyncSession, network_id: UUID) -> list[RosterEntry]:
    """Each firm's latest join/leave step in the network's event log (a platform table: the
    firm's own membership row is not readable here)."""
    latest = (
        select(NetworkEvent)
        .where(NetworkEvent.network_id == network_id, NetworkEvent.firm_id.is_not(None))
        .where(NetworkEvent.action.in_(("join", "leave")))
        .order_by(NetworkEvent.firm_id, NetworkEvent.created_at.desc(), NetworkEvent.id.desc())
        .distinct(NetworkEvent.firm_id)
        .subquery()
    )
    rows = await db.execute(
        select(Tenant.name, latest.c.action, latest.c.created_at, latest.c.after)
        .join(latest, latest.c.firm_id == Tenant.id)
        .order_by(Tenant.name)
    )
    out = []
    for name, action, at, after in rows.all():
        after = after or {}
        state = "left" if action == "leave" else ("active" if after.get("consent") else "pending")
        out.append(RosterEntry(name, state, at, after.get("terms_version") if state == "active" else None))
    return out


async def events(db: AsyncSession, network_id: UUID, *, limit: int = 200) -> list[NetworkEvent]:
    stmt = select(NetworkEvent).where(NetworkEvent.network_id == network_id)
    return list((await db.scalars(stmt.order_by(NetworkEvent.created_at.desc()).limit(limit))).all())


def state_label(state: str) -> str:
    """A firm's state on the consent list."""
    return {"active": _("Participa"), "pending": _("Sin consentimiento"), "left": _("Salió")}.get(state, state)


def invitation_state_label(state: str) -> str:
    return {
        "pending": _("Pendiente"),
        "accepted": _("Aceptada"),
        "revoked": _("Revocada"),
        "expired": _("Vencida"),
    }.get(state, state)


def event_label(action: str) -> str:
    return {
        "create": _("Creó la red"),
        "admin": _("Añadió a un administrador"),
        "invite": _("Invitó a una firma"),
        "revoke": _("Revocó una invitación"),
        "join": _("Una firma se unió"),
        "leave": _("Una firma salió"),
        "refresh": _("Pidió una publicación"),
    }.get(action, action)


LABELS = {"state_label": state_label, "invitation_state_label": invitation_state_label, "event_label": event_label}
