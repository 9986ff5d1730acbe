"""The Jinja2 environment: autoescaping, gettext, formatting filters, htmx fragments."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from ordena.web import i18n


def make_environment(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(["html", "xml", "svg"], default_for_string=True),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        undefined=StrictUndefined,
        enable_async=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext, i18n.ngettext, newstyle=True, pgettext=i18n.pgettext
    )
    env.filters.update(
        date=i18n.format_date,
        number=i18n.format_number,
        percent=i18n.format_percent,
        money=i18n.format_money,
    )
    env.globals.update(get_locale=i18n.get_locale, locales=i18n.LOCALES, language_name=i18n.language_name)
    from ordena.web.nav import TEMPLATE_GLOBALS

    env.globals.update(TEMPLATE_GLOBALS)
    return env


def template_config(templates_dir: Path) -> TemplateConfig[JinjaTemplateEngine]:
    env = make_environment(templates_dir)
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(env))
