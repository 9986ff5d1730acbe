"""The stacked bar of how a cohort's companies spread over the maturity levels (the network
admin's dashboard), drawn with the shared chart pieces of :mod:`ordena.reports.charts`."""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Sequence

from markupsafe import Markup, escape

from ordena.reports.charts import GLYPH, GRID, MUTED, Series, _f, _fit, _flow_legend, _remembered, _svg, text_width

LEVEL_COLORS = ("#c92a2a", "#e8590c", "#f2c94c", "#4dabf7", "#1864ab")
LEVEL_INK = ("#ffffff", "#1f2933", "#1f2933", "#1f2933", "#ffffff")


# The drawing is a pure function of its arguments (every text comes in already translated), and a
# release's histograms never change: the network admin's dashboard draws each slice once. Keyed by
# every argument, so a new release, slice, name or locale is a different key: nothing to
# invalidate. Bounded like the results page's charts (the oldest drawings go first).
_LEVEL_SHARES: OrderedDict[tuple[object, ...], Markup] = OrderedDict()


def level_shares(
    labels: Sequence[str],
    histograms: Sequence[Sequence[int] | None],
    notes: Sequence[str],
    level_names: Sequence[str],
    *,
    title: str,
    hidden_text: str,
) -> Markup:
    """:func:`draw_level_shares`, drawn once per set of arguments."""
    key = (
        tuple(labels),
        tuple(None if h is None else tuple(h) for h in histograms),
        tuple(notes),
        tuple(level_names),
        title,
        hidden_text,
    )
    return _remembered(
        _LEVEL_SHARES,
        key,
        lambda: draw_level_shares(labels, histograms, notes, level_names, title=title, hidden_text=hidden_text),
    )


def draw_level_shares(
    labels: Sequence[str],
    histograms: Sequence[Sequence[int] | None],
    notes: Sequence[str],
    level_names: Sequence[str],
    *,
    title: str,
    hidden_text: str,
) -> Markup:
    """A network's maturity distribution: per row (overall, pillar or dimension) one bar split
    into the shares of companies at levels 1–5 (from the release's noisy histogram); ``notes``
    under each label (e.g. the median and the n band); a row without a histogram is hidden and
    says so. Labels sit above their bars, so the chart stays legible on a phone."""
    width, left, right, row = 400, 4, 4, 46
    legend = [Series(f"{i + 1} {name}", [], LEVEL_COLORS[i]) for i, name in enumerate(level_names)]
    body, y = _flow_legend(legend, width, 14)
    bar_w = width - left - right
    for label, hist, note in zip(labels, histograms, notes, strict=False):
        total = sum(max(0, v) for v in hist) if hist else 0
        shown_note = note if total > 0 else ""  # a hidden row says why inside its bar
        note_w = text_width(shown_note, 11) if shown_note else 0
        text = _fit(label, int((bar_w - note_w - 10) / (13 * GLYPH)), 1)[0]
        body.append(f'<text x="{left}" y="{_f(y + 12)}" font-size="13" font-weight="bold">{escape(text)}</text>')
        if shown_note:
            body.append(
                f'<text x="{width - right}" y="{_f(y + 12)}" text-anchor="end" font-size="11" fill="{MUTED}">{escape(shown_note)}</text>'
            )
        top = y + 18
        if not hist or total <= 0:
            why = _fit(f"{hidden_text}: {note}" if note else hidden_text, int((bar_w - 12) / (11 * GLYPH)), 1)[0]
            body.append(
                f'<rect x="{left}" y="{_f(top)}" width="{bar_w}" height="16" fill="none" stroke="{GRID}" stroke-dasharray="4 3"/>'
            )
            body.append(f'<text x="{left + 6}" y="{_f(top + 12)}" font-size="11" fill="{MUTED}">{escape(why)}</text>')
            y += row
            continue
        x = float(left)
        for level, count in enumerate(hist[:5]):
            share = max(0, count) / total
            w = bar_w * share
            if w <= 0:
                continue
            pct = f"{share * 100:.0f} %"
            body.append(
                f'<rect x="{_f(x)}" y="{_f(top)}" width="{_f(w)}" height="16" fill="{LEVEL_COLORS[level]}">'
                f"<title>{escape(label)} · {escape(level_names[level])}: {escape(pct)}</title></rect>"
            )
            if w >= text_width(pct, 10) + 6:
                body.append(
                    f'<text x="{_f(x + w / 2)}" y="{_f(top + 12)}" text-anchor="middle" font-size="10" '
                    f'fill="{LEVEL_INK[level]}">{escape(pct)}</text>'
                )
            x += w
        y += row
    return _svg(width, math.ceil(y + 4), title, body, "chart-shares")
