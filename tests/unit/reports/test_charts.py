"""The results charts read only what their protocols name: any object of that shape draws."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ordena.reports.charts import results_charts


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
