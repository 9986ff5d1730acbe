"""The network's distribution chart: shares per level from a histogram, hidden rows explained,
every text escaped, nothing wider than its viewBox."""

from __future__ import annotations

import re

from ordena.reports.level_chart import level_shares

LEVELS = ["Inicial", "Gestionado", "Definido", "Medido", "Optimizado"]


def test_each_row_is_split_into_the_shares_of_its_histogram() -> None:
    svg = str(
        level_shares(
            ["General", "Ventas"],
            [[1, 1, 2, 4, 2], [0, 5, 5, 0, 0]],
            ["Mediana 4.00 · n 10-19", "Mediana 2.00 · n 10-19"],
            LEVELS,
            title="Distribución",
            hidden_text="Oculto",
        )
    )
    assert svg.count("<rect") == 5 + 2  # zero counts draw nothing
    assert "Medido: 40 %" in svg and "Gestionado: 50 %" in svg
    assert "Mediana 4.00 · n 10-19" in svg


def test_a_hidden_row_says_why_inside_its_bar_and_text_is_escaped() -> None:
    svg = str(
        level_shares(
            ["<script>x</script>"],
            [None],
            ["Muy pocas empresas para publicarlo"],
            LEVELS,
            title="T",
            hidden_text="Oculto",
        )
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "Oculto: Muy pocas empresas para publicarlo" in svg
    assert 'stroke-dasharray="4 3"' in svg


def test_long_labels_are_cut_to_fit_beside_the_note() -> None:
    svg = str(
        level_shares(
            ["Seguimiento de solicitudes de clientes en todos los canales del negocio"],
            [[1, 2, 3, 2, 1]],
            ["Mediana 3.00 · n 100+"],
            LEVELS,
            title="T",
            hidden_text="Oculto",
        )
    )
    width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))  # type: ignore[union-attr]
    label = re.search(r'font-weight="bold">([^<]+)<', svg).group(1)  # type: ignore[union-attr]
    assert label.endswith("…") and len(label) * 13 * 0.6 + len("Mediana 3.00 · n 100+") * 11 * 0.6 < width


def test_a_drawing_is_reused_only_for_the_very_same_arguments() -> None:
    from ordena.reports.level_chart import _LEVEL_SHARES, draw_level_shares

    args = (["General", "Ventas"], [[1, 1, 2, 4, 2], None], ["Mediana 4.00 · n 10-19", "k"], LEVELS)
    kw = {"title": "Distribución", "hidden_text": "Oculto"}
    first = level_shares(*args, **kw)
    assert level_shares(*args, **kw) is first  # drawn once
    assert first == draw_level_shares(*args, **kw)  # and the same as a fresh drawing
    assert any(v is first for v in _LEVEL_SHARES.values())
    # Any argument changed is another drawing: a histogram, a note, a name, the title.
    changed = [
        level_shares(args[0], [[1, 1, 2, 4, 3], None], *args[2:], **kw),
        level_shares(*args[:2], ["Mediana 4.10 · n 10-19", "k"], LEVELS, **kw),
        level_shares(*args[:3], ["Initial", *LEVELS[1:]], **kw),
        level_shares(*args, title="Distribution", hidden_text="Oculto"),
        level_shares(["Overall", "Ventas"], *args[1:], **kw),
    ]
    for other in changed:
        assert other != first
