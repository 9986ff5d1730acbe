"""Sections of the report that appear only with their data: the closed loop and history of a
re-assessment, the perception gap of a two-sided one, and the peer percentile once networks pass
a benchmark in (the hook for issue #12; absent otherwise)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ordena.lib.i18n import use_locale
from ordena.reports.content import BenchmarkRow, BenchmarkSection, load_report
from ordena.reports.pdf import css_string, report_html
from tests.integration.plans.test_progress import _two_assessments
from tests.integration.reports.helpers import report_world
from tests.integration.results.helpers import KNOWN_CONSULTANT, KNOWN_SELVES, make_assessment


async def test_a_reassessment_report_has_the_closed_loop_and_the_history(database: Any, settings: Any) -> None:
    firm, _base, new = await _two_assessments(database)
    async with database.session(tenant_id=firm.id) as db:
        with use_locale("es"):
            doc = await load_report(db, firm.id, new.id)  # type: ignore[attr-defined]
            html = report_html(doc, settings.templates_dir, settings.static_dir)
    assert doc.progress is not None and doc.progress.completed_total == 4
    assert 'id="progress"' in html and "Tasa de logro" in html and "Embudo de ventas" in html
    assert 'id="history"' in html and "Diagnóstico 2024" in html and "chart-lines" in html
    assert 'id="benchmark"' not in html and 'id="perception"' not in html


async def test_the_perception_gap_shows_when_both_sides_answered(database: Any, settings: Any) -> None:
    w = await report_world(database)
    made = await make_assessment(database, w.tenant_id, kind="both", consultant=KNOWN_CONSULTANT, selves=KNOWN_SELVES)
    async with database.session(tenant_id=w.tenant_id) as db:
        with use_locale("en"):
            doc = await load_report(db, w.tenant_id, made.assessment_id)
            html = report_html(doc, settings.templates_dir, settings.static_dir)
    assert 'id="perception"' in html and "Perception gap" in html and "chart-gap" in html
    assert doc.plan is None and 'id="plan"' not in html


async def test_the_peer_percentile_section_renders_only_when_a_benchmark_is_passed_in(
    database: Any, settings: Any
) -> None:
    w = await report_world(database)
    benchmark = BenchmarkSection(
        cohort="Comercio · mediana · Perú",
        n_band="20–49",
        release="2026-11",
        overall_percentile=38,
        rows=[BenchmarkRow("Ventas", Decimal("2.00"), Decimal("2.60"), 31)],
    )
    async with database.session(tenant_id=w.tenant_id) as db:
        with use_locale("es"):
            without = report_html(
                await load_report(db, w.tenant_id, w.assessment_id), settings.templates_dir, settings.static_dir
            )
            doc = await load_report(db, w.tenant_id, w.assessment_id, benchmark=benchmark)
            html = report_html(doc, settings.templates_dir, settings.static_dir)
    assert 'id="benchmark"' not in without and "Comparación con pares" not in without
    assert 'id="benchmark"' in html and "Comercio · mediana · Perú" in html and "20–49" in html


def test_names_in_page_headers_cannot_break_out_of_the_css_string() -> None:
    assert css_string('Firma "X"</style><script>') == '"Firma \\22 X\\22 \\3c /style\\3e \\3c script\\3e "'
    assert css_string("Línea\nnueva") == '"Línea\\a nueva"'
