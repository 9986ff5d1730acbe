"""The plan's order of dimensions (DESIGN §3), as a property of the pure ranking."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ordena.assessments.scoring import level_of
from ordena.frameworks.services import InitiativeNode
from ordena.plans.generation import rank, urgency


@dataclass(frozen=True)
class Dim:
    key: str
    score: Decimal | None
    level: int | None
    target: int
    weight: Decimal


def _library(key: str, level: int, target: int) -> tuple[InitiativeNode, ...]:
    return ()


scores = st.one_of(st.none(), st.integers(100, 500).map(lambda n: Decimal(n) / 100))
weights = st.sampled_from([Decimal("0.5"), Decimal("1"), Decimal("1.5"), Decimal("2")])
dims = st.lists(st.tuples(scores, weights, st.integers(1, 5)), min_size=1, max_size=13).map(
    lambda rows: [Dim(f"d{i}", s, level_of(s), t, w) for i, (s, w, t) in enumerate(rows)]
)


@given(dims)
def test_dimensions_below_target_come_by_gap_times_weight_then_lower_score_then_framework_order(
    dimensions: list[Dim],
) -> None:
    proposal = rank(dimensions, _library)
    expected = [d for d in dimensions if d.score is not None and d.score < d.target]
    assert {g.key for g in proposal.gaps} == {d.key for d in expected}
    assert proposal.no_data == [d.key for d in dimensions if d.score is None]
    order = {d.key: n for n, d in enumerate(dimensions)}
    keys = [((-(Decimal(g.target) - g.score) * g.weight), g.score, order[g.key]) for g in proposal.gaps]
    assert keys == sorted(keys)
    for g in proposal.gaps:
        assert g.priority == (Decimal(g.target) - g.score) * g.weight > 0


def test_priority_one_to_four_follows_gap_times_weight() -> None:
    assert [urgency(Decimal(v)) for v in ("3", "1.5", "1.49", "1", "0.5", "0.49", "0.01")] == [1, 1, 2, 2, 3, 4, 4]


def test_steps_run_from_the_current_level_to_the_target() -> None:
    asked: list[tuple[str, int, int]] = []

    def library(key: str, level: int, target: int) -> tuple[InitiativeNode, ...]:
        asked.append((key, level, target))
        return ()

    rank([Dim("a", Decimal("1.79"), 1, 4, Decimal(1)), Dim("b", Decimal("3.40"), 4, 5, Decimal(1))], library)
    assert asked == [("a", 1, 4), ("b", 4, 5)]
