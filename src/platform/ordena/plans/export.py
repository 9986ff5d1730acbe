"""A plan's initiatives as CSV: UTF-8 with a BOM (Excel opens it with accents intact), and any
cell that a spreadsheet would read as a formula prefixed with ``'`` (CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal

from ordena.frameworks.services import FrameworkStructure
from ordena.lib.i18n import _
from ordena.lib.safe_csv import BOM, safe_text
from ordena.plans.labels import status_label
from ordena.plans.models import Initiative


def _number(value: Decimal | float | None) -> str:
    return "" if value is None else format(Decimal(str(value)).normalize(), "f")


def plan_csv(
    initiatives: Sequence[Initiative],
    tree: FrameworkStructure,
    owners: Mapping[str, str],
    depends: Mapping[str, list[str]],
) -> bytes:
    """``owners`` maps ``user:<id>``/``contact:<id>`` to a name; ``depends`` an initiative id to titles."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            _("Prioridad"),
            _("Iniciativa"),
            _("Dimensión"),
            _("Nivel"),
            _("Estado"),
            _("Avance (%)"),
            _("Responsable"),
            _("Inicio"),
            _("Fecha límite"),
            _("Indicador"),
            _("Línea base"),
            _("Meta"),
            _("Preguntas"),
            _("Depende de"),
            _("Motivo del bloqueo"),
            _("Descripción"),
        ]
    )
    for i in initiatives:
        try:
            dimension = tree.label(tree.dimension(i.dimension_key).name)
        except KeyError:
            dimension = i.dimension_key
        owner = f"user:{i.owner_user_id}" if i.owner_user_id else f"contact:{i.owner_contact_id}"
        writer.writerow(
            safe_text(v)
            for v in (
                i.priority,
                i.title,
                dimension,
                f"{i.from_level} → {i.to_level}" if i.from_level else "",
                status_label(i.status),
                i.progress,
                owners.get(owner, ""),
                i.start_on.isoformat() if i.start_on else "",
                i.due_on.isoformat() if i.due_on else "",
                i.kpi_name,
                _number(i.kpi_baseline),
                _number(i.kpi_goal),
                " ".join(i.question_keys or []),
                "; ".join(depends.get(str(i.id), [])),
                i.blocked_reason,
                i.description,
            )
        )
    return (BOM + out.getvalue()).encode("utf-8")
