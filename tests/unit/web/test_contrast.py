"""Badges that carry a meaning are readable: every --badge-*-text on its --badge-*-bg reaches the
WCAG AA ratio for small text (4.5:1), in the light and the dark palette of static/css/app.css."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[3] / "static" / "css" / "app.css"
PROPERTY = re.compile(r"--badge-([a-z]+)-(text|bg):\s*(#[0-9a-fA-F]{6})")
AA_SMALL_TEXT = 4.5


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _palettes() -> dict[str, dict[str, dict[str, str]]]:
    """{"light"|"dark": {badge: {"text": #…, "bg": #…}}} from the stylesheet."""
    css = CSS.read_text(encoding="utf-8")
    dark_start = css.index("@media (prefers-color-scheme: dark)")
    palettes: dict[str, dict[str, dict[str, str]]] = {"light": {}, "dark": {}}
    for match in PROPERTY.finditer(css):
        palette = "dark" if match.start() > dark_start else "light"
        palettes[palette].setdefault(match.group(1), {})[match.group(2)] = match.group(3)
    return palettes


def test_the_formula_matches_known_ratios() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#c62828", "#f6dfdf") < AA_SMALL_TEXT  # the blind-spot badge before: red on a 15 % red tint


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_every_badge_reaches_aa_contrast(palette: str) -> None:
    badges = _palettes()[palette]
    assert {"danger", "warning", "draft", "published"} <= set(badges)
    for name, colours in badges.items():
        ratio = contrast(colours["text"], colours["bg"])
        assert ratio >= AA_SMALL_TEXT, f"{palette} {name}: {ratio:.2f}"
