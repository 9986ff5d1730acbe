"""What the "Comparación con pares" section shows: labels, reasons and the box chart, from a
:class:`~ordena.networks.lookup.Benchmark` (no web framework here; the routes render it)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg
from markupsafe import Markup

from ordena.companies.ciiu import section_label
from ordena.companies.services import size_band_label
from ordena.lib.errors import NotFound
from ordena.lib.i18n import _, get_locale
from ordena.lib.kept import Kept
from ordena.networks import lookup
from ordena.networks.lookup import Benchmark
from ordena.networks.models import SLICE_KINDS
from ordena.reports.charts import benchmark_boxes


def reason_text(reason: str | None) -> str:
    """Why a cohort is hidden, saying nothing about what the rule protects."""
    return {
        "k": _("Oculta: la cohorte tiene muy pocas empresas para publicarla."),
        "firms": _("Oculta: la cohorte no reúne empresas de suficientes firmas."),
        "dominance": _("Oculta: muy pocas firmas aportan la mayor parte de la cohorte."),
        "complementary": _("Oculta: publicarla permitiría deducir otra cohorte oculta."),
    }.get(reason or "", _("Oculta."))


def slice_label(kind: str, value: str) -> str:
    industry, _sep, size = value.partition(":")
    return {
        "all": _("Toda la red"),
        "industry": _("Sector: {label}").format(label=section_label(value)),
        "size": _("Tamaño: {label}").format(label=size_band_label(value)),
        "country": _("País: {label}").format(label=value),
        "industry_size": _("Sector y tamaño: {industry}, {size}").format(
            industry=section_label(industry), size=size_band_label(size)
        ),
    }[kind]


@dataclass(frozen=True)
class View:
    benchmark: Benchmark
    chart: Markup | None
    description: str
    options: list[tuple[str, str]]
    reasons: dict[str, str]
    # Every input of this view (``section``'s key), for a page that keeps what it renders of it.
    key: tuple[object, ...] | None = None


def view(b: Benchmark, key: tuple[object, ...] | None = None) -> View:
    industry, size, country = b.company
    locale = get_locale()
    options = [(k, slice_label(k, lookup.slice_value(k, industry, size, country))) for k in SLICE_KINDS]
    chart = None
    if b.rows:
        chart = benchmark_boxes(
            [r.label(locale) for r in b.rows],
            b.rows,
            title=_("Posición frente a la cohorte por dimensión"),
            hidden_label=_("Cohorte oculta"),
        )
    reasons = {r.scope_key or "overall": reason_text(r.reason) for r in b.rows if not r.published}
    return View(b, chart, slice_label(b.slice_kind, b.slice_value), options, reasons, key)


# The sections shown lately. A section is a pure function of the lookup's row (the assessment's
# scores and company attributes, the network, its latest release and that release's cohorts of the
# slice, as read on every view), the slice and the language: keyed by all of them, so a new
# release, a re-publication, a changed company or network is another key (nothing to invalidate).
SECTIONS_KEPT = 128
_SECTIONS: Kept[View | None] = Kept(SECTIONS_KEPT)


async def section(
    conn: asyncpg.Connection, tenant_id: UUID, assessment_id: UUID, slice_kind: str | None, *, client: bool = False
) -> View | None:
    """The section for an assessment, or None (no consenting network on its framework, or —
    for the client's view — the firm does not show benchmarks to its clients)."""
    kind = lookup.parse_slice(slice_kind)
    row = await lookup.lookup_context(conn, tenant_id, assessment_id, kind)
    if row is None or row["status"] != "published":
        raise NotFound(assessment_id)
    key = (tenant_id, get_locale(), kind, client, tuple(row))
    if key in _SECTIONS:
        return _SECTIONS.get(key)
    b = lookup.from_context(row, assessment_id, kind)
    found = None if b is None or (client and not b.show_to_clients) else view(b, key)
    return _SECTIONS.put(key, found)
