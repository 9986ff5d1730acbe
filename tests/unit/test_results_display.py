"""What the results show around a score: the level bands, the history chart's labels, and
messages without doubled full stops."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from markupsafe import Markup

from ordena.assessments.scoring import level_bands, level_of
from ordena.lib.i18n import format_date, sentence, use_locale
from ordena.reports.charts import GLYPH, Series, lines

SVG = "{http://www.w3.org/2000/svg}"


def test_level_bands_are_read_from_the_scoring_edges_and_agree_with_level_of() -> None:
    bands = level_bands()
    assert [(b.level, str(b.low), str(b.high)) for b in bands] == [
        (1, "1.00", "1.79"),
        (2, "1.80", "2.59"),
        (3, "2.60", "3.39"),
        (4, "3.40", "4.19"),
        (5, "4.20", "5.00"),
    ]
    for b in bands:
        assert level_of(b.low) == b.level and level_of(b.high) == b.level
    assert level_of(Decimal("3.45")) == 4  # "3,45 → 4 · Medido" sits inside the shown band


def _text_boxes(svg: str) -> tuple[float, float, list[tuple[str, float, float, float]]]:
    """(viewBox width, height, [(text, left, right, baseline)]) with a conservative glyph width."""
    root = ET.fromstring(svg)  # noqa: S314 - our own chart, not untrusted input
    _x, _y, width, height = (float(v) for v in root.attrib["viewBox"].split())
    boxes = []
    for text in root.iter(f"{SVG}text"):
        size = float(text.attrib.get("font-size", root.attrib.get("font-size", "12")))
        anchor = text.attrib.get("text-anchor", "start")
        parts = list(text.iter(f"{SVG}tspan")) or [text]
        for part in parts:
            content = part.text or ""
            x, y = (
                float(part.attrib.get("x", text.attrib.get("x", 0))),
                float(part.attrib.get("y", text.attrib.get("y", 0))),
            )
            w = len(content) * size * GLYPH
            left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
            boxes.append((content, left, left + w, y))
    return width, height, boxes


def test_history_points_are_labelled_with_title_and_date_and_no_text_leaves_the_chart() -> None:
    runs = [
        ("Diagnóstico inicial de la operación comercial y administrativa", "3 mar 2025"),
        ("Reevaluación", "12 sept 2025"),
        ("Cierre del programa de mejora continua 2026", "20 feb 2026"),
    ]
    series = [
        Series("General", [2.1, 2.8, 3.4]),
        Series("Front office — ventas, atención al cliente y relación comercial", [2.0, None, 3.0], dashed=True),
        Series("Back office", [2.5, 2.9, 3.6], dashed=True),
        Series("Transversal", [1.9, 2.2, 2.4], dashed=True),
    ]
    svg = str(lines([list(r) for r in runs], series, title="Evolución"))
    width, height, boxes = _text_boxes(svg)
    shown = " ".join(t for t, *_ in boxes)
    for title, date in runs:
        assert date in shown
        assert title.split()[0] in shown  # the title's start, wrapped or cut with "…"
    assert "Reevaluación" in shown
    for text, left, right, baseline in boxes:
        assert left >= 0 and right <= width, f"{text!r} runs out sideways: {left:.0f}–{right:.0f} of {width:.0f}"
        assert 0 < baseline <= height, f"{text!r} runs out vertically"
    # The full title stays in the points' tooltips.
    assert runs[0][0] in svg


def test_many_runs_still_fit() -> None:
    runs = [[f"Evaluación número {i} de la empresa", f"{i} ene 2026"] for i in range(1, 9)]
    svg = str(lines(runs, [Series("General", [2 + i / 10 for i in range(8)])], title="Evolución"))
    width, _h, boxes = _text_boxes(svg)
    assert all(left >= 0 and right <= width for _t, left, right, _b in boxes)
    labels = sorted((b for b in boxes if b[0].endswith("ene 2026")), key=lambda b: b[1])
    assert all(a[2] <= b[1] for a, b in itertools.pairwise(labels)), "dates overlap"


def test_sentence_does_not_double_the_full_stop_after_a_value_that_ends_with_one() -> None:
    ruc = "Ya tienes una empresa con este RUC: {name}."
    assert sentence(ruc, name="Comercial Andina S.A.") == "Ya tienes una empresa con este RUC: Comercial Andina S.A."
    assert sentence(ruc, name="Textiles Lima") == "Ya tienes una empresa con este RUC: Textiles Lima."
    archived = "Empresa archivada el {date}. No aparece en la lista."
    assert (
        sentence(archived, date="25 nov 2026, 3:05 p. m.")
        == "Empresa archivada el 25 nov 2026, 3:05 p. m. No aparece en la lista."
    )
    # Templates pass Markup: it stays Markup and the values are escaped.
    out = sentence(Markup("{firm} te invita de {company}."), firm="<b>", company="Lima S.A.")
    assert isinstance(out, Markup) and out == "&lt;b&gt; te invita de Lima S.A."
    assert ".." not in sentence("{a}. {b}.", a="S.A.", b="a. m.")


def test_a_datetime_in_a_sentence_reads_with_one_full_stop_in_spanish() -> None:
    with use_locale("es"):
        when = format_date(dt.datetime(2026, 11, 25, 20, 5, tzinfo=dt.UTC))
        assert when.endswith("."), when  # es-PE writes "p. m."
        text = sentence("Enviaste tus respuestas el {date}. ¡Gracias!", date=when)
    assert not re.search(r"\.\.", text), text
