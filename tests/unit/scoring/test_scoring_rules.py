"""DESIGN §3 scoring rules, checked as properties over generated answers."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from ordena.assessments import scoring
from ordena.assessments.scoring import (
    combine,
    index_of,
    level_of,
    plan_gap,
    score_dimension,
    score_sheet,
    weighted_mean,
)

levels = st.integers(min_value=1, max_value=5)
answer = st.one_of(st.none(), levels)  # None = "no aplica"
weights = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100"), places=3)


@dataclass(frozen=True)
class Q:
    weight: Decimal
    id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True)
class D:
    key: str
    weight: Decimal
    questions: tuple[Q, ...]


@dataclass(frozen=True)
class P:
    key: str
    weight: Decimal
    dimensions: tuple[D, ...]


def dim(ws: list[Decimal], key: str = "d", weight: Decimal = Decimal(1)) -> D:
    return D(key, weight, tuple(Q(w) for w in ws))


def reference_level(s: Fraction) -> int:
    # The table of DESIGN §3 written out literally.
    if s < Fraction("1.8"):
        return 1
    if s < Fraction("2.6"):
        return 2
    if s < Fraction("3.4"):
        return 3
    if s < Fraction("4.2"):
        return 4
    return 5


def test_band_edges_belong_to_the_upper_level() -> None:
    assert [level_of(x) for x in (1, 1.8, 2.6, 3.4, 4.2, 5)] == [1, 2, 3, 4, 5, 5]
    assert [level_of(Decimal(x)) for x in ("1.79", "2.59", "3.39", "4.19")] == [1, 2, 3, 4]
    tiny = Fraction(1, 10**30)
    assert [level_of(Fraction(e) - tiny) for e in ("1.8", "2.6", "3.4", "4.2")] == [1, 2, 3, 4]


@given(st.fractions(min_value=1, max_value=5))
def test_every_score_falls_in_the_band_the_design_table_gives(s: Fraction) -> None:
    assert level_of(s) == reference_level(s)


@given(st.fractions(min_value=1, max_value=5))
def test_the_shown_score_always_has_the_same_level_as_the_exact_one(s: Fraction) -> None:
    shown = scoring.shown(s)
    assert shown is not None and level_of(shown) == level_of(s)
    assert Decimal(0) <= Decimal(s.numerator) / Decimal(s.denominator) - shown < Decimal("0.01")


@given(st.fractions(min_value=1, max_value=5))
def test_index_maps_one_to_zero_and_five_to_a_hundred_linearly(s: Fraction) -> None:
    assert index_of(1) == 0 and index_of(5) == 100
    assert index_of(s) == (s - 1) * 25


@given(st.lists(st.tuples(answer, weights), min_size=1, max_size=12))
def test_a_dimension_score_is_the_weighted_mean_of_answered_levels_ignoring_na(
    pairs: list[tuple[int | None, Decimal]],
) -> None:
    d = dim([w for _, w in pairs])
    answers = {q.id: [lvl] for q, (lvl, _) in zip(d.questions, pairs, strict=True)}
    result = score_dimension(d, answers)
    counted = [(Fraction(lvl), Fraction(w)) for lvl, w in pairs if lvl is not None]
    if not counted:
        assert result.score.exact is None and result.score.level is None
        return
    expected = sum(lv * w for lv, w in counted) / sum(w for _, w in counted)
    assert result.score.exact == expected
    assert 1 <= result.score.exact <= 5
    assert result.answered == len(pairs)
    assert result.not_applicable == sum(1 for lvl, _ in pairs if lvl is None)


@given(st.lists(st.tuples(levels, weights), min_size=1, max_size=8), st.lists(weights, min_size=1, max_size=5))
def test_marking_more_questions_no_aplica_does_not_move_the_score(
    pairs: list[tuple[int, Decimal]], na_weights: list[Decimal]
) -> None:
    base = dim([w for _, w in pairs])
    with_na = D("d", Decimal(1), base.questions + tuple(Q(w) for w in na_weights))
    answers: dict[uuid.UUID, list[int | None]] = {
        q.id: [lvl] for q, (lvl, _) in zip(base.questions, pairs, strict=True)
    }
    answers.update({q.id: [None] for q in with_na.questions[len(pairs) :]})
    assert score_dimension(with_na, answers).score == score_dimension(base, answers).score
    assert score_dimension(with_na, answers).completeness == 1


@given(st.lists(st.tuples(levels, weights), min_size=1, max_size=8), st.integers(min_value=1, max_value=50))
def test_scaling_every_question_weight_keeps_the_score(pairs: list[tuple[int, Decimal]], factor: int) -> None:
    a = dim([w for _, w in pairs])
    b = D("d", Decimal(1), tuple(Q(q.weight * factor, q.id) for q in a.questions))
    answers = {q.id: [lvl] for q, (lvl, _) in zip(a.questions, pairs, strict=True)}
    assert score_dimension(a, answers).score == score_dimension(b, answers).score


@given(st.lists(levels, min_size=1, max_size=10))
def test_with_equal_weights_the_score_is_the_plain_mean(lvls: list[int]) -> None:
    d = dim([Decimal(1)] * len(lvls))
    result = score_dimension(d, {q.id: [lv] for q, lv in zip(d.questions, lvls, strict=True)})
    assert result.score.exact == Fraction(sum(lvls), len(lvls))


@given(st.integers(min_value=1, max_value=10), st.lists(st.none(), max_size=10))
def test_a_dimension_nobody_answered_or_all_na_has_no_score_not_zero(n: int, nas: list[None]) -> None:
    d = dim([Decimal(1)] * n)
    answers = {q.id: [None] for q in d.questions[: len(nas)]}
    result = score_dimension(d, answers)
    assert result.score.exact is None and result.score.value is None and result.score.index is None
    assert result.completeness == Fraction(min(len(nas), n), n)


@given(st.lists(answer, min_size=1, max_size=6))
def test_several_respondents_count_as_the_mean_of_their_levels_with_the_spread_as_disagreement(
    given_levels: list[int | None],
) -> None:
    combined = combine(given_levels)
    numeric = [v for v in given_levels if v is not None]
    assert combined.answered
    if not numeric:
        assert combined.level is None and combined.spread is None
        return
    assert combined.level == Fraction(sum(numeric), len(numeric))
    assert combined.spread == (max(numeric) - min(numeric) if len(numeric) > 1 else None)
    assert combine(list(reversed(given_levels))) == combined


@given(st.lists(st.lists(levels, min_size=2, max_size=4), min_size=1, max_size=6))
def test_dimension_disagreement_is_the_largest_question_spread(per_question: list[list[int]]) -> None:
    d = dim([Decimal(1)] * len(per_question))
    result = score_dimension(d, {q.id: lv for q, lv in zip(d.questions, per_question, strict=True)})
    assert result.disagreement == max(max(lv) - min(lv) for lv in per_question)
    means = [Fraction(sum(lv), len(lv)) for lv in per_question]
    assert result.score.exact == sum(means) / len(means)


@given(
    st.lists(st.tuples(st.lists(levels, min_size=1, max_size=4), weights), min_size=1, max_size=5),
    st.integers(min_value=0, max_value=4),
    weights,
)
def test_pillar_is_the_weighted_mean_of_its_scored_dimensions_only(
    dims: list[tuple[list[int], Decimal]], empty: int, pw: Decimal
) -> None:
    scored = tuple(D(f"d{i}", w, tuple(Q(Decimal(1)) for _ in lv)) for i, (lv, w) in enumerate(dims))
    unscored = tuple(D(f"e{i}", Decimal(5), (Q(Decimal(1)),)) for i in range(empty))
    answers = {
        q.id: [lvl] for d, (lv, _) in zip(scored, dims, strict=True) for q, lvl in zip(d.questions, lv, strict=True)
    }
    with_empty = score_sheet([P("p", pw, scored + unscored)], answers)
    without = score_sheet([P("p", pw, scored)], answers)
    assert with_empty.pillars["p"].score == without.pillars["p"].score
    expected = weighted_mean((Fraction(sum(lv), len(lv)), w) for lv, w in dims)
    assert with_empty.pillars["p"].score.exact == expected
    assert with_empty.overall.exact == expected  # one pillar: overall is that pillar
    assert with_empty.completeness == Fraction(sum(len(lv) for lv, _ in dims), sum(len(lv) for lv, _ in dims) + empty)


@given(st.lists(st.tuples(levels, weights), min_size=1, max_size=4), levels, weights)
def test_overall_is_the_weighted_mean_of_the_scored_pillars(
    pillar_levels: list[tuple[int, Decimal]], _l: int, _w: Decimal
) -> None:
    pillars = [P(f"p{i}", w, (dim([Decimal(1)], key=f"d{i}"),)) for i, (_, w) in enumerate(pillar_levels)]
    empty_pillar = P("empty", Decimal(10), (dim([Decimal(1)], key="none"),))
    answers = {p.dimensions[0].questions[0].id: [lvl] for p, (lvl, _) in zip(pillars, pillar_levels, strict=True)}
    sheet = score_sheet([*pillars, empty_pillar], answers)
    assert sheet.pillars["empty"].score.exact is None
    assert sheet.overall.exact == weighted_mean((lvl, w) for lvl, w in pillar_levels)


@given(levels, st.fractions(min_value=1, max_value=5))
def test_an_override_replaces_the_dimension_in_the_pillar_but_keeps_the_computed_score(
    lvl: int, override: Fraction
) -> None:
    d = dim([Decimal(1)])
    sheet = score_sheet([P("p", Decimal(1), (d,))], {d.questions[0].id: [lvl]}, overrides={"d": override})
    assert sheet.dimensions["d"].score.exact == lvl
    assert sheet.pillars["p"].score.exact == override


@given(st.fractions(min_value=1, max_value=5), st.fractions(min_value=1, max_value=5))
def test_a_perception_gap_of_one_level_or_more_is_a_blind_spot(self_score: Fraction, consultant: Fraction) -> None:
    gap = scoring.perception_gap(self_score, consultant)
    assert gap == self_score - consultant
    assert scoring.is_blind_spot(gap) == (abs(self_score - consultant) >= 1)
    assert scoring.perception_gap(consultant, self_score) == -gap  # type: ignore[operator]
    assert scoring.perception_gap(None, consultant) is None and not scoring.is_blind_spot(None)


def test_a_gap_of_exactly_one_is_a_blind_spot_and_just_under_is_not() -> None:
    assert scoring.is_blind_spot(scoring.perception_gap(Decimal("3.4"), Decimal("2.4")))
    assert scoring.is_blind_spot(scoring.perception_gap(2.2, 3.2))
    assert not scoring.is_blind_spot(scoring.perception_gap(Decimal("3.39"), Decimal("2.4")))


@given(st.integers(min_value=1, max_value=5), st.fractions(min_value=1, max_value=5), weights)
def test_plan_gap_priority_and_initiative_steps(target: int, s: Fraction, w: Decimal) -> None:
    gap = plan_gap(target, s)
    assert gap == max(Fraction(0), target - s)
    assert scoring.priority(gap, w) == gap * Fraction(w)  # type: ignore[operator]
    steps = scoring.initiative_steps(s, target)
    current = level_of(s)
    assert current is not None
    assert steps == list(range(current, target))
    assert len(steps) == max(0, target - current)
    if s >= target:
        assert gap == 0 and steps == []


def test_a_dimension_without_a_score_gets_no_plan_gap() -> None:
    assert plan_gap(3, None) is None and scoring.priority(None, 2) is None and scoring.initiative_steps(None, 3) == []


@given(st.floats(min_value=1, max_value=5, allow_nan=False))
def test_floats_are_read_by_their_decimal_repr(x: float) -> None:
    assume(x == float(repr(x)))
    assert scoring.exact(x) == Fraction(Decimal(repr(x)))
