"""The report's peer percentile (issue #12): the networks lookup for the whole-network cohort of
the latest published release, turned into the report's ``BenchmarkSection``. None when the
assessment is not published, its firm takes part in no network on its framework, or the network
has no release yet; hidden cohorts show no figure (DESIGN §11)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.db.driver import driver
from ordena.lib.errors import NotFound
from ordena.lib.i18n import _, get_locale
from ordena.networks.lookup import benchmark
from ordena.reports.content import BenchmarkRow, BenchmarkSection


def _pct(rank: Decimal | None) -> int | None:
    return None if rank is None else int(rank.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


async def peer_section(db: AsyncSession, tenant_id: UUID, assessment_id: UUID) -> BenchmarkSection | None:
    try:
        found = await benchmark(await driver(db), tenant_id, assessment_id, "all")
    except NotFound:  # not published (yet): no peers to show
        return None
    if found is None or not found.has_release:
        return None
    overall = next((r for r in found.rows if r.scope_kind == "overall"), None)
    if overall is None or not overall.published:
        return None
    lang = get_locale()
    rows = [
        BenchmarkRow(
            r.name.get(lang) or r.name.get("es") or r.scope_key,
            r.score,
            r.p50 if r.published else None,
            _pct(r.rank) if r.published else None,
        )
        for r in found.rows
        if r.scope_kind == "dimension"
    ]
    released = found.as_of.isoformat() if found.as_of else ""
    return BenchmarkSection(
        cohort=_("{network} · todas las empresas").format(network=found.network_name),
        n_band=overall.n_band or "",
        release=f"#{found.release_number} · {released}",
        overall_percentile=_pct(overall.rank),
        rows=rows,
    )
