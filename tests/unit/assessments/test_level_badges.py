"""The dashboard draws each level badge once per locale and level names: the very markup of the
``badge`` macro in ``partials/levels.html`` (which the results pages draw), for every level."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordena.assessments.dashboard import level_badges
from ordena.assessments.scoring import level_bands
from ordena.lib.i18n import use_locale
from ordena.lib.templates import make_environment

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"
NAMES = ("Inicial", "Gestionado", "Definido", "Medido", "Optimizado")


@pytest.mark.parametrize("locale", ["es", "en"])
@pytest.mark.parametrize("names", [NAMES, ("", "", "", "", ""), ("<b>", "A & B", '"q"', "Ñandú", "5")])
def test_each_badge_is_the_macros_own_markup(locale: str, names: tuple[str, ...]) -> None:
    macro = make_environment(TEMPLATES).get_template("partials/levels.html").module.badge  # type: ignore[attr-defined]
    drawn = level_badges(locale, names)
    with use_locale(locale):
        for level in range(1, 6):
            assert str(drawn[level]) == str(macro(level, level_bands(), lambda n: names[n - 1]))
    assert drawn[0] == ""


def test_a_changed_name_or_locale_is_another_drawing() -> None:
    first = level_badges("es", NAMES)
    assert level_badges("es", NAMES) is first  # drawn once
    assert level_badges("en", NAMES) != first
    assert level_badges("es", ("Initial", *NAMES[1:]))[1] != first[1]
