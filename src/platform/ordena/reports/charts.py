"""Server-rendered SVG charts (radar, history lines, perception-gap bars, benchmark boxes).

Plain SVG strings: every text is escaped, colours and sizes are presentation attributes
(``fill``, ``stroke``; the CSP forbids inline ``style``), there is no script, and text uses
the generic ``sans-serif`` family so that a PDF renderer needs no external font.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, TypeVar

from markupsafe import Markup, escape

from ordena.lib.i18n import _, format_date, get_locale

Num = float | int | Decimal
T = TypeVar("T")
_DRAWINGS_KEPT = 256  # per kind of chart: the pages viewed lately

FONT = 'font-family="sans-serif"'
INK = "#1f2933"
GRID = "#c9d1d9"
MUTED = "#5b6670"
PALETTE = ("#1769aa", "#d9480f", "#2b8a3e", "#7048e8", "#c2255c", "#0b7285", "#e67700")
TARGET = "#868e96"
BLIND = "#c92a2a"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Num | None]
    color: str = PALETTE[0]
    dashed: bool = False


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))


def _attr(value: object) -> str:
    return str(escape(str(value)))


def _wrap(text: str, width: int = 18, lines: int = 2) -> list[str]:
    words, out, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            out.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        out.append(cur)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1 :])]
        if len(out[-1]) > width + 2:
            out[-1] = out[-1][: width + 1] + "…"
    return out or [""]


def _svg(width: int, height: int, title: str, body: list[str], css_class: str) -> Markup:
    t = _attr(title)
    # Every text in ``body`` went through ``escape`` and every attribute through ``_attr``.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart {css_class}" '
        f'role="img" aria-label="{t}" {FONT} font-size="12" fill="{INK}"><title>{t}</title>' + "".join(body) + "</svg>"
    )


def _legend(series: Sequence[Series], x: float, y: float, target_label: str | None = None) -> list[str]:
    out = []
    items = [(s.name, s.color, s.dashed) for s in series]
    if target_label:
        items.append((target_label, TARGET, True))
    for i, (name, color, dashed) in enumerate(items):
        yy = y + i * 16
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        out.append(
            f'<line x1="{_f(x)}" y1="{_f(yy)}" x2="{_f(x + 18)}" y2="{_f(yy)}" stroke="{_attr(color)}" stroke-width="3"{dash}/>'
        )
        out.append(f'<text x="{_f(x + 24)}" y="{_f(yy + 4)}">{escape(name)}</text>')
    return out


# The radar's labels, in viewBox units. Its box is cropped to what it draws (spokes, labels,
# legend), so a phone (about 360 px for a box of about 480 units) still shows them at about 12 px;
# side labels wrap at 12 characters over up to three lines to keep that box narrow.
RADAR_LABEL = 16
RADAR_SMALL = 14
_RADAR_CHARS = 12
_GLYPH = 0.56  # average width of a sans-serif glyph, in font sizes (for the box, not the layout)


def _radar_label(label: str, lx: float, ly: float, cx: float, cy: float, r: float) -> tuple[str, list[float]]:
    """One spoke's label and its estimated box [x0, y0, x1, y1]."""
    anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
    lines = _wrap(label, _RADAR_CHARS, 3)
    step = RADAR_LABEL * 1.15
    # Above the centre the block grows upwards, below it downwards, beside it around the spoke.
    if abs(ly - cy) < r * 0.5:
        base = ly - (len(lines) - 1) * step / 2 + RADAR_LABEL * 0.35
    elif ly < cy:  # clear of the ring numbers drawn beside the top spoke
        base = ly - (len(lines) - 1) * step - RADAR_LABEL * 0.4
    else:
        base = ly + RADAR_LABEL * 0.8
    widest = max(len(line) for line in lines) * RADAR_LABEL * _GLYPH
    x0 = {"middle": lx - widest / 2, "start": lx, "end": lx - widest}[anchor]
    tspans = "".join(
        f'<tspan x="{_f(lx)}" y="{_f(base + k * step)}">{escape(line)}</tspan>' for k, line in enumerate(lines)
    )
    box = [x0, base - RADAR_LABEL, x0 + widest, base + (len(lines) - 1) * step + RADAR_LABEL * 0.3]
    return f'<text text-anchor="{anchor}" font-size="{RADAR_LABEL}">{tspans}</text>', box


def radar(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    target: Sequence[Num | None] | None = None,
    target_label: str | None = None,
    maximum: int = 5,
) -> Markup:
    """Scores 0–``maximum`` on one spoke per label; one polygon per series (a missing value
    sits at the centre, without a dot); an optional dashed target polygon."""
    cx, cy, r = 0.0, 0.0, 120.0
    n = max(len(labels), 1)

    def point(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        rr = r * max(0.0, min(float(value), maximum)) / maximum
        return cx + rr * math.cos(angle), cy + rr * math.sin(angle)

    body: list[str] = []
    box = [cx - r, cy - r, cx + r, cy + r]
    for ring in range(1, maximum + 1):
        pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in (point(i, ring) for i in range(n)))
        body.append(f'<polygon points="{pts}" fill="none" stroke="{GRID}" stroke-width="1"/>')
        x, y = point(0, ring)
        body.append(f'<text x="{_f(x + 4)}" y="{_f(y + 4)}" font-size="{RADAR_SMALL - 1}" fill="{MUTED}">{ring}</text>')
    for i, label in enumerate(labels):
        x, y = point(i, maximum)
        body.append(f'<line x1="{_f(cx)}" y1="{_f(cy)}" x2="{_f(x)}" y2="{_f(y)}" stroke="{GRID}" stroke-width="1"/>')
        lx, ly = point(i, maximum * 1.1)
        text, label_box = _radar_label(label, lx, ly, cx, cy, r)
        body.append(text)
        box = [
            min(box[0], label_box[0]),
            min(box[1], label_box[1]),
            max(box[2], label_box[2]),
            max(box[3], label_box[3]),
        ]
    if target is not None:
        pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in (point(i, float(v or 0)) for i, v in enumerate(target)))
        body.append(f'<polygon points="{pts}" fill="none" stroke="{TARGET}" stroke-width="2" stroke-dasharray="6 4"/>')
    for s in series:
        coords = [point(i, float(v) if v is not None else 0.0) for i, v in enumerate(s.values)]
        pts = " ".join(f"{_f(x)},{_f(y)}" for x, y in coords)
        dash = ' stroke-dasharray="5 3"' if s.dashed else ""
        color = _attr(s.color)
        body.append(
            f'<polygon points="{pts}" fill="{color}" fill-opacity="0.15" stroke="{color}" stroke-width="2"{dash}/>'
        )
        for (x, y), v in zip(coords, s.values, strict=False):
            if v is not None:
                body.append(
                    f'<circle cx="{_f(x)}" cy="{_f(y)}" r="3.5" fill="{color}"><title>{escape(s.name)}: {escape(_num(v))}</title></circle>'
                )
    legend_y = box[3] + 20
    names = [s.name for s in series] + ([target_label or ""] if target is not None else [])
    box[2] = max(box[2], box[0] + 24 + max((len(name) for name in names), default=0) * RADAR_SMALL * _GLYPH)
    legend = _legend(series, box[0], legend_y, target_label if target is not None else None)
    entries = len(series) + (1 if target is not None else 0)
    pad = 8
    width, height = box[2] - box[0] + 2 * pad, legend_y + 16 * max(entries - 1, 0) + 8 - box[1] + 2 * pad
    shifted = f'<g transform="translate({_f(pad - box[0])} {_f(pad - box[1])})" font-size="{RADAR_SMALL}">'
    return _svg(math.ceil(width), math.ceil(height), title, [shifted, *body, *legend, "</g>"], "chart-radar")


def _num(v: Num) -> str:
    return f"{float(v):.2f}"


# A conservative average glyph width for the generic sans-serif family, as a share of the font
# size: labels are fitted with it so that no text runs past the chart's viewBox.
GLYPH = 0.6


def text_width(text: str, size: float) -> float:
    return len(text) * size * GLYPH


def _fit(text: str, chars: int, lines: int) -> list[str]:
    """``text`` wrapped to at most ``lines`` lines of at most ``chars`` characters (… when cut)."""
    chars = max(chars, 4)
    out = _wrap(text, chars, lines)
    return [line if len(line) <= chars else line[: chars - 1].rstrip() + "…" for line in out]


def _flow_legend(series: Sequence[Series], width: int, y: float, size: int = 12) -> tuple[list[str], float]:
    """The legend under a chart, items flowing left to right in rows; returns (body, bottom y)."""
    body: list[str] = []
    x, row_h, margin = 8.0, 18, 8
    for s in series:
        name = _fit(s.name, int((width - 2 * margin - 24) / (size * GLYPH)), 1)[0]
        item_w = 24 + text_width(name, size) + 16
        if x > margin and x + item_w > width - margin:
            x, y = float(margin), y + row_h
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        color = _attr(s.color)
        body.append(
            f'<line x1="{_f(x)}" y1="{_f(y)}" x2="{_f(x + 18)}" y2="{_f(y)}" stroke="{color}" stroke-width="3"{dash}/>'
        )
        body.append(f'<text x="{_f(x + 24)}" y="{_f(y + 4)}">{escape(name)}</text>')
        x += item_w
    return body, y + row_h


def lines(
    x_labels: Sequence[str | Sequence[str]],
    series: Sequence[Series],
    *,
    title: str,
    minimum: int = 1,
    maximum: int = 5,
) -> Markup:
    """Scores across re-assessments: one line per series, gaps where a run has no score.

    Each point's label is a text or its lines (e.g. the run's title and date); the first line is
    wrapped to two lines and cut to the room between points, and every label is kept inside the
    chart. The legend flows under the plot."""
    width, top, size, ph = 640, 20, 11, 200
    n = len(x_labels)
    # Labels as wide as the room between points; the margins then make room for half a label at
    # each end, which only narrows the room (and the labels) further.
    chars = int(min(((width - 56) if n <= 1 else (width - 56) / (n - 1)) - 8, 220) / (size * GLYPH))
    half_label = chars * size * GLYPH / 2 + 2
    left, right = max(40.0, half_label), max(16.0, half_label)
    pw = width - left - right
    slot = pw if n <= 1 else pw / (n - 1)
    chars = min(chars, int((slot - 8) / (size * GLYPH)))

    def x_at(i: int) -> float:
        return left + (pw / 2 if n <= 1 else pw * i / (n - 1))

    def y_at(v: float) -> float:
        return top + ph * (1 - (v - minimum) / (maximum - minimum))

    body: list[str] = []
    for level in range(minimum, maximum + 1):
        y = y_at(level)
        body.append(
            f'<line x1="{_f(left)}" y1="{_f(y)}" x2="{_f(left + pw)}" y2="{_f(y)}" stroke="{GRID}" stroke-width="1"/>'
        )
        body.append(
            f'<text x="{_f(left - 8)}" y="{_f(y + 4)}" text-anchor="end" font-size="11" fill="{MUTED}">{level}</text>'
        )
    names: list[str] = []
    label_bottom = top + ph
    for i, label in enumerate(x_labels):
        parts = [label] if isinstance(label, str) else list(label)
        names.append(" · ".join(parts))
        title_lines = _fit(parts[0], chars, 2) if parts else [""]
        text_lines = [*title_lines, *(_fit(p, chars, 1)[0] for p in parts[1:])]
        half = max(text_width(t, size) for t in text_lines) / 2
        cx = min(max(x_at(i), half + 2), width - half - 2)
        y0 = top + ph + 18
        muted = f' fill="{MUTED}"'
        tspans = "".join(
            f'<tspan x="{_f(cx)}" y="{_f(y0 + k * 13)}"{muted if k >= len(title_lines) else ""}>{escape(t)}</tspan>'
            for k, t in enumerate(text_lines)
        )
        body.append(f'<text text-anchor="middle" font-size="{size}">{tspans}</text>')
        label_bottom = max(label_bottom, y0 + (len(text_lines) - 1) * 13 + 4)
    for s in series:
        color = _attr(s.color)
        dash = ' stroke-dasharray="5 3"' if s.dashed else ""
        run: list[str] = []
        segments: list[list[str]] = []
        for i, v in enumerate(s.values):
            if v is None:
                if run:
                    segments.append(run)
                run = []
                continue
            run.append(f"{_f(x_at(i))},{_f(y_at(float(v)))}")
            body.append(
                f'<circle cx="{_f(x_at(i))}" cy="{_f(y_at(float(v)))}" r="3.5" fill="{color}">'
                f"<title>{escape(s.name)} · {escape(names[i])}: {escape(_num(v))}</title></circle>"
            )
        if run:
            segments.append(run)
        for seg in segments:
            if len(seg) > 1:
                body.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
    legend, bottom = _flow_legend(series, width, label_bottom + 24)
    body += legend
    return _svg(width, math.ceil(bottom), title, body, "chart-lines")


def gap_bars(
    labels: Sequence[str], gaps: Sequence[Num | None], *, title: str, threshold: float = 1.0, limit: float = 4.0
) -> Markup:
    """Perception gap (self − consultant) per dimension as bars around zero; bars at or past
    ``threshold`` (blind spots) in red, with the threshold marked."""
    row, left, label_w, width = 24, 10, 190, 620
    height = 30 + row * len(labels) + 24
    plot_x0, plot_w = left + label_w, width - left - label_w - 40
    zero = plot_x0 + plot_w / 2

    def x_at(v: float) -> float:
        return zero + plot_w / 2 * max(-limit, min(limit, v)) / limit

    body: list[str] = []
    for t in (-threshold, threshold):
        body.append(
            f'<line x1="{_f(x_at(t))}" y1="20" x2="{_f(x_at(t))}" y2="{height - 24}" stroke="{BLIND}" stroke-width="1" stroke-dasharray="3 3"/>'
        )
    body.append(f'<line x1="{_f(zero)}" y1="20" x2="{_f(zero)}" y2="{height - 24}" stroke="{INK}" stroke-width="1"/>')
    for tick in range(-int(limit), int(limit) + 1):
        label = f"+{tick}" if tick > 0 else str(tick)
        body.append(
            f'<text x="{_f(x_at(tick))}" y="{height - 8}" text-anchor="middle" font-size="10" fill="{MUTED}">{escape(label)}</text>'
        )
    for i, (label, gap) in enumerate(zip(labels, gaps, strict=False)):
        y = 24 + i * row
        body.append(
            f'<text x="{left + label_w - 8}" y="{y + 14}" text-anchor="end">{escape(_wrap(label, 28, 1)[0])}</text>'
        )
        if gap is None:
            body.append(f'<text x="{_f(zero + 6)}" y="{y + 14}" font-size="11" fill="{MUTED}">—</text>')
            continue
        g = float(gap)
        x0, x1 = sorted((zero, x_at(g)))
        color = BLIND if abs(g) >= threshold else PALETTE[0]
        body.append(
            f'<rect x="{_f(x0)}" y="{y + 3}" width="{_f(max(x1 - x0, 1))}" height="{row - 8}" fill="{color}">'
            f"<title>{escape(label)}: {escape(f'{g:+.2f}')}</title></rect>"
        )
    return _svg(width, height, title, body, "chart-gap")


class BoxRow(Protocol):
    """A cohort's spread and the client's score (``ordena.networks.lookup.Row`` fits it)."""

    @property
    def published(self) -> bool: ...
    @property
    def score(self) -> Num | None: ...
    @property
    def p10(self) -> Num | None: ...
    @property
    def p25(self) -> Num | None: ...
    @property
    def p50(self) -> Num | None: ...
    @property
    def p75(self) -> Num | None: ...
    @property
    def p90(self) -> Num | None: ...


_BOXES: OrderedDict[tuple[object, ...], Markup] = OrderedDict()


def benchmark_boxes(labels: Sequence[str], rows: Sequence[BoxRow], *, title: str, hidden_label: str) -> Markup:
    """Per scope, the cohort's p25–p75 box, p10–p90 whiskers and median on the 1–5 score axis,
    with the client's score as a diamond. A hidden cohort shows ``hidden_label`` instead.

    Drawn once per set of inputs (a release's figures and a published score do not change):
    keyed by every value the drawing reads, so there is nothing to invalidate."""
    key = (
        tuple(labels),
        tuple((r.published, r.score, r.p10, r.p25, r.p50, r.p75, r.p90) for r in rows),
        title,
        hidden_label,
    )
    return _remembered(_BOXES, key, lambda: _draw_benchmark_boxes(labels, rows, title=title, hidden_label=hidden_label))


def _draw_benchmark_boxes(labels: Sequence[str], rows: Sequence[BoxRow], *, title: str, hidden_label: str) -> Markup:
    row, left, label_w, width = 30, 10, 190, 620
    height = 28 + row * len(rows) + 26
    x0, plot_w = left + label_w, width - left - label_w - 20

    def x_at(v: Num) -> float:
        return x0 + plot_w * (max(1.0, min(5.0, float(v))) - 1) / 4

    body: list[str] = []
    for tick in range(1, 6):
        x = _f(x_at(tick))
        body.append(f'<line x1="{x}" y1="20" x2="{x}" y2="{height - 24}" stroke="{GRID}" stroke-width="1"/>')
        body.append(f'<text x="{x}" y="{height - 8}" text-anchor="middle" font-size="10" fill="{MUTED}">{tick}</text>')
    for i, (label, r) in enumerate(zip(labels, rows, strict=False)):
        y = 24 + i * row
        mid = y + row / 2 - 2
        body.append(
            f'<text x="{left + label_w - 8}" y="{_f(mid + 4)}" text-anchor="end">{escape(_wrap(label, 28, 1)[0])}</text>'
        )
        if not r.published or None in (r.p10, r.p25, r.p50, r.p75, r.p90):
            body.append(
                f'<text x="{_f(x0 + 6)}" y="{_f(mid + 4)}" font-size="11" fill="{MUTED}">{escape(hidden_label)}</text>'
            )
        else:
            assert (
                r.p10 is not None
                and r.p25 is not None
                and r.p50 is not None
                and r.p75 is not None
                and r.p90 is not None
            )
            w10, b25, m, b75, w90 = (x_at(v) for v in (r.p10, r.p25, r.p50, r.p75, r.p90))
            body.append(
                f'<line x1="{_f(w10)}" y1="{_f(mid)}" x2="{_f(w90)}" y2="{_f(mid)}" stroke="{MUTED}" stroke-width="1.5"/>'
            )
            for wx in (w10, w90):
                body.append(
                    f'<line x1="{_f(wx)}" y1="{_f(mid - 6)}" x2="{_f(wx)}" y2="{_f(mid + 6)}" stroke="{MUTED}" stroke-width="1.5"/>'
                )
            body.append(
                f'<rect x="{_f(b25)}" y="{_f(mid - 9)}" width="{_f(max(b75 - b25, 1))}" height="18" fill="#d0e3f5" stroke="{PALETTE[0]}" stroke-width="1"/>'
            )
            body.append(
                f'<line x1="{_f(m)}" y1="{_f(mid - 9)}" x2="{_f(m)}" y2="{_f(mid + 9)}" stroke="{PALETTE[0]}" stroke-width="2.5"/>'
            )
        if r.score is not None:
            sx = x_at(r.score)
            body.append(
                f'<path d="M{_f(sx)} {_f(mid - 7)} L{_f(sx + 7)} {_f(mid)} L{_f(sx)} {_f(mid + 7)} L{_f(sx - 7)} {_f(mid)} Z" '
                f'fill="{PALETTE[1]}" stroke="#ffffff" stroke-width="1"><title>{escape(label)}: {escape(f"{float(r.score):.2f}")}</title></path>'
            )
    return _svg(width, height, title, body, "chart-benchmark")


# What the results page's charts read, as protocols: ``AssessmentResults`` and ``HistoryPoint``
# (ordena.assessments.results) fit them, and this module needs no import from that domain.


class PillarScores(Protocol):
    @property
    def key(self) -> str: ...


class DimensionScores(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def score(self) -> Num | None: ...
    @property
    def self_score(self) -> Num | None: ...
    @property
    def gap(self) -> Num | None: ...
    @property
    def target(self) -> Num | None: ...


class ChartedResults(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def has_perception_gap(self) -> bool: ...
    @property
    def pillars(self) -> Sequence[PillarScores]: ...
    @property
    def dimensions(self) -> Sequence[DimensionScores]: ...
    def dimensions_of(self, pillar_key: str) -> Sequence[DimensionScores]: ...
    def dimension_name(self, key: str) -> str: ...
    def pillar_name(self, key: str) -> str: ...


class ChartedRun(Protocol):
    """One earlier published run, a point of the history lines."""

    @property
    def title(self) -> str: ...
    @property
    def published_at(self) -> dt.datetime | None: ...
    @property
    def overall(self) -> Num | None: ...
    @property
    def pillars(self) -> Mapping[str, Num | None]: ...


@dataclass(frozen=True)
class ResultsCharts:
    radars: dict[str, Markup]
    gap: Markup | None
    history: Markup | None


def results_charts(r: ChartedResults, history: Sequence[ChartedRun] | None = None) -> ResultsCharts:
    """The charts of a results page: a radar per pillar (with the self-view and the targets),
    the perception-gap bars (kind both) and history lines when there are earlier runs."""
    radars, gap = _score_charts(r)
    return ResultsCharts(radars=radars, gap=gap, history=_history_lines(r, list(history or [])))


# The radars and gap bars are a pure function of the scores, the names and the locale, and a
# published assessment's scores never change (its stored snapshot): the same page viewed again
# draws them once. Keyed by every input the drawing reads, so a changed score, name or locale
# is a different key — nothing to invalidate. Bounded: the oldest drawings go first.
_SCORE_CHARTS: OrderedDict[tuple[object, ...], tuple[dict[str, Markup], Markup | None]] = OrderedDict()


def _score_charts_key(r: ChartedResults) -> tuple[object, ...]:
    return (
        get_locale(),
        r.kind,
        r.has_perception_gap,
        tuple(
            (
                p.key,
                r.pillar_name(p.key),
                tuple(
                    (d.key, r.dimension_name(d.key), d.score, d.self_score, d.target, d.gap)
                    for d in r.dimensions_of(p.key)
                ),
            )
            for p in r.pillars
        ),
        tuple((d.key, r.dimension_name(d.key), d.gap) for d in r.dimensions),
    )


def _remembered(memo: OrderedDict[tuple[object, ...], T], key: tuple[object, ...], draw: Callable[[], T]) -> T:
    """``draw()``, or what it returned for the same ``key`` lately (the oldest go first)."""
    found = memo.get(key)
    if found is not None:
        memo.move_to_end(key)
        return found
    drawn = memo[key] = draw()
    while len(memo) > _DRAWINGS_KEPT:
        memo.popitem(last=False)
    return drawn


def _score_charts(r: ChartedResults) -> tuple[dict[str, Markup], Markup | None]:
    radars, gap = _remembered(_SCORE_CHARTS, _score_charts_key(r), lambda: _draw_score_charts(r))
    return dict(radars), gap


def _draw_score_charts(r: ChartedResults) -> tuple[dict[str, Markup], Markup | None]:
    radars: dict[str, Markup] = {}
    for p in r.pillars:
        dims = r.dimensions_of(p.key)
        main_name = _("Consultor") if r.kind == "both" else (_("Autoevaluación") if r.kind == "self" else _("Puntaje"))
        series = [Series(main_name, [d.score for d in dims], PALETTE[0])]
        if r.has_perception_gap:
            series.append(Series(_("Autoevaluación"), [d.self_score for d in dims], PALETTE[1], dashed=True))
        radars[p.key] = radar(
            [r.dimension_name(d.key) for d in dims],
            series,
            title=_("Madurez por dimensión: {pillar}").format(pillar=r.pillar_name(p.key)),
            target=[d.target for d in dims],
            target_label=_("Meta"),
        )
    gap = None
    if r.has_perception_gap:
        gap = gap_bars(
            [r.dimension_name(d.key) for d in r.dimensions],
            [d.gap for d in r.dimensions],
            title=_("Brecha de percepción (autoevaluación − consultor)"),
        )
    return radars, gap


def _history_lines(r: ChartedResults, points: list[ChartedRun]) -> Markup | None:
    if len(points) < 2:
        return None
    # Each point says which run it is: its title, then the day it was published.
    labels = [[p.title, format_date(p.published_at, "d MMM y")] if p.published_at else [p.title] for p in points]
    series = [Series(_("General"), [p.overall for p in points], INK)]
    for i, pillar in enumerate(r.pillars):
        series.append(
            Series(
                r.pillar_name(pillar.key),
                [p.pillars.get(pillar.key) for p in points],
                PALETTE[i % len(PALETTE)],
                dashed=True,
            )
        )
    return lines(labels, series, title=_("Evolución entre evaluaciones"))
