"""What a cohort's five-band histogram says: mean, percentiles and a score's percentile rank.

A published cohort keeps only its (noisy) counts over the five maturity bands of DESIGN §3:
[1, 1.8), [1.8, 2.6), [2.6, 3.4), [3.4, 4.2), [4.2, 5]. Every figure derives from those five
numbers, so mean, percentiles and a client's rank always agree with each other and nothing
else about the companies is kept.

**Definition** (the one the correctness tests check against ``percentile_cont``): the histogram
stands for a *pseudo-population* where the ``c`` counts of a band sit evenly inside it, at
``lo + (i − ½)·0.8/c`` for ``i = 1..c``. Then

* mean = the pseudo-population's mean = Σ count × band midpoint / N;
* percentile q = PostgreSQL's ``percentile_cont(q)`` over the pseudo-population (linear
  interpolation between order statistics at position q·(N − 1));
* percentile rank of a score x = the inverse of that interpolation (rank(p_q) = q exactly),
  0 below the lowest pseudo-point, 100 above the highest.

Against the raw scores of the same companies (noise off), the k-th order statistic of the
pseudo-population lies in the same band as the k-th raw score, so every percentile differs from
``percentile_cont`` of the raw scores by less than one band width (0.8), and the mean by at most
half of it (0.4); the exact band counts are equal. The utility report measures the real error.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

BAND_EDGES = (1.0, 1.8, 2.6, 3.4, 4.2, 5.0)
BAND_WIDTH = 0.8
QUANTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
N_BAND_EDGES = ((100, "100+"), (50, "50-99"), (20, "20-49"), (10, "10-19"))


def band_of(score: float) -> int:
    """0..4: the maturity band of a score (DESIGN §3)."""
    for i, edge in enumerate(BAND_EDGES[1:5]):
        if score < edge:
            return i
    return 4


def n_band(n: int) -> str:
    """The published size of a cohort, as a band. The lowest band, "5-9", also holds a noisy
    total under 5 (only a network with k below 5 publishes such cohorts)."""
    for edge, label in N_BAND_EDGES:
        if n >= edge:
            return label
    return "5-9"


def _point(counts: Sequence[int], index: int) -> float:
    """The ``index``-th (0-based) value of the pseudo-population."""
    before = 0
    for band, c in enumerate(counts):
        if index < before + c:
            i = index - before + 1
            return BAND_EDGES[band] + (i - 0.5) * BAND_WIDTH / c
        before += c
    raise IndexError(index)


def percentile(counts: Sequence[int], q: float) -> float:
    total = sum(counts)
    if total <= 0:
        raise ValueError("an empty histogram has no percentiles")
    pos = q * (total - 1)
    lo = int(pos)
    frac = pos - lo
    low = _point(counts, lo)
    if frac == 0 or lo + 1 >= total:
        return low
    return low + frac * (_point(counts, lo + 1) - low)


def mean(counts: Sequence[int]) -> float:
    total = sum(counts)
    if total <= 0:
        raise ValueError("an empty histogram has no mean")
    return sum(c * (BAND_EDGES[b] + BAND_WIDTH / 2) for b, c in enumerate(counts)) / total


def percentile_rank(counts: Sequence[int], score: float) -> float:
    """0–100: where ``score`` falls in the pseudo-population (the inverse of :func:`percentile`)."""
    total = sum(counts)
    if total <= 0:
        raise ValueError("an empty histogram ranks nothing")
    if total == 1:
        return 100.0 if score >= _point(counts, 0) else 0.0
    first, last = _point(counts, 0), _point(counts, total - 1)
    if score <= first:
        return 0.0
    if score >= last:
        return 100.0
    # How many pseudo-points lie at or below the score (O(5)); the last of them is point j.
    at_or_below = 0
    for band, c in enumerate(counts):
        inside = math.floor((score - BAND_EDGES[band]) * c / BAND_WIDTH + 0.5)
        at_or_below += max(0, min(c, inside))
    j = at_or_below - 1
    j = max(0, min(j, total - 2))
    low, high = _point(counts, j), _point(counts, j + 1)
    frac = 0.0 if high == low else (score - low) / (high - low)
    return 100.0 * (j + max(0.0, min(1.0, frac))) / (total - 1)


def _dec(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("0.001"), rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Summary:
    mean: Decimal
    p10: Decimal
    p25: Decimal
    p50: Decimal
    p75: Decimal
    p90: Decimal


def summarize(counts: Sequence[int]) -> Summary | None:
    """The stored figures of a histogram (three decimals); None when it holds nobody."""
    if sum(counts) <= 0:
        return None
    p = [_dec(percentile(counts, q)) for q in QUANTILES]
    return Summary(_dec(mean(counts)), *p)
