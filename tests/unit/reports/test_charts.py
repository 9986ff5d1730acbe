"""The results charts read only what their protocols name: any object of that shape draws."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ordena.lib.i18n import use_locale
from ordena.reports.charts import _draw_score_charts, results_charts


@dataclass(frozen=True)
class Dim:
    key: str
    score: Decimal | None
    self_score: Decimal | None = None
    gap: Decimal | None = None
    target: int = 4


@dataclass(frozen=True)
class Pillar:
    key: str


@dataclass(frozen=True)
class Results:
    kind: str
    pillars: list[Pillar]
    dimensions: list[Dim]

    @property
    def has_perception_gap(self) -> bool:
        return self.kind == "both"

    def dimensions_of(self, pillar_key: str) -> list[Dim]:
        return self.dimensions  # one pillar in these tests

    def dimension_name(self, key: str) -> str:
        return key.title()

    def pillar_name(self, key: str) -> str:
        return f"Pilar {key}"


@dataclass(frozen=True)
class Run:
    title: str
    published_at: dt.datetime | None
    overall: Decimal | None
    pillars: dict[str, Decimal | None] = field(default_factory=dict)


def test_a_consultant_run_draws_one_radar_and_no_gap_or_history() -> None:
    results = Results("consultant", [Pillar("front")], [Dim("ventas", Decimal("3.2")), Dim("caja", None)])
    charts = results_charts(results, [])
    assert set(charts.radars) == {"front"} and "Ventas" in charts.radars["front"]
    assert charts.gap is None and charts.history is None


def test_a_both_run_with_earlier_runs_draws_the_gap_bars_and_the_history_lines() -> None:
    dims = [Dim("ventas", Decimal("2.5"), self_score=Decimal("4"), gap=Decimal("1.5"))]
    when = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    runs = [
        Run("Primera", None, Decimal("2"), {"front": Decimal("2")}),
        Run("Segunda", when, Decimal("2.5"), {"front": None}),
    ]
    charts = results_charts(Results("both", [Pillar("front")], dims), runs)
    assert charts.gap is not None and "+1.50" in charts.gap
    assert charts.history is not None and "Primera" in charts.history and "Pilar front" in charts.history


def test_a_run_viewed_again_shows_the_same_charts_and_a_changed_score_or_language_redraws_them() -> None:
    first = Results("both", [Pillar("front")], [Dim("ventas", Decimal("2.5"), Decimal("4"), Decimal("1.5"))])
    again = results_charts(first, []), results_charts(first, [])
    assert again[0] == again[1]
    assert (again[0].radars, again[0].gap) == _draw_score_charts(first)

    changed = Results("both", [Pillar("front")], [Dim("ventas", Decimal("3.5"), Decimal("4"), Decimal("0.5"))])
    redrawn = results_charts(changed, [])
    assert (redrawn.radars, redrawn.gap) == _draw_score_charts(changed)
    assert redrawn.gap != again[0].gap and "+0.50" in str(redrawn.gap)

    with use_locale("en"):
        english = results_charts(first, [])
        assert (english.radars, english.gap) == _draw_score_charts(first)
    assert "Consultant" in english.radars["front"] and "Consultor" in again[0].radars["front"]
