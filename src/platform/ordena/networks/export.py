"""The network area's tables as CSV and Excel. Every figure comes from the release tables (no
firm or company identity), the consent list from the network's event log.

CSV: UTF-8 with a BOM, formula-looking text prefixed with ``'``. Excel (XlsxWriter): text is
always written as text (``write_string``), so nothing a cell holds can run as a formula."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.lib.i18n import _, format_date
from ordena.lib.safe_csv import csv_document
from ordena.networks import area
from ordena.networks.models import HIDE_REASONS, BenchmarkRelease, Network

Cell = str | int | Decimal | None
TABLES = ("cohorts", "trend", "practices", "releases", "participation", "firms")
FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class Table:
    name: str
    headers: list[str]
    rows: list[list[Cell]]


def _stats(v: area.CohortView) -> list[Cell]:
    return [v.n_band, v.mean, v.p10, v.p25, v.p50, v.p75, v.p90]


def _stat_headers() -> list[str]:
    return [_("Empresas (rango)"), _("Media"), "P10", "P25", _("Mediana"), "P75", "P90"]


async def _cohorts(db: AsyncSession, network: Network, release: BenchmarkRelease | None) -> Table:
    headers = [_("Publicación"), _("Grupo"), _("Ámbito"), _("Publicado"), _("Motivo"), *_stat_headers()]
    headers += [_("Nivel {n}").format(n=n) for n in range(1, 6)]
    rows: list[list[Cell]] = []
    if release is not None:
        tree = await area.network_tree(db, release.framework_id or network.framework_id)
        for kind, value in await area.release_slices(db, release.id):
            for v in await area.cohorts(db, release, tree, kind, value):
                hist: list[Cell] = list(v.histogram) if v.histogram else [None] * 5
                rows.append(
                    [
                        release.number,
                        area.slice_label(kind, value),
                        v.label,
                        _("Sí") if v.published else _("No"),
                        "" if v.published else v.reason_text,
                        *_stats(v),
                        *hist,
                    ]
                )
    return Table("cohorts", headers, rows)


async def _trend(db: AsyncSession, network: Network, kind: str, value: str) -> Table:
    tree = await area.network_tree(db, network.framework_id)
    headers = [_("Publicación"), _("Fecha"), _("Grupo"), _("Ámbito"), _("Publicado"), *_stat_headers()]
    rows: list[list[Cell]] = []
    for point in await area.trend(db, network.id, tree, kind, value):
        for v in point.views.values():
            rows.append(
                [
                    point.release.number,
                    point.release.as_of.isoformat(),
                    area.slice_label(kind, value),
                    v.label,
                    _("Sí") if v.published else _("No"),
                    *_stats(v),
                ]
            )
    return Table("trend", headers, rows)


async def _practices(db: AsyncSession, network: Network, release: BenchmarkRelease | None) -> Table:
    headers = [_("Publicación"), _("Grupo"), _("Pregunta"), _("Clave"), _("Dimensión"), _("Empresas (rango)")]
    headers.append(_("Proporción en nivel 1–2"))
    rows: list[list[Cell]] = []
    if release is not None:
        tree = await area.network_tree(db, release.framework_id or network.framework_id)
        for kind, value in await area.release_slices(db, release.id):
            for p in await area.practices(db, release.id, tree, kind, value, limit=1000):
                rows.append(
                    [
                        release.number,
                        area.slice_label(kind, value),
                        p.question,
                        p.question_key,
                        p.dimension,
                        p.n_band,
                        p.share_low,
                    ]
                )
    return Table("practices", headers, rows)


async def _releases(db: AsyncSession, network: Network) -> Table:
    headers = [_("Publicación"), _("Población al"), _("Publicada"), "k", _("Firmas mínimas"), "ε", _("Con ruido")]
    headers += [_("Firmas participantes"), _("Grupos publicados")]
    headers += [_("Ocultos: {reason}").format(reason=area.reason_label(r)) for r in HIDE_REASONS]
    releases = await area.releases(db, network.id)
    counts = await area.release_counts(db, [r.id for r in releases])
    rows: list[list[Cell]] = []
    for r in releases:
        c = counts[r.id]
        rows.append(
            [
                r.number,
                r.as_of.isoformat(),
                format_date(r.released_at),
                r.k,
                r.min_firms,
                r.epsilon,
                _("Sí") if r.noised else _("No"),
                area.participation(r).firms,
                c.published,
                *[c.hidden.get(reason, 0) for reason in HIDE_REASONS],
            ]
        )
    return Table("releases", headers, rows)


async def _participation(db: AsyncSession, network: Network) -> Table:
    headers = [_("Publicación"), _("Firmas participantes"), _("Empresas por firma (rango)"), _("Firmas")]
    rows: list[list[Cell]] = []
    for r in await area.releases(db, network.id):
        p = area.participation(r)
        bands: list[tuple[str, int | None]] = list(p.companies_per_firm) or [("", None)]
        for band, firms in bands:
            rows.append([r.number, p.firms, band, firms])
    return Table("participation", headers, rows)


async def _firms(db: AsyncSession, network: Network) -> Table:
    headers = [_("Firma"), _("Estado"), _("Desde"), _("Versión de los términos")]
    rows: list[list[Cell]] = [
        [e.firm_name, area.state_label(e.state), format_date(e.since), e.terms_version or ""]
        for e in await area.roster(db, network.id)
    ]
    return Table("firms", headers, rows)


async def build(db: AsyncSession, network: Network, name: str, kind: str = "all", value: str = "") -> Table:
    """The table ``name`` (one of :data:`TABLES`); ``LookupError`` for another name."""
    if name not in TABLES:
        raise LookupError(name)
    release = await area.latest_release(db, network.id)
    if name == "cohorts":
        return await _cohorts(db, network, release)
    if name == "trend":
        return await _trend(db, network, kind, value)
    if name == "practices":
        return await _practices(db, network, release)
    if name == "releases":
        return await _releases(db, network)
    if name == "participation":
        return await _participation(db, network)
    return await _firms(db, network)


def _text(value: Cell) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return "" if value is None else str(value)


def to_csv(table: Table) -> bytes:
    return csv_document(table.headers, ([_text(v) for v in row] for row in table.rows))


def to_xlsx(table: Table, title: str) -> bytes:
    import xlsxwriter  # about 12 MiB resident: loaded by the first Excel export, not by the web process's start

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(table.name[:31])
    bold = book.add_format({"bold": True})
    sheet.write_string(0, 0, title, bold)
    for c, header in enumerate(table.headers):
        sheet.write_string(2, c, header, bold)
        sheet.set_column(c, c, max(10, min(len(header) + 2, 48)))
    for r, row in enumerate(table.rows, start=3):
        _write_row(sheet, r, row)
    book.close()
    return out.getvalue()


def _write_row(sheet: Any, r: int, row: Sequence[Cell]) -> None:
    for c, value in enumerate(row):
        if value is None:
            continue
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            sheet.write_number(r, c, float(value))
        else:
            sheet.write_string(r, c, str(value))
