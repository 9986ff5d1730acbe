"""CSV files of the firm's lists (companies, assessments), as filtered on their pages: the shared
safe-CSV rules (``ordena.lib.safe_csv``: BOM, formula-looking cells made text)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ordena.assessments.labels import kind_label, status_label
from ordena.companies import ciiu
from ordena.companies.models import Company
from ordena.companies.services import country_name, size_band_label
from ordena.lib.i18n import _
from ordena.lib.safe_csv import csv_document


def _day(value: Any) -> str:
    return value.date().isoformat() if value is not None else ""


def companies_csv(companies: Sequence[Company]) -> bytes:
    header = [
        _("Nombre"),
        _("RUC"),
        _("País"),
        _("Sección CIIU"),
        _("División CIIU"),
        _("Tamaño"),
        _("Trabajadores"),
        _("Estado"),
        _("Creada"),
    ]
    archived, active = _("Archivada"), _("Activa")
    rows = (
        [
            c.name,
            c.ruc or "",
            country_name(c.country),
            f"{c.industry_section} · {ciiu.section_name(c.industry_section)}" if c.industry_section else "",
            c.industry_division or "",
            size_band_label(c.size_band),
            "" if c.employees is None else c.employees,
            archived if c.archived_at else active,
            _day(c.created_at),
        ]
        for c in companies
    )
    return csv_document(header, rows)


def assessments_csv(rows: Sequence[tuple[Any, str]]) -> bytes:
    """``rows``: (assessment, company name), as the list page reads them."""
    header = [_("Evaluación"), _("Empresa"), _("Tipo"), _("Estado"), _("Creada"), _("Publicada")]
    return csv_document(
        header,
        (
            [a.title, company, kind_label(a.kind), status_label(a.status), _day(a.created_at), _day(a.published_at)]
            for a, company in rows
        ),
    )
