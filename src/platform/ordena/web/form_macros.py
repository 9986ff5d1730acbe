"""The form helpers every page calls (``forms.csrf()``, ``forms.field(…)``, ``forms.form_errors(…)``),
written in Python.

They were Jinja macros (``templates/macros/forms.html`` keeps ``select``): each call of a macro
builds a frame and a context of its own, and the login page's four calls were a seventh of its
CPU (profiled). These write the same text, escaped the same way (autoescape: every value through
``markupsafe.escape``); tests/unit/web/test_form_macros.py compares them with the macros' text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape


def csrf(token: Callable[[], str]) -> Callable[[], Markup]:
    """``forms.csrf()``: the hidden CSRF field, with the token read at render time."""

    def csrf() -> Markup:
        return Markup(f'<input type="hidden" name="_csrf" value="{escape(token())}">')  # noqa: S704 - escaped

    return csrf


def field(
    name: str,
    label: Any,
    values: Any,
    errors: Mapping[str, Any] | None,
    type: str = "text",
    required: bool = False,
    autocomplete: str | None = None,
    help: Any = None,
    attrs: str = "",
) -> Markup:
    """A labelled input; its error (or help) below it. ``attrs``: literal attribute text from our
    own templates, never user input (written unescaped)."""
    err = errors.get(name) if errors else None
    n = escape(name)
    out = [f'<label for="f-{n}">{escape(label)}\n  <input id="f-{n}" name="{n}" type="{escape(type)}"']
    if type != "password":
        out.append(f' value="{escape(values.get(name, ""))}"')
    if required:
        out.append(" required")
    if autocomplete:
        out.append(f' autocomplete="{escape(autocomplete)}"')
    if err:
        out.append(f' aria-invalid="true" aria-describedby="e-{n}"')
    elif help:
        out.append(f' aria-describedby="h-{n}"')
    out.append(f" {attrs}>\n")
    if err:
        out.append(f'<small id="e-{n}" class="field-error">{escape(err)}</small>\n')
    elif help:
        out.append(f'<small id="h-{n}">{escape(help)}</small>')
    out.append("</label>")
    return Markup("".join(out))  # noqa: S704 - every value above is escaped; attrs is ours


def form_errors(errors: Mapping[str, Any] | None) -> Markup:
    """The form's own error (not tied to one field), if any."""
    if errors and errors.get("__all__"):
        return Markup(f'<p class="form-error" role="alert">{escape(errors.get("__all__"))}</p>')  # noqa: S704 - escaped
    return Markup("")


class Forms:
    """The ``forms`` template global: these helpers and the macros still in the template."""

    def __init__(self, macros: Any, token: Callable[[], str]) -> None:
        self.csrf = csrf(token)
        self.field = field
        self.form_errors = form_errors
        self.select = macros.select
