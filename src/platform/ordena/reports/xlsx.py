"""Excel workbooks (XlsxWriter): an assessment's, and the firm's portfolio.

Numbers are number cells with a number format; text from users goes through ``write_string``
with XlsxWriter's formula and URL guessing off, so a company named ``=HYPERLINK(...)`` stays text
(Excel injection). Header rows are frozen and filtered, columns sized to their content.

XlsxWriter (about 12 MiB resident) is imported when a workbook is made, not with this module,
which the web process and the CLI import through the report job.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.companies.services import size_band_label
from ordena.db.driver import driver
from ordena.frameworks.services import FrameworkStructure, structure
from ordena.lib.i18n import _
from ordena.reports import queries
from ordena.reports.content import ReportDocument, load_report

if TYPE_CHECKING:
    from xlsxwriter import Workbook
    from xlsxwriter.worksheet import Worksheet

Cell = str | int | float | Decimal | dt.date | dt.datetime | None


class Sheet:
    """A worksheet written row by row: typed cells, widths kept, header frozen and filtered."""

    def __init__(self, book: Workbook, name: str, header: Sequence[str], formats: dict[str, Any]) -> None:
        self.ws: Worksheet = book.add_worksheet(name[:31])
        self.formats = formats
        self.widths = [min(max(len(h) + 2, 8), 60) for h in header]
        self.row = 0
        for col, text in enumerate(header):
            self.ws.write_string(0, col, text, formats["head"])
        self.ws.freeze_panes(1, 0)
        self.columns = len(header)

    def add(self, values: Sequence[Cell], kinds: Sequence[str] | None = None) -> None:
        """``kinds`` per column: ``text`` (default), ``score`` (0.00), ``int``, ``pct`` (0 %), ``date``."""
        self.row += 1
        for col, value in enumerate(values):
            kind = kinds[col] if kinds else "text"
            self._cell(col, value, kind)

    def _cell(self, col: int, value: Cell, kind: str) -> None:
        r, f = self.row, self.formats
        if value is None or value == "":
            self.ws.write_blank(r, col, None, f.get("wrap") if kind == "text" else None)
            return
        if kind == "date" and isinstance(value, dt.date):
            day = value.date() if isinstance(value, dt.datetime) else value
            self.ws.write_datetime(r, col, dt.datetime(day.year, day.month, day.day), f["date"])
            self._fit(col, 10)
            return
        if kind in ("score", "int", "pct") and isinstance(value, int | float | Decimal):
            self.ws.write_number(r, col, float(value), f[kind])
            self._fit(col, 7)
            return
        text = str(value)
        self.ws.write_string(r, col, text, f["wrap"])
        self._fit(col, max((len(line) for line in text.splitlines()), default=0))

    def _fit(self, col: int, chars: int) -> None:
        self.widths[col] = min(max(self.widths[col], chars + 2), 60)

    def close(self) -> None:
        for col, width in enumerate(self.widths):
            self.ws.set_column(col, col, width)
        if self.row:
            self.ws.autofilter(0, 0, self.row, self.columns - 1)


def _book(out: io.BytesIO, *, constant_memory: bool = False) -> tuple[Workbook, dict[str, Any]]:
    from xlsxwriter import Workbook

    book = Workbook(
        out,
        {
            "in_memory": not constant_memory,  # constant_memory streams rows through a temporary file
            "constant_memory": constant_memory,
            "strings_to_formulas": False,  # user text is never a formula
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    formats = {
        "head": book.add_format({"bold": True, "bg_color": "#1f2933", "font_color": "#ffffff", "text_wrap": True}),
        "wrap": book.add_format({"text_wrap": False, "valign": "top"}),
        "score": book.add_format({"num_format": "0.00", "valign": "top"}),
        "int": book.add_format({"num_format": "0", "valign": "top"}),
        "pct": book.add_format({"num_format": "0%", "valign": "top"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
    }
    return book, formats


def workbook_bytes(doc: ReportDocument) -> bytes:
    """An assessment's workbook: summary, a sheet per pillar, the answers, the plan."""
    out = io.BytesIO()
    book, f = _book(out)
    r = doc.results
    book.set_properties({"title": doc.assessment.title, "company": doc.branding.name, "author": doc.branding.name})
    summary = Sheet(book, _("Resumen"), [_("Concepto"), _("Valor")], f)
    summary.add([_("Firma"), doc.branding.name])
    summary.add([_("Empresa"), doc.company_name])
    summary.add([_("Evaluación"), doc.assessment.title])
    summary.add([_("Tipo de evaluación"), doc.kind_label])
    summary.add([_("Estado"), doc.status_label])
    summary.add([_("Modelo"), doc.framework])
    summary.add([_("Fecha del informe"), doc.generated_on], ["text", "date"])
    summary.add([_("Madurez general"), r.overall], ["text", "score"])
    summary.add([_("Nivel"), f"{r.overall_level} · {r.level_name(r.overall_level)}" if r.overall_level else None])
    summary.add([_("Completitud"), r.completeness], ["text", "pct"])
    for p in doc.pillars:
        summary.add([p.name, p.result.score], ["text", "score"])
    summary.close()
    head = [
        _("Dimensión"),
        _("Puntaje"),
        _("Nivel"),
        _("Meta"),
        _("Brecha"),
        _("Respondidas"),
        _("Preguntas"),
        _("Completitud"),
    ]
    kinds = ["text", "score", "text", "int", "score", "int", "int", "pct"]
    if r.has_perception_gap:
        head += [_("Autoevaluación"), _("Brecha de percepción")]
        kinds += ["score", "score"]
    for p in doc.pillars:
        sheet = Sheet(book, p.name, head, f)
        for d in p.dimensions:
            dr = d.result
            row: list[Cell] = [
                d.name,
                dr.score,
                f"{dr.level} · {r.level_name(dr.level)}" if dr.level else None,
                dr.target,
                dr.plan_gap,
                dr.answered,
                dr.questions,
                dr.completeness,
            ]
            if r.has_perception_gap:
                row += [dr.self_score, dr.gap]
            sheet.add(row, kinds)
        sheet.close()
    _answers_sheet(book, f, doc)
    _plan_sheet(book, f, doc)
    book.close()
    return out.getvalue()


def _answers_sheet(book: Workbook, f: dict[str, Any], doc: ReportDocument) -> None:
    head = [_("Pilar"), _("Dimensión"), _("Pregunta"), _("Nivel"), _("Descripción del nivel"), _("No aplica")]
    if doc.results.has_perception_gap:
        head.append(_("Autoevaluación"))
    head += [_("Comentarios"), _("Evidencias")]
    sheet = Sheet(book, _("Respuestas"), head, f)
    for p in doc.pillars:
        for d in p.dimensions:
            for q in d.questions:
                row: list[Cell] = [p.name, d.name, q.text, q.level, q.descriptor, _("Sí") if q.not_applicable else ""]
                kinds = ["text", "text", "text", "int", "text", "text"]
                if doc.results.has_perception_gap:
                    row.append(q.self_level)
                    kinds.append("int")
                row += ["\n".join(f"{c.author}: {c.text}" for c in q.comments), "; ".join(q.evidence)]
                sheet.add(row, [*kinds, "text", "text"])
    sheet.close()


def _plan_sheet(book: Workbook, f: dict[str, Any], doc: ReportDocument) -> None:
    if doc.plan is None:
        return
    head = [
        _("Prioridad"),
        _("Iniciativa"),
        _("Dimensión"),
        _("Responsable"),
        _("Inicio"),
        _("Fecha límite"),
        _("Estado"),
        _("Avance"),
    ]
    sheet = Sheet(book, _("Plan de mejora"), head, f)
    for i in doc.plan.rows:
        sheet.add(
            [i.priority, i.title, i.dimension, i.owner, i.start_on, i.due_on, i.status_label, i.progress / 100],
            ["int", "text", "text", "text", "date", "date", "text", "pct"],
        )
    sheet.close()


async def assessment_workbook(
    db: AsyncSession, tenant_id: UUID, assessment_id: UUID, *, include_comments: bool = True
) -> bytes:
    doc = await load_report(db, tenant_id, assessment_id, include_comments=include_comments)
    return workbook_bytes(doc)


# --- the firm's portfolio -------------------------------------------------------------------------


async def _dimension_names(db: AsyncSession, version_ids: set[UUID]) -> tuple[list[str], dict[str, str]]:
    """Dimension keys in framework order across the versions used, and their names."""
    keys: list[str] = []
    names: dict[str, str] = {}
    for version_id in sorted(version_ids, key=str):
        tree: FrameworkStructure = await structure(db, version_id)
        for d in tree.dimensions:
            if d.key not in names:
                keys.append(d.key)
                names[d.key] = tree.label(d.name)
    return keys, names


async def portfolio_workbook(db: AsyncSession, tenant_id: UUID) -> bytes:
    """Every company with its latest published scores per dimension and its plans' progress."""
    con = await driver(db)
    companies = await queries.portfolio_companies(con, tenant_id)
    assessment_ids = [c["assessment_id"] for c in companies if c["assessment_id"]]
    scores: dict[UUID, dict[str, Decimal]] = {}
    for score in await queries.portfolio_scores(con, tenant_id, assessment_ids):
        scores.setdefault(score["company_id"], {})[score["dimension_key"]] = score["score"]
    plans = {row["company_id"]: row for row in await queries.portfolio_plans(con, tenant_id)}
    keys, names = await _dimension_names(
        db, {c["framework_version_id"] for c in companies if c["framework_version_id"]}
    )
    out = io.BytesIO()
    book, f = _book(out, constant_memory=True)
    head = [_("Empresa"), _("RUC"), _("País"), _("Sección CIIU"), _("Tamaño"), _("Trabajadores"), _("Archivada")]
    head += [_("Última evaluación publicada"), _("Publicada"), _("Madurez general")]
    head += [names[k] for k in keys]
    head += [_("Iniciativas"), _("Terminadas"), _("Bloqueadas"), _("Vencidas"), _("Avance del plan")]
    kinds = ["text", "text", "text", "text", "text", "int", "text", "text", "date", "score"]
    kinds += ["score"] * len(keys) + ["int", "int", "int", "int", "pct"]
    sheet = Sheet(book, _("Cartera"), head, f)
    yes = _("Sí")
    bands: dict[str, str] = {}
    for c in companies:
        plan = plans.get(c["id"])
        mine = scores.get(c["id"], {})
        band = c["size_band"] or ""
        if band not in bands:
            bands[band] = size_band_label(band)
        row: list[Cell] = [
            c["name"],
            c["ruc"],
            c["country"],
            c["industry_section"],
            bands[band],
            c["employees"],
            yes if c["archived_at"] else "",
            c["title"],
            c["published_at"],
            c["overall"],
            *(mine.get(k) for k in keys),
            plan["initiatives"] if plan else None,
            plan["done"] if plan else None,
            plan["blocked"] if plan else None,
            plan["overdue"] if plan else None,
            float(plan["progress"]) / 100 if plan and plan["progress"] is not None else None,
        ]
        sheet.add(row, kinds)
    sheet.close()
    book.close()
    return out.getvalue()
