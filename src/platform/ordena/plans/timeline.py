"""The plan's timeline: one bar per dated initiative, server-rendered SVG (no script).

Same rules as ``reports/charts.py``: texts escaped, presentation attributes only (the CSP
forbids inline ``style``), generic sans-serif. Overdue and blocked initiatives stand out by more
than colour: an overdue bar is hatched and its label starts with "!", a blocked bar has a thick
dashed outline and its label ends with "(bloqueada)"; a legend explains each mark. Dependencies
(finish-to-start) are arrows from the end of the prerequisite to the start of the dependant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from uuid import UUID

from markupsafe import Markup, escape

from ordena.lib.i18n import _, format_date, format_number, get_locale
from ordena.plans.models import Initiative
from ordena.plans.progress import DimensionProgress
from ordena.reports.charts import FONT, GRID, INK, MUTED

COLORS = {"pending": "#5b6670", "in_progress": "#1769aa", "done": "#2b8a3e", "blocked": "#c92a2a"}
OVERDUE = "#d9480f"
ROW, LEFT, TOP, WIDTH = 30, 230, 40, 900


def _f(v: float) -> str:
    return f"{v:.1f}"


def _a(v: object) -> str:
    return str(escape(str(v)))


def _span(i: Initiative) -> tuple[dt.date, dt.date] | None:
    if i.due_on is None and i.start_on is None:
        return None
    end = i.due_on or i.start_on
    start = i.start_on or end
    assert start is not None and end is not None
    return start, end


def _short(text: str, width: int = 32) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, d = [], first.replace(day=1)
    while d <= last:
        out.append(d)
        d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def _legend(y: float) -> list[str]:
    items = [
        (_("Pendiente"), COLORS["pending"], ""),
        (_("En curso"), COLORS["in_progress"], ""),
        (_("Hecha"), COLORS["done"], ""),
        (_("Bloqueada: borde discontinuo"), COLORS["blocked"], "blocked"),
        (_("Vencida: rayada y con «!»"), OVERDUE, "overdue"),
        (_("Depende de: flecha"), INK, "arrow"),
    ]
    out, x = [], 10.0
    for label, color, mark in items:
        if mark == "arrow":
            out.append(
                f'<line x1="{_f(x)}" y1="{_f(y)}" x2="{_f(x + 20)}" y2="{_f(y)}" stroke="{INK}" '
                f'stroke-width="1.5" marker-end="url(#tl-arrow)"/>'
            )
        else:
            extra = ""
            if mark == "blocked":
                extra = f' stroke="{INK}" stroke-width="2.5" stroke-dasharray="4 2"'
            fill = "url(#tl-hatch)" if mark == "overdue" else color
            out.append(f'<rect x="{_f(x)}" y="{_f(y - 6)}" width="20" height="12" fill="{fill}"{extra}/>')
        out.append(f'<text x="{_f(x + 26)}" y="{_f(y + 4)}">{escape(label)}</text>')
        x += 40 + 7.5 * len(label)
        if x > WIDTH - 160:
            x, y = 10.0, y + 20
    return out


def timeline_svg(
    initiatives: Sequence[Initiative], dependencies: Sequence[tuple[UUID, UUID]], *, on: dt.date, title: str
) -> Markup | None:
    """None when no initiative has a date."""
    dated = [(i, s) for i in initiatives if (s := _span(i)) is not None]
    if not dated:
        return None
    first = min(min(s[0] for _i, s in dated), on)
    last = max(max(s[1] for _i, s in dated), on) + dt.timedelta(days=1)
    days = max((last - first).days, 1)
    scale = (WIDTH - LEFT - 20) / days

    def x_of(d: dt.date) -> float:
        return LEFT + (d - first).days * scale

    height = TOP + ROW * len(dated) + 70
    body = [
        '<defs><pattern id="tl-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="{OVERDUE}"/><line x1="0" y1="0" x2="0" y2="6" stroke="#ffffff" stroke-width="2"/>'
        '</pattern><marker id="tl-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{INK}"/></marker></defs>'
    ]
    for month in _months(first, last):
        x = x_of(max(month, first))
        body.append(f'<line x1="{_f(x)}" y1="{TOP - 8}" x2="{_f(x)}" y2="{TOP + ROW * len(dated)}" stroke="{GRID}"/>')
        body.append(
            f'<text x="{_f(x + 3)}" y="{TOP - 14}" fill="{MUTED}">{escape(format_date(month, "MMM yyyy"))}</text>'
        )
    tx = x_of(on)
    body.append(
        f'<line x1="{_f(tx)}" y1="{TOP - 8}" x2="{_f(tx)}" y2="{TOP + ROW * len(dated)}" stroke="{OVERDUE}" '
        f'stroke-width="1.5" stroke-dasharray="2 2"/>'
        f'<text x="{_f(tx + 3)}" y="{TOP + ROW * len(dated) + 14}" fill="{OVERDUE}">{escape(_("hoy"))}</text>'
    )
    where: dict[UUID, tuple[float, float, float]] = {}
    for row, (i, (start, end)) in enumerate(dated):
        y = TOP + row * ROW
        x0, x1 = x_of(start), max(x_of(end + dt.timedelta(days=1)), x_of(start) + 4)
        where[i.id] = (x0, x1, y + ROW / 2 - 2)
        overdue = i.status != "done" and end < on
        label = _short(i.title)
        if overdue:
            label = "! " + label
        if i.status == "blocked":
            label = f"{label} ({_('bloqueada')})"
        fill = "url(#tl-hatch)" if overdue else COLORS[i.status]
        outline = f' stroke="{INK}" stroke-width="2.5" stroke-dasharray="4 2"' if i.status == "blocked" else ""
        body.append(f'<text x="{LEFT - 8}" y="{_f(y + ROW / 2 + 2)}" text-anchor="end">{escape(label)}</text>')
        status = _("{title}: {start} – {end}").format(
            title=i.title, start=format_date(start, "medium"), end=format_date(end, "medium")
        )
        body.append(
            f'<rect x="{_f(x0)}" y="{_f(y + 6)}" width="{_f(x1 - x0)}" height="{ROW - 14}" rx="3" fill="{fill}"{outline}>'
            f"<title>{escape(status)}</title></rect>"
        )
    for after, before in dependencies:
        if after in where and before in where:
            _x0, bx1, by = where[before]
            ax0, _x1, ay = where[after]
            mid = max(bx1 + 8, (bx1 + ax0) / 2)
            body.append(
                f'<path d="M{_f(bx1)},{_f(by)} H{_f(mid)} V{_f(ay)} H{_f(ax0 - 1)}" fill="none" stroke="{INK}" '
                f'stroke-width="1.5" marker-end="url(#tl-arrow)"/>'
            )
    body.extend(_legend(TOP + ROW * len(dated) + 40))
    t = _a(title)
    return Markup(  # noqa: S704 - every text and attribute above is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" class="chart chart-timeline" '
        f'role="img" aria-label="{t}" {FONT} font-size="12" fill="{INK}"><title>{t}</title>' + "".join(body) + "</svg>"
    )


def undated(initiatives: Sequence[Initiative]) -> list[Initiative]:
    return [i for i in initiatives if _span(i) is None]


def progress_track(d: DimensionProgress) -> Markup:
    """One dimension's move on the 1–5 scale: a hollow dot at the baseline, a filled dot at the new
    score, an arrow between them and a dashed line at the target (shapes, not colour alone).

    Drawn once per set of values it shows (published scores do not change between views): keyed
    by every one of them and the locale, so there is nothing to invalidate."""
    return _track(d.key, d.name, d.baseline, d.score, d.target, get_locale())


@lru_cache(maxsize=4096)
def _track(key: str, name: str, baseline: Decimal | None, score: Decimal | None, target: int, _locale: str) -> Markup:
    width, height, left, right = 240, 34, 10, 10
    span = width - left - right

    def x(score: Decimal | float | None) -> float:
        return left + (float(score or 1) - 1) / 4 * span

    body = [
        f'<line x1="{left}" y1="17" x2="{width - right}" y2="17" stroke="{GRID}" stroke-width="6" stroke-linecap="round"/>'
    ]
    for level in range(1, 6):
        body.append(f'<text x="{_f(x(level))}" y="33" text-anchor="middle" font-size="9" fill="{MUTED}">{level}</text>')
    tx = x(target)
    body.append(
        f'<line x1="{_f(tx)}" y1="4" x2="{_f(tx)}" y2="26" stroke="{INK}" stroke-width="2" stroke-dasharray="3 2"/>'
    )
    if baseline is not None and score is not None and baseline != score:
        color = "#2b8a3e" if score > baseline else "#c92a2a"
        body.append(
            f'<line x1="{_f(x(baseline))}" y1="17" x2="{_f(x(score))}" y2="17" stroke="{color}" stroke-width="3" '
            f'marker-end="url(#pt-{_a(key)})"/>'
            f'<defs><marker id="pt-{_a(key)}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="5" markerHeight="5" '
            f'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker></defs>'
        )
    if baseline is not None:
        body.append(f'<circle cx="{_f(x(baseline))}" cy="17" r="5" fill="#ffffff" stroke="{INK}" stroke-width="2"/>')
    if score is not None:
        body.append(f'<circle cx="{_f(x(score))}" cy="17" r="5" fill="{INK}"/>')
    label = _("{name}: base {base}, nuevo {new}, meta {target}").format(
        name=name,
        base="—" if baseline is None else format_number(baseline, 2),
        new="—" if score is None else format_number(score, 2),
        target=target,
    )
    return Markup(  # noqa: S704 - every text and attribute above is escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="progress-track" role="img" '
        f'aria-label="{_a(label)}" {FONT}><title>{escape(label)}</title>' + "".join(body) + "</svg>"
    )
