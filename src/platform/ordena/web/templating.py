"""The pages' Jinja2 environment: the shared one plus request-bound globals and htmx fragments."""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, Template, pass_context
from jinja2 import TemplateNotFound as JinjaTemplateNotFound
from litestar.exceptions import TemplateNotFoundException
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.base import TemplateCallableType
from litestar.template.config import TemplateConfig
from typing_extensions import ParamSpec

from ordena.lib import i18n
from ordena.lib.templates import make_environment
from ordena.web.form_macros import Forms
from ordena.web.layout import assets_for, lang_switch, layout_state
from ordena.web.nav import TEMPLATE_GLOBALS

# The request's scope state, for template globals that macros imported without context call
# (``macros/forms.html``: an import with context re-runs the macro file on every page).
_request_state: ContextVar[dict[str, Any]] = ContextVar("ordena_request_state")


def bind_request_state(state: dict[str, Any]) -> None:
    _request_state.set(state)


def _csrf_value() -> str:
    """The request's CSRF token (read at render time: a handler may have started a new session)."""
    token: str = _request_state.get({}).get("csrf_token", "")
    return token


def make_page_environment(templates_dir: Path, locale: str | None = None, *, auto_reload: bool = True) -> Environment:
    env = make_environment(templates_dir, locale=locale)
    # Jinja checks each template file's time on every use (page, include, import) unless told
    # the files do not change: they change only while a developer edits them.
    env.auto_reload = auto_reload
    env.globals.update(csrf_value=_csrf_value, lang_switch=lang_switch, layout_state=layout_state, **TEMPLATE_GLOBALS)
    env.globals["assets"] = assets_for(env)
    # The form helpers every page uses (``ordena.web.form_macros``) and the macros still in
    # ``macros/forms.html``, as the module an ``{% import %}`` without context gives, made once,
    # last (a module sees the globals of its making): an import in the layout was looked up
    # again on every render (profiled). An edit to the macros needs a restart.
    env.globals["forms"] = Forms(env.get_template("macros/forms.html").module, _csrf_value)
    return env


P = ParamSpec("P")
T = TypeVar("T")


class LocalizedTemplateEngine(JinjaTemplateEngine):
    """One environment per locale, whose templates carry their labels already translated
    (``ordena.lib.templates.LocalizedEnvironment``); a page renders with the request's one."""

    def __init__(self, environments: Mapping[str, Environment]) -> None:
        self.environments = dict(environments)
        super().__init__(engine_instance=self.environments[i18n.DEFAULT_LOCALE])

    def get_template(self, template_name: str) -> Template:
        env = self.environments.get(i18n.get_locale(), self.engine)
        try:
            return env.get_template(name=template_name)
        except JinjaTemplateNotFound as exc:
            raise TemplateNotFoundException(template_name=template_name) from exc

    def register_template_callable(
        self, key: str, template_callable: TemplateCallableType[Mapping[str, Any], P, T]
    ) -> None:
        for env in self.environments.values():
            env.globals[key] = pass_context(template_callable)


def template_config(templates_dir: Path, *, auto_reload: bool = True) -> TemplateConfig[JinjaTemplateEngine]:
    environments = {
        locale: make_page_environment(templates_dir, locale, auto_reload=auto_reload) for locale in i18n.LOCALES
    }
    return TemplateConfig(engine=LocalizedTemplateEngine(environments))
