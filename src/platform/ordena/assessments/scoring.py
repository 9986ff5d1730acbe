"""Scoring rules (DESIGN §3), as pure functions: no database, no I/O.

Arithmetic is exact (``fractions.Fraction``) so that band edges behave exactly as written:
a dimension whose answers average exactly 1.8 is level 2, whatever the weights or the number
of respondents. Scores are shown truncated (not rounded) to two decimals, so that the shown
score and its level always agree (1.7999… shows as 1.79, level 1; 1.8 shows as 1.80, level 2).

Rules:
- an answer is a level 1–5 or N/A (``None``); a dimension's score is the weighted mean of its
  answered levels (N/A excluded), in [1, 5]; index = (S − 1) / 4 × 100;
- several respondents: per question the mean of their levels; the spread (max − min) is the
  disagreement;
- a dimension with no answered level has no score (``None``, never zero);
- pillar = weighted mean of its dimensions that have a score; overall = weighted mean of the
  pillars that have a score;
- completeness = questions answered (N/A included) / questions;
- perception gap = self score − consultant score; |gap| ≥ 1 is a blind spot;
- plan inputs: gap = max(0, target − S), priority = gap × dimension weight, initiative steps
  from the current level up to the target.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction
from functools import cache
from typing import Any, Protocol
from uuid import UUID

Number = int | float | Decimal | Fraction

# Lower edge of levels 2..5: [1, 1.8) → 1, [1.8, 2.6) → 2, [2.6, 3.4) → 3, [3.4, 4.2) → 4, [4.2, 5] → 5.
BAND_EDGES = (Fraction(9, 5), Fraction(13, 5), Fraction(17, 5), Fraction(21, 5))
# The same edges as Decimals (exactly equal: 1.8, 2.6, 3.4, 4.2): a stored score (numeric) is
# compared without building a Fraction (profiled: a dashboard's badges).
_DECIMAL_EDGES = tuple(Decimal(e.numerator) / Decimal(e.denominator) for e in BAND_EDGES)
BLIND_SPOT = Fraction(1)
DEFAULT_TARGET = 3


@dataclass(frozen=True)
class LevelBand:
    """The shown scores of one level: ``low``–``high`` as truncated to two decimals."""

    level: int
    low: Decimal
    high: Decimal


@cache
def level_bands() -> tuple[LevelBand, ...]:
    """1,00–1,79 → 1, 1,80–2,59 → 2, …, 4,20–5,00 → 5, read from :data:`BAND_EDGES` (once: every
    score badge of a page reads them; profiled on the dashboard)."""
    lows = [Fraction(1), *BAND_EDGES]
    highs = [*BAND_EDGES, None]
    step = Decimal("0.01")
    return tuple(
        LevelBand(i + 1, _cut(low), _cut(high) - step if high is not None else Decimal("5.00"))
        for i, (low, high) in enumerate(zip(lows, highs, strict=True))
    )


def _cut(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


def exact(value: Number) -> Fraction:
    """An exact rational; floats go through their shortest repr (0.1 → 1/10, not 0.1000…0555)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def shown(value: Fraction | None, places: int = 2) -> Decimal | None:
    """``value`` truncated to ``places`` decimals (see the module docstring for why)."""
    if value is None:
        return None
    q = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(q, rounding=ROUND_DOWN)


def _ratio(value: Number) -> tuple[int, int]:
    """``exact(value)`` as (numerator, denominator), without building a Fraction."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    return value.as_integer_ratio()


def weighted_mean(pairs: Iterable[tuple[Number | None, Number]]) -> Fraction | None:
    """Weighted mean of the values that are not ``None``; ``None`` when nothing counts.

    Exact: summed as integer numerators over a common denominator and reduced once at the end
    (benchmarked: Fraction arithmetic, which reduces at every step, was a sixth of generating
    a plan again)."""
    total_n, total_d = 0, 1  # Σ value × weight
    weight_n, weight_d = 0, 1  # Σ weight
    for value, weight in pairs:
        if value is None:
            continue
        vn, vd = _ratio(value)
        wn, wd = _ratio(weight)
        total_n, total_d = total_n * vd * wd + vn * wn * total_d, total_d * vd * wd
        weight_n, weight_d = weight_n * wd + wn * weight_d, weight_d * wd
    if weight_n <= 0:  # the denominators are positive
        return None
    return Fraction(total_n * weight_d, total_d * weight_n)


def level_of(score: Number | None) -> int | None:
    """Maturity level (1–5) of a score in [1, 5]."""
    if score is None:
        return None
    if isinstance(score, Decimal):
        return 1 + sum(1 for edge in _DECIMAL_EDGES if score >= edge)
    s = exact(score)
    return 1 + sum(1 for edge in BAND_EDGES if s >= edge)


def index_of(score: Number | None) -> Fraction | None:
    """The 0–100 index of a score: (S − 1) / 4 × 100."""
    if score is None:
        return None
    return (exact(score) - 1) / 4 * 100


@dataclass(frozen=True)
class QuestionAnswer:
    """One question's answers from every respondent combined."""

    level: Fraction | None  # mean of the respondents' levels; None if nobody gave a level
    answered: bool  # someone answered (a level or N/A)
    spread: int | None  # max − min of the levels, when at least two respondents gave one
    respondents: int  # how many gave a level


def combine(levels: Sequence[int | None]) -> QuestionAnswer:
    """Combine the answers of several respondents to one question (``None`` = N/A)."""
    given = [int(v) for v in levels if v is not None]
    for v in given:
        if not 1 <= v <= 5:
            raise ValueError(f"level out of range: {v}")
    return QuestionAnswer(
        level=Fraction(sum(given), len(given)) if given else None,
        answered=bool(levels),
        spread=(max(given) - min(given)) if len(given) >= 2 else None,
        respondents=len(given),
    )


def completeness(answered: int, questions: int) -> Fraction:
    if questions <= 0:
        return Fraction(0)
    return Fraction(answered, questions)


def perception_gap(self_score: Number | None, consultant_score: Number | None) -> Fraction | None:
    if self_score is None or consultant_score is None:
        return None
    return exact(self_score) - exact(consultant_score)


def is_blind_spot(gap: Number | None) -> bool:
    return gap is not None and abs(exact(gap)) >= BLIND_SPOT


def plan_gap(target: Number, score: Number | None) -> Fraction | None:
    """max(0, target − S); ``None`` when the dimension has no score."""
    if score is None:
        return None
    return max(Fraction(0), exact(target) - exact(score))


def priority(gap: Number | None, weight: Number) -> Fraction | None:
    if gap is None:
        return None
    return exact(gap) * exact(weight)


def initiative_steps(score: Number | None, target: int) -> list[int]:
    """The ``from_level`` of each step between the current level and the target
    (current 2, target 4 → steps 2→3 and 3→4 → [2, 3]); nothing when at or above target."""
    current = level_of(score)
    if current is None:
        return []
    return list(range(current, int(target)))


# --- a whole assessment -------------------------------------------------------------------


class QuestionLike(Protocol):
    @property
    def id(self) -> UUID: ...
    @property
    def weight(self) -> Decimal: ...


class DimensionLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def weight(self) -> Decimal: ...
    @property
    def questions(self) -> Sequence[Any]: ...


class PillarLike(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def weight(self) -> Decimal: ...
    @property
    def dimensions(self) -> Sequence[Any]: ...


@dataclass(frozen=True)
class Score:
    """An exact score with what is shown of it."""

    exact: Fraction | None

    @property
    def value(self) -> Decimal | None:
        return shown(self.exact)

    @property
    def index(self) -> Decimal | None:
        return shown(index_of(self.exact), 1)

    @property
    def level(self) -> int | None:
        return level_of(self.exact)

    @property
    def present(self) -> bool:
        return self.exact is not None

    def as_float(self) -> float | None:
        return None if self.exact is None else float(self.exact)


@dataclass(frozen=True)
class DimensionScore:
    key: str
    score: Score
    questions: int
    answered: int  # answered incl. N/A
    not_applicable: int
    completeness: Fraction
    disagreement: int | None  # the largest spread among its questions
    spreads: Mapping[UUID, int] = field(default_factory=dict)  # question id → spread (≥ 2 respondents)


@dataclass(frozen=True)
class PillarScore:
    key: str
    score: Score


@dataclass(frozen=True)
class Sheet:
    """The scores of one side (consultant or self) of an assessment."""

    dimensions: Mapping[str, DimensionScore]
    pillars: Mapping[str, PillarScore]
    overall: Score
    questions: int
    answered: int
    completeness: Fraction
    respondents: int


def score_dimension(dimension: DimensionLike, answers: Mapping[UUID, Sequence[int | None]]) -> DimensionScore:
    pairs: list[tuple[Fraction | None, Decimal]] = []
    answered = na = 0
    spreads: dict[UUID, int] = {}
    for q in dimension.questions:
        combined = combine(answers.get(q.id, ()))
        if combined.answered:
            answered += 1
            if combined.level is None:
                na += 1
        if combined.spread is not None:
            spreads[q.id] = combined.spread
        pairs.append((combined.level, q.weight))
    n = len(dimension.questions)
    return DimensionScore(
        key=dimension.key,
        score=Score(weighted_mean(pairs)),
        questions=n,
        answered=answered,
        not_applicable=na,
        completeness=completeness(answered, n),
        disagreement=max(spreads.values()) if spreads else None,
        spreads=spreads,
    )


def score_sheet(
    pillars: Sequence[PillarLike],
    answers: Mapping[UUID, Sequence[int | None]],
    *,
    overrides: Mapping[str, Number] | None = None,
    respondents: int = 1,
) -> Sheet:
    """Score one side. ``answers`` maps question id → each respondent's level (None = N/A);
    ``overrides`` maps dimension key → a validated score that replaces the computed one in the
    pillar and overall means (the computed one is kept in the dimension's result)."""
    overrides = overrides or {}
    dims: dict[str, DimensionScore] = {}
    pillar_scores: dict[str, PillarScore] = {}
    pillar_pairs: list[tuple[Fraction | None, Decimal]] = []
    questions = answered = 0
    for p in pillars:
        dim_pairs: list[tuple[Fraction | None, Decimal]] = []
        for d in p.dimensions:
            ds = score_dimension(d, answers)
            dims[d.key] = ds
            questions += ds.questions
            answered += ds.answered
            effective = exact(overrides[d.key]) if d.key in overrides else ds.score.exact
            dim_pairs.append((effective, d.weight))
        ps = PillarScore(p.key, Score(weighted_mean(dim_pairs)))
        pillar_scores[p.key] = ps
        pillar_pairs.append((ps.score.exact, p.weight))
    return Sheet(
        dimensions=dims,
        pillars=pillar_scores,
        overall=Score(weighted_mean(pillar_pairs)),
        questions=questions,
        answered=answered,
        completeness=completeness(answered, questions),
        respondents=respondents,
    )
