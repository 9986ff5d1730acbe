"""The Jinja2 environment shared by pages and emails: autoescaping, gettext, formatting filters.

Pages add their request-bound globals on top (``ordena.web.templating``); emails rendered by a
worker use it as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from ordena.lib import i18n


@pass_context
def _template_gettext(context: Context, message: str, **variables: Any) -> str:
    text = i18n.gettext(message)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue, trusted as Jinja's own gettext does
    # Newstyle gettext always formats, so "%%" reads "%"; with nothing to format, skip it.
    return text % variables if (variables or "%" in text) else text


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
    # ``_`` and ``gettext`` again, with the same result as Jinja's newstyle ones but one call
    # instead of three per string (a list page translates a few hundred; profiled).
    env.globals.update(_=_template_gettext, gettext=_template_gettext)
    env.filters.update(
        date=i18n.format_date,
        number=i18n.format_number,
        percent=i18n.format_percent,
        money=i18n.format_money,
        filesize=i18n.format_bytes,
        duration=i18n.format_duration,
    )
    env.globals.update(
        get_locale=i18n.get_locale, locales=i18n.LOCALES, language_name=i18n.language_name, sentence=i18n.sentence
    )
    return env
