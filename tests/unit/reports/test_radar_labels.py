"""The radar's labels stay legible on a phone: the chart is drawn at the phone's width, so the
label size in the SVG's units times (phone width / viewBox width) is what the reader sees."""

from __future__ import annotations

import re
from decimal import Decimal

from ordena.reports.charts import Series, radar

PHONE_CHART_PX = 358  # a 390 px phone, less the page's side padding
LEGIBLE_PX = 11

DIMENSIONS = [
    "Ventas y gestión comercial",
    "Atención al cliente",
    "Marketing y comunicación",
    "Cotizaciones y precios",
    "Postventa y fidelización",
    "Canales digitales",
]


def _rendered_label_px(svg: str) -> float:
    view_width = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) [\d.]+"', svg).group(1))  # type: ignore[union-attr]
    sizes = [float(size) for size in re.findall(r'<text text-anchor="[a-z]+" font-size="([\d.]+)"', svg)]
    assert len(sizes) == len(DIMENSIONS)
    return min(sizes) * PHONE_CHART_PX / view_width


def test_dimension_labels_are_at_least_11_px_on_a_phone() -> None:
    scores = [Decimal("3.2"), Decimal("2.5"), None, Decimal("4.1"), Decimal("1.8"), Decimal("3")]
    svg = str(
        radar(
            DIMENSIONS,
            [Series("Consultor", scores), Series("Autoevaluación (promedio)", scores, dashed=True)],
            title="Front office",
            target=[4] * 6,
            target_label="Meta",
        )
    )
    assert _rendered_label_px(svg) >= LEGIBLE_PX
    assert "Ventas y" in svg and "Postventa y" in svg  # long names wrap instead of shrinking
