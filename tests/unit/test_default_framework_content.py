"""The default maturity framework (front and back office) is well-formed content.

The framework ships as a YAML data file written from the source article. These tests read
it as plain data (PyYAML + stdlib only) and check the promises the rest of the product relies
on: the exact pillars and dimensions of DESIGN.md §2, five anchored levels per question in
Spanish and English, positive weights, and an initiative library that covers every level step
and points only at questions of its own dimension (the closed loop).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

FRAMEWORK_PATH = Path(__file__).resolve().parents[2] / "src/platform/ordena/frameworks/data/default_framework.yaml"

LANGS = ("es", "en")
LEVELS = (1, 2, 3, 4, 5)
LEVEL_STEPS = {1, 2, 3, 4}  # from_level 1 is the step 1→2, …, 4 is 4→5
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")

EXPECTED_PILLARS = {
    "front_office": [
        "ventas",
        "atencion_cliente",
        "relacion_comercial",
        "seguimiento_solicitudes",
        "gestion_cuentas",
    ],
    "back_office": [
        "administracion",
        "soporte_operativo",
        "gestion_documental",
        "control_interno",
        "cumplimiento",
    ],
    "transversal": ["datos_decisiones", "roles_responsabilidades", "escalabilidad"],
}

EXPECTED_LEVEL_NAMES = {
    1: {"es": "Inicial", "en": "Initial"},
    2: {"es": "Gestionado", "en": "Managed"},
    3: {"es": "Definido", "en": "Defined"},
    4: {"es": "Medido", "en": "Measured"},
    5: {"es": "Optimizado", "en": "Optimized"},
}


def _load() -> dict[str, Any]:
    with FRAMEWORK_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


FRAMEWORK = _load()
DIMENSIONS = [(p["key"], d) for p in FRAMEWORK["pillars"] for d in p["dimensions"]]
QUESTIONS = [(d["key"], q) for _, d in DIMENSIONS for q in d["questions"]]
INITIATIVES = [(d["key"], i) for _, d in DIMENSIONS for i in d["initiatives"]]


def _dimension_ids() -> list[str]:
    return [d["key"] for _, d in DIMENSIONS]


def _is_localized(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == set(LANGS)
        and all(isinstance(value[lang], str) and value[lang].strip() for lang in LANGS)
    )


def _localized_fields() -> list[tuple[str, Any]]:
    """Every text field of the framework, labelled with where it lives."""
    fields: list[tuple[str, Any]] = [
        ("framework.name", FRAMEWORK["name"]),
        ("framework.description", FRAMEWORK["description"]),
    ]
    fields += [(f"levels.{n}", FRAMEWORK["levels"][n]) for n in FRAMEWORK["levels"]]
    for pillar in FRAMEWORK["pillars"]:
        for attr in ("name", "description"):
            fields.append((f"{pillar['key']}.{attr}", pillar.get(attr)))
        for dim in pillar["dimensions"]:
            for attr in ("name", "description"):
                fields.append((f"{dim['key']}.{attr}", dim.get(attr)))
            for q in dim["questions"]:
                for attr in ("text", "help"):
                    fields.append((f"{q['key']}.{attr}", q.get(attr)))
                for n, descriptor in (q.get("levels") or {}).items():
                    fields.append((f"{q['key']}.levels.{n}", descriptor))
            for ini in dim["initiatives"]:
                for attr in ("title", "description", "kpi"):
                    fields.append((f"{ini['key']}.{attr}", ini.get(attr)))
    return fields


def test_the_file_exists_and_parses_as_a_single_yaml_mapping() -> None:
    assert FRAMEWORK_PATH.is_file(), FRAMEWORK_PATH
    assert isinstance(FRAMEWORK, dict)


def test_the_framework_declares_its_identity_version_and_the_five_anchored_levels() -> None:
    assert set(FRAMEWORK) == {"key", "version", "name", "description", "levels", "pillars"}
    assert FRAMEWORK["key"] == "ordena-front-back-office"
    assert FRAMEWORK["version"] == 1
    assert FRAMEWORK["name"] == {
        "es": "Ordena — Front y Back Office",
        "en": "Ordena — Front and Back Office",
    }
    assert FRAMEWORK["levels"] == EXPECTED_LEVEL_NAMES


def test_it_has_the_three_pillars_of_the_article_with_their_exact_dimensions_in_order() -> None:
    pillars = FRAMEWORK["pillars"]
    assert [p["key"] for p in pillars] == list(EXPECTED_PILLARS)
    for pillar in pillars:
        assert [d["key"] for d in pillar["dimensions"]] == EXPECTED_PILLARS[pillar["key"]]


def test_pillar_and_dimension_keys_are_unique_snake_case_ascii() -> None:
    keys = [p["key"] for p in FRAMEWORK["pillars"]] + _dimension_ids()
    assert all(SNAKE.match(k) for k in keys), [k for k in keys if not SNAKE.match(k)]
    assert not [k for k, n in Counter(keys).items() if n > 1]


def test_every_text_field_is_written_in_both_spanish_and_english() -> None:
    missing = [where for where, value in _localized_fields() if not _is_localized(value)]
    assert not missing, f"text fields without non-empty es and en: {missing}"


def test_spanish_and_english_question_texts_are_phrased_as_questions() -> None:
    bad = [
        q["key"]
        for _, q in QUESTIONS
        if not (q["text"]["es"].startswith("¿") and q["text"]["es"].endswith("?")) or not q["text"]["en"].endswith("?")
    ]
    assert not bad


@pytest.mark.parametrize("dimension", [d for _, d in DIMENSIONS], ids=_dimension_ids())
def test_each_dimension_asks_four_or_five_questions(dimension: dict[str, Any]) -> None:
    assert 4 <= len(dimension["questions"]) <= 5


def test_question_keys_are_unique_and_prefixed_by_their_dimension() -> None:
    keys = [q["key"] for _, q in QUESTIONS]
    assert not [k for k, n in Counter(keys).items() if n > 1]
    for dim_key, q in QUESTIONS:
        prefix, _, rest = q["key"].partition(".")
        assert prefix == dim_key and SNAKE.match(rest), q["key"]


def test_every_question_has_five_distinct_anchored_levels_in_both_languages() -> None:
    for _, q in QUESTIONS:
        levels = q["levels"]
        assert sorted(levels) == list(LEVELS), q["key"]
        for lang in LANGS:
            texts = [levels[n][lang].strip().casefold() for n in LEVELS]
            assert len(set(texts)) == len(LEVELS), f"{q['key']} repeats a {lang} descriptor"


def test_level_descriptors_are_tailored_rather_than_one_generic_sentence_reused() -> None:
    for lang in LANGS:
        seen: dict[str, str] = {}
        for _, q in QUESTIONS:
            for n in LEVELS:
                text = q["levels"][n][lang].strip().casefold()
                assert text not in seen, f"{q['key']} level {n} ({lang}) copies {seen[text]}"
                seen[text] = f"{q['key']} level {n}"


def test_every_question_says_whether_it_may_be_answered_not_applicable() -> None:
    assert all(isinstance(q["allows_na"], bool) for _, q in QUESTIONS)


def test_weights_on_pillars_dimensions_and_questions_are_positive_numbers() -> None:
    def positive(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0

    nodes = (
        [("pillar " + p["key"], p) for p in FRAMEWORK["pillars"]]
        + [("dimension " + d["key"], d) for _, d in DIMENSIONS]
        + [("question " + q["key"], q) for _, q in QUESTIONS]
    )
    bad = [where for where, node in nodes if not positive(node.get("weight"))]
    assert not bad, bad


@pytest.mark.parametrize("dimension", [d for _, d in DIMENSIONS], ids=_dimension_ids())
def test_each_dimension_offers_initiatives_for_every_level_step_from_one_to_four(
    dimension: dict[str, Any],
) -> None:
    steps = {i["from_level"] for i in dimension["initiatives"]}
    assert steps == LEVEL_STEPS, f"{dimension['key']} covers steps {sorted(steps)}"


def test_initiative_keys_are_unique_and_belong_to_their_dimension() -> None:
    keys = [i["key"] for _, i in INITIATIVES]
    assert not [k for k, n in Counter(keys).items() if n > 1]
    for dim_key, ini in INITIATIVES:
        prefix, _, rest = ini["key"].partition(".")
        assert prefix == dim_key and SNAKE.match(rest), ini["key"]


def test_every_initiative_moves_existing_questions_of_its_own_dimension() -> None:
    own = {d["key"]: {q["key"] for q in d["questions"]} for _, d in DIMENSIONS}
    for dim_key, ini in INITIATIVES:
        targets = ini["questions"]
        assert isinstance(targets, list) and targets, f"{ini['key']} moves no question"
        stray = set(targets) - own[dim_key]
        assert not stray, f"{ini['key']} points outside {dim_key}: {sorted(stray)}"
        assert len(targets) == len(set(targets)), f"{ini['key']} lists a question twice"


def test_every_initiative_promises_a_positive_level_gain_and_a_measurable_kpi() -> None:
    for _, ini in INITIATIVES:
        gain = ini["expected_gain"]
        assert isinstance(gain, (int, float)) and not isinstance(gain, bool), ini["key"]
        assert 0 < gain <= 1, ini["key"]
        assert _is_localized(ini["kpi"]), ini["key"]
