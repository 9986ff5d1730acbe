"""The questionnaire's framework texts in one locale, built once per framework tree.

A page of the questionnaire shows one dimension's questions with their five level options; all
of it but the respondent's own state (which option is checked, the comment, the others' answers,
evidence) comes from the framework version. It is built here once per tree and locale, the
options as finished HTML (profiled: two label look-ups and a dozen escapes per option, on every
request). ``FrameworkStructure.derived_view`` keeps it exactly as long as the tree: a published
version's tree never changes, a draft's is read anew on every request (an edit shows at once).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from markupsafe import Markup, escape

from ordena.frameworks.services import FrameworkStructure, label
from ordena.lib.i18n import _, get_locale

NOT_APPLICABLE = "na"


@dataclass(frozen=True, slots=True)
class QuestionTexts:
    """One question in the locale; ``options``: (value, the option's HTML before the checked
    mark, after it; escaped already), the "No aplica" option last when the question allows it."""

    id: UUID
    html_id: Markup  # the id as the page writes it (ids, names, form values): converted once
    number: int
    text: str
    help: str
    options: tuple[tuple[str, str, str], ...]

    def levels_html(self, current: str) -> Markup:
        """The options with ``current`` ("1"…"5", "na" or "") checked."""
        html = "".join(
            f"{before} checked{after}" if value == current else before + after for value, before, after in self.options
        )
        return Markup(html)  # noqa: S704 - built of escaped parts in _option


@dataclass(frozen=True, slots=True)
class DimensionTexts:
    id: UUID
    key: str
    name: str
    description: str
    questions: tuple[QuestionTexts, ...]


@dataclass(frozen=True, slots=True)
class QuestionnaireTexts:
    """Every dimension of a framework version, in display order, in one locale."""

    dimensions: tuple[DimensionTexts, ...]
    by_key: Mapping[str, DimensionTexts]
    level_names: Mapping[int, str]
    locale: str

    def level_name(self, level: int | None) -> str:
        return self.level_names.get(int(level), "") if level is not None else ""


def _option(qid: UUID, value: str, title: Markup, text: str | None) -> tuple[str, str, str]:
    before = Markup('    <label><input type="radio" form="answers" name="level_{}" value="{}"').format(qid, value)
    after = Markup('>\n      <span><span class="level-name">{}</span>').format(title)
    if text is not None:
        after += Markup(" — {}").format(text)
    return value, str(before), str(after + Markup("</span></label>\n"))


def _build(tree: FrameworkStructure, locale: str) -> QuestionnaireTexts:
    level_names = {level: label(doc, locale) for level, doc in tree.levels.items()}
    not_applicable = escape(_("No aplica"))
    dims = []
    for d in tree.dimensions:
        questions = []
        for number, q in enumerate(d.questions, start=1):
            options = [
                _option(
                    q.id, str(lvl), Markup("{} · {}").format(lvl, level_names.get(int(lvl), "")), label(doc, locale)
                )
                for lvl, doc in q.levels.items()
            ]
            if q.allows_na:
                options.append(_option(q.id, NOT_APPLICABLE, not_applicable, None))
            questions.append(
                QuestionTexts(q.id, escape(q.id), number, label(q.text, locale), label(q.help, locale), tuple(options))
            )
        dims.append(DimensionTexts(d.id, d.key, label(d.name, locale), label(d.description, locale), tuple(questions)))
    return QuestionnaireTexts(tuple(dims), {d.key: d for d in dims}, level_names, locale)


def questionnaire_texts(tree: FrameworkStructure) -> QuestionnaireTexts:
    """The tree's questionnaire texts in the request's locale (built once per tree and locale)."""
    locale = get_locale()
    return tree.derived_view(("questionnaire_texts", locale), lambda t: _build(t, locale))
