"""The Jinja2 environment: autoescaping, gettext, formatting filters, htmx fragments."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from ordena.web import i18n

# The request's scope state, for template globals that macros imported without context call
# (``macros/forms.html``: an import with context re-runs the macro file on every page).
_request_state: ContextVar[dict[str, Any]] = ContextVar("ordena_request_state")


def bind_request_state(state: dict[str, Any]) -> None:
    _request_state.set(state)


def _csrf_value() -> str:
    """The request's CSRF token (read at render time: a handler may have started a new session)."""
    token: str = _request_state.get({}).get("csrf_token", "")
    return token


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
    )
    env.globals.update(
        get_locale=i18n.get_locale, locales=i18n.LOCALES, language_name=i18n.language_name, csrf_value=_csrf_value
    )
    from ordena.web.nav import TEMPLATE_GLOBALS

    env.globals.update(TEMPLATE_GLOBALS)
    return env


def template_config(templates_dir: Path) -> TemplateConfig[JinjaTemplateEngine]:
    env = make_environment(templates_dir)
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(env))
