"""The pages' Jinja2 environment: the shared one plus request-bound globals and htmx fragments."""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

from jinja2 import Environment
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from ordena.lib.templates import make_environment
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


def make_page_environment(templates_dir: Path) -> Environment:
    env = make_environment(templates_dir)
    env.globals.update(csrf_value=_csrf_value, **TEMPLATE_GLOBALS)
    return env


def template_config(templates_dir: Path) -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(make_page_environment(templates_dir)))
