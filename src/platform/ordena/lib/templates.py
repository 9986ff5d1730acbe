"""The Jinja2 environment shared by pages and emails: autoescaping, gettext, formatting filters.

Pages add their request-bound globals on top (``ordena.web.templating``); emails rendered by a
worker use it as it is.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, nodes, pass_context, select_autoescape
from jinja2.runtime import Context, new_context
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from ordena.lib import i18n


@pass_context
def _template_gettext(context: Context, message: str, **variables: Any) -> str:
    text = i18n.gettext(message)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue, trusted as Jinja's own gettext does
    # Newstyle gettext always formats, so "%%" reads "%"; with nothing to format, skip it.
    return text % variables if (variables or "%" in text) else text


class _LabelFolder(NodeTransformer):
    """Replaces ``_("literal")`` (and ``gettext("literal")``) with its translation as a constant."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def visit_Call(self, call: nodes.Call) -> nodes.Node:
        node = self.generic_visit(call)
        if not (
            isinstance(node, nodes.Call)
            and isinstance(node.node, nodes.Name)
            and node.node.name in ("_", "gettext")
            and len(node.args) == 1
            and isinstance(node.args[0], nodes.Const)
            and isinstance(node.args[0].value, str)
            and not node.kwargs
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        with i18n.use_locale(self.locale):
            text = i18n.gettext(node.args[0].value)
        if "%" in text:
            try:
                text = text % {}  # what the runtime call does to "%%" with nothing to format
            except (KeyError, TypeError, ValueError):
                return node  # the runtime call would fail the same way: leave it to fail there
        # Markup when autoescaping, exactly as ``_template_gettext`` returns at run time.
        return nodes.MarkSafeIfAutoescape(nodes.Const(text, lineno=node.lineno), lineno=node.lineno)


class _Template(Template):
    """A template whose render context copies the environment's globals as a dict.

    A template's globals are a ``ChainMap`` of its own (always empty here: nothing loads a
    template with globals of its own) over the environment's; each render copied them into its
    context key by key, through the ChainMap's Python-level look-ups (profiled: a tenth of the
    login page). The same keys and values, copied from the environment's dict directly."""

    def new_context(
        self, vars: dict[str, Any] | None = None, shared: bool = False, locals: Mapping[str, Any] | None = None
    ) -> Context:
        globals_ = self.globals
        if isinstance(globals_, ChainMap) and len(globals_.maps) == 2 and not globals_.maps[0]:
            globals_ = globals_.maps[1]
        return new_context(self.environment, self.name, self.blocks, vars, shared, globals_, locals)


class LocalizedEnvironment(Environment):
    """With a locale, an environment for that locale only: labels written as ``_("literal")``
    are translated when a template is compiled, so rendering a page emits them as constant text
    instead of calling gettext for each one (a page's layout alone has a dozen). Calls with
    arguments to format, ``ngettext`` and ``pgettext`` stay calls at run time. Without a locale,
    a plain environment that translates as it renders (emails and reports switch locales)."""

    template_class = _Template

    def __init__(self, locale: str | None, **options: Any) -> None:
        super().__init__(**options)
        self.locale = locale

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        if self.locale is None:
            return tree
        folded: nodes.Template = _LabelFolder(self.locale).visit(tree)
        folded.set_environment(self)
        return folded


def make_environment(templates_dir: Path, *, locale: str | None = None) -> Environment:
    """The shared environment; with ``locale`` a :class:`LocalizedEnvironment` that must only
    render while that locale is active (pages pick theirs per request)."""
    env = LocalizedEnvironment(
        locale,
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
