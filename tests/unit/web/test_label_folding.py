"""Pages render with one template environment per locale whose literal labels were translated
when the template was compiled (``ordena.lib.templates.LocalizedEnvironment``): the page comes
out exactly as with gettext at run time, without a call per label."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordena.lib import i18n
from ordena.lib.templates import make_environment
from ordena.settings import BASE_DIR
from ordena.web.templating import LocalizedTemplateEngine, make_page_environment

SOURCE = (
    '<a>{{ _("Iniciar sesión") }}</a>'
    '<b>{{ _("Hola, {name}").format(name=who) }}</b>'
    '<i>{{ _("%(n)s empresas", n=count) }}</i>'
    '<u>{{ gettext("Cerrar sesión") }}</u>'
)


def _render_both(tmp_path: Path, locale: str, **context: object) -> tuple[str, str]:
    (tmp_path / "page.html").write_text(SOURCE, encoding="utf-8")
    with i18n.use_locale(locale):
        folded = make_environment(tmp_path, locale=locale).get_template("page.html").render(**context)
        at_run_time = make_environment(tmp_path).get_template("page.html").render(**context)
    return folded, at_run_time


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_a_folded_page_reads_exactly_as_one_translated_while_rendering(tmp_path: Path, locale: str) -> None:
    folded, at_run_time = _render_both(tmp_path, locale, who="<Ana>", count=3)
    assert folded == at_run_time
    assert ("Log in" in folded) == (locale == "en")
    assert "&lt;Ana&gt;" in folded  # arguments are still escaped: the label is Markup, as at run time


def test_the_compiled_template_holds_the_translation_not_a_gettext_call(tmp_path: Path) -> None:
    env = make_environment(tmp_path, locale="en")
    code = env.compile('{{ _("Iniciar sesión") }}', raw=True)
    assert "Log in" in code
    assert "'_'" not in code  # no lookup of the gettext callable left
    # A label with arguments to format stays a call (its text depends on the values).
    assert "'_'" in env.compile('{{ _("%(n)s empresas", n=3) }}', raw=True)


def test_a_label_with_a_literal_percent_reads_as_the_runtime_call_gives_it(tmp_path: Path) -> None:
    env = make_environment(tmp_path, locale="es")
    assert env.from_string('{{ _("al 80 %%") }}').render() == "al 80 %"


def test_the_page_engine_renders_with_the_active_locale() -> None:
    engine = LocalizedTemplateEngine(
        {locale: make_page_environment(BASE_DIR / "templates", locale) for locale in i18n.LOCALES}
    )
    for locale, expected in (("es", "Iniciar sesión"), ("en", "Log in")):
        with i18n.use_locale(locale):
            template = engine.get_template("partials/pagination.html")
            assert template.environment is engine.environments[locale]
            assert engine.environments[locale].from_string('{{ _("Iniciar sesión") }}').render() == expected


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_every_page_template_compiles_in_every_language(locale: str) -> None:
    # The server compiles a template on its first use, not at start-up: a template that does
    # not compile must fail here rather than on a user's first visit.
    env = make_page_environment(BASE_DIR / "templates", locale)
    names = env.list_templates()
    assert "base.html" in names
    for name in names:
        env.get_template(name)
