"""One assessment against its peers: the latest release's cohorts of a slice (DESIGN §11).

Two statements, whatever the size of the network: the assessment's context (its company's
attributes, its scores, the network its firm consents to on the same framework family) under the
firm's row-level security, then the release's cohorts of the chosen slice through
``ix_benchmark_cohort_lookup`` — O(cohorts), never O(assessments). Every figure shown comes from
the stored, noisy histogram; a client's percentile rank is computed from that same histogram.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from ordena.lib.errors import NotFound, ServiceError
from ordena.lib.i18n import _
from ordena.networks import stats
from ordena.networks.models import SLICE_KINDS

# One statement: the assessment's context under the firm's RLS (company attributes, scores, the
# network its firm consents to on the same family), the network's latest release, and that
# release's cohorts of the slice through ix_benchmark_cohort_lookup. The two documents come as
# JSON text: a page keys what it builds from them on the row as read (``benchmark_view``) and
# parses them only to build it.
_LOOKUP = """
    WITH ctx AS (
        SELECT a.id, a.status, c.industry_section, c.size_band, c.country, s.overall,
               net.id AS network_id, net.slug AS network_slug, net.name AS network_name, net.show_to_clients,
               (SELECT coalesce(json_agg(json_build_object('key', d.key, 'name', d.name, 'score', r.score)
                                         ORDER BY p.position, d.position), '[]')
                FROM fw_dimension d JOIN fw_pillar p ON p.id = d.pillar_id
                LEFT JOIN result_dimension_score r
                       ON r.tenant_id = a.tenant_id AND r.assessment_id = a.id AND r.dimension_key = d.key
                WHERE d.version_id = a.framework_version_id)::text AS dimensions
        FROM assessment a
        JOIN framework_version v ON v.id = a.framework_version_id
        JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id
        LEFT JOIN result_snapshot s ON s.tenant_id = a.tenant_id AND s.assessment_id = a.id
        LEFT JOIN LATERAL (
            SELECT n.id, n.slug, n.name, m.show_to_clients
            FROM network_membership m JOIN network n ON n.id = m.network_id
            WHERE m.tenant_id = a.tenant_id AND m.consent_at IS NOT NULL AND m.left_at IS NULL
              AND n.framework_id = v.framework_id
            ORDER BY n.slug LIMIT 1
        ) net ON true
        WHERE a.tenant_id = $1 AND a.id = $2
    ), rel AS (
        SELECT r.id, r.number, r.as_of, r.released_at FROM benchmark_release r
        WHERE r.network_id = (SELECT network_id FROM ctx) ORDER BY r.number DESC LIMIT 1
    )
    SELECT ctx.*, rel.id AS release_id, rel.number, rel.as_of, rel.released_at,
           (SELECT coalesce(json_agg(json_build_object(
                       'scope_kind', k.scope_kind, 'scope_key', k.scope_key, 'published', k.published,
                       'reason', k.reason, 'n_band', k.n_band, 'histogram', k.histogram, 'mean', k.mean,
                       'p10', k.p10, 'p25', k.p25, 'p50', k.p50, 'p75', k.p75, 'p90', k.p90)), '[]')
            FROM benchmark_cohort k
            WHERE k.release_id = rel.id AND k.slice_kind = $3
              AND k.slice_value = CASE $3 WHEN 'all' THEN '' WHEN 'industry' THEN ctx.industry_section
                                  WHEN 'size' THEN ctx.size_band WHEN 'country' THEN ctx.country
                                  ELSE ctx.industry_section || ':' || ctx.size_band END)::text AS cohorts
    FROM ctx LEFT JOIN rel ON true
"""


def parse_slice(value: str | None) -> str:
    """The slice asked for; anything outside the lattice is refused (422), never computed."""
    kind = (value or "all").strip()
    if kind not in SLICE_KINDS:
        raise ServiceError(_("Esa cohorte no existe: elige entre las publicadas."), field="slice", status_code=422)
    return kind


@dataclass(frozen=True)
class Row:
    scope_kind: str
    scope_key: str
    name: dict[str, str]
    score: Decimal | None
    published: bool
    reason: str | None
    n_band: str | None = None
    mean: Decimal | None = None
    p10: Decimal | None = None
    p25: Decimal | None = None
    p50: Decimal | None = None
    p75: Decimal | None = None
    p90: Decimal | None = None
    rank: Decimal | None = None  # the assessment's percentile rank, 0–100, one decimal
    histogram: tuple[int, ...] | None = None  # the release's noisy counts (ranks derive from them)

    def label(self, locale: str) -> str:
        return self.name.get(locale) or self.name.get("es") or self.scope_key


@dataclass(frozen=True)
class Benchmark:
    network_id: UUID
    network_slug: str
    network_name: str
    show_to_clients: bool
    slice_kind: str
    slice_value: str
    release_id: UUID | None
    release_number: int | None
    as_of: dt.date | None
    released_at: dt.datetime | None
    rows: tuple[Row, ...]
    company: tuple[str, str, str] = ("", "", "")  # the company's industry section, size band, country

    @property
    def has_release(self) -> bool:
        return self.release_id is not None


def slice_value(kind: str, industry: str, size: str, country: str) -> str:
    return {"all": "", "industry": industry, "size": size, "country": country, "industry_size": f"{industry}:{size}"}[
        kind
    ]


def _rank(hist: list[int] | None, score: Decimal | None) -> Decimal | None:
    if not hist or score is None or sum(hist) <= 0:
        return None
    return Decimal(repr(stats.percentile_rank(hist, float(score)))).quantize(Decimal("0.1"))


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.001"))


def _row(key: tuple[str, str], name: dict[str, str], score: Decimal | None, c: Any) -> Row:
    if c is None:
        return Row(key[0], key[1], name, score, False, "k")  # no cohort at all: fewer than k
    if not c["published"]:
        return Row(key[0], key[1], name, score, False, c["reason"])
    hist = list(c["histogram"]) if c["histogram"] is not None else None
    return Row(
        key[0],
        key[1],
        name,
        score,
        True,
        None,
        c["n_band"],
        _dec(c["mean"]),
        _dec(c["p10"]),
        _dec(c["p25"]),
        _dec(c["p50"]),
        _dec(c["p75"]),
        _dec(c["p90"]),
        _rank(hist, score),
        tuple(hist) if hist else None,
    )


# The release a published assessment's peer figures come from: the latest of the network its firm
# consents to on the same family (the same network ``_LOOKUP`` picks); no row otherwise.
_SHOWN_RELEASE = """
    SELECT net.id AS network_id, rel.id AS release_id
    FROM assessment a
    JOIN framework_version v ON v.id = a.framework_version_id
    JOIN LATERAL (
        SELECT n.id FROM network_membership m JOIN network n ON n.id = m.network_id
        WHERE m.tenant_id = a.tenant_id AND m.consent_at IS NOT NULL AND m.left_at IS NULL
          AND n.framework_id = v.framework_id
        ORDER BY n.slug LIMIT 1
    ) net ON true
    LEFT JOIN LATERAL (
        SELECT r.id FROM benchmark_release r WHERE r.network_id = net.id ORDER BY r.number DESC LIMIT 1
    ) rel ON true
    WHERE a.tenant_id = $1 AND a.id = $2 AND a.status = 'published'
"""


async def shown_release(conn: asyncpg.Connection, tenant_id: UUID, assessment_id: UUID) -> str:
    """``network:release`` that a published assessment's peer figures would come from ('' when
    none): what a stored report keys on, so that a new release (or leaving the network) makes it
    out of date. One indexed statement."""
    row = await conn.fetchrow(_SHOWN_RELEASE, tenant_id, assessment_id)
    if row is None:
        return ""
    return f"{row['network_id']}:{row['release_id'] or ''}"


async def benchmark(
    conn: asyncpg.Connection, tenant_id: UUID, assessment_id: UUID, slice_kind: str
) -> Benchmark | None:
    """The assessment against the chosen slice of its cohort, or None when its firm takes part
    in no network on the assessment's framework. ``NotFound`` for another firm's assessment (RLS
    and the ``tenant_id`` filter) or one not yet published. One statement, O(cohorts)."""
    return from_context(await lookup_context(conn, tenant_id, assessment_id, slice_kind), assessment_id, slice_kind)


async def lookup_context(
    conn: asyncpg.Connection, tenant_id: UUID, assessment_id: UUID, slice_kind: str
) -> asyncpg.Record | None:
    """:func:`benchmark`'s one statement, its row as read (None: not the firm's assessment)."""
    row: asyncpg.Record | None = await conn.fetchrow(_LOOKUP, tenant_id, assessment_id, slice_kind)
    return row


def from_context(ctx: asyncpg.Record | None, assessment_id: UUID, slice_kind: str) -> Benchmark | None:
    """:func:`benchmark` from its statement's row."""
    if ctx is None or ctx["status"] != "published":
        raise NotFound(assessment_id)
    if ctx["network_id"] is None:
        return None
    value = slice_value(slice_kind, ctx["industry_section"], ctx["size_band"], ctx["country"])
    by_scope = {(c["scope_kind"], c["scope_key"]): c for c in _json(ctx["cohorts"])}
    out: list[Row] = []
    if ctx["release_id"] is not None:
        overall = ctx["overall"]
        out.append(_row(("overall", ""), {"es": "Global", "en": "Overall"}, overall, by_scope.get(("overall", ""))))
        for d in _json(ctx["dimensions"]):
            score = Decimal(str(d["score"])) if d["score"] is not None else None
            out.append(_row(("dimension", d["key"]), d["name"], score, by_scope.get(("dimension", d["key"]))))
    return Benchmark(
        ctx["network_id"],
        ctx["network_slug"],
        ctx["network_name"],
        bool(ctx["show_to_clients"]),
        slice_kind,
        value,
        ctx["release_id"],
        ctx["number"],
        ctx["as_of"],
        ctx["released_at"],
        tuple(out),
        (ctx["industry_section"], ctx["size_band"], ctx["country"]),
    )


def _json(value: Any) -> list[Any]:
    """json columns: text (as ``_LOOKUP`` casts them), or already decoded."""
    if value is None:
        return []
    return list(json.loads(value) if isinstance(value, str) else value)


@dataclass(frozen=True)
class Move:
    """A dimension's peer percentile before (the baseline's score) and after (the re-assessment's),
    both against the same cohort of the same release."""

    key: str
    before: Decimal | None
    after: Decimal | None

    @property
    def change(self) -> Decimal | None:
        return None if self.before is None or self.after is None else self.after - self.before


async def percentile_moves(
    conn: asyncpg.Connection, tenant_id: UUID, assessment_id: UUID, baseline: dict[str, Decimal | None]
) -> tuple[Benchmark, dict[str, Move]] | None:
    """The closed loop's move in percentile per dimension (slice "all"), or None outside a network."""
    return moves_of(await benchmark(conn, tenant_id, assessment_id, "all"), baseline)


def moves_of(b: Benchmark | None, baseline: dict[str, Decimal | None]) -> tuple[Benchmark, dict[str, Move]] | None:
    """:func:`percentile_moves` from the lookup of slice "all" read already."""
    if b is None or not b.has_release:
        return None
    moves = {
        r.scope_key: Move(r.scope_key, _rank(list(r.histogram or ()), baseline.get(r.scope_key)), r.rank)
        for r in b.rows
        if r.scope_kind == "dimension" and r.published
    }
    return b, moves


def as_json(b: Benchmark) -> dict[str, Any]:
    """The API's document: the same for the same question on one release (no clock, no noise)."""

    def num(v: Decimal | None) -> str | None:
        return None if v is None else str(v)

    return {
        "network": b.network_slug,
        "release": {
            "id": str(b.release_id) if b.release_id else None,
            "number": b.release_number,
            "as_of": b.as_of.isoformat() if b.as_of else None,
        },
        "slice": {"kind": b.slice_kind, "value": b.slice_value},
        "cohorts": [
            {
                "scope": r.scope_kind,
                "key": r.scope_key,
                "published": r.published,
                "reason": r.reason,
                "n_band": r.n_band,
                "mean": num(r.mean),
                "p10": num(r.p10),
                "p25": num(r.p25),
                "median": num(r.p50),
                "p75": num(r.p75),
                "p90": num(r.p90),
                "score": num(r.score),
                "percentile_rank": num(r.rank),
            }
            for r in b.rows
        ],
    }
