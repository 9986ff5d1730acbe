"""Two parts of every page's layout (``base.html``, ``contact/layout.html``) made in Python.

Each was an ``{% include %}``: a template looked up and a context built for it on every page,
a tenth of the login page's CPU (profiled). The stylesheets and scripts (``partials/assets.html``,
still the source of that text) depend on the firm's brand only, so each firm's text is rendered
once per language environment. The language switch carries the request's own token and URL;
its buttons depend on the current language only. tests/unit/web/test_layout_parts.py compares
both with what the includes wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from ordena.lib.i18n import LOCALES, get_locale, language_name


def assets_for(env: Environment) -> Callable[[str | None], Markup]:
    """``assets(brand_slug)`` for the pages of ``env``: the text of ``partials/assets.html``.
    Kept per brand unless the templates reload (development), where it renders every time."""

    def render(brand_slug: str | None) -> Markup:
        text = env.get_template("partials/assets.html").render(brand_slug=brand_slug)
        return Markup(text)  # noqa: S704 - an autoescaped template's output

    if env.auto_reload:
        return render
    return lru_cache(maxsize=1024)(render)


def layout_state(state: dict[str, Any]) -> tuple[Any, Any, Any, str, Any]:
    """What the layout reads from the request's state, in one template call instead of five:
    the caller, the firm, the network area, the CSRF token and the flash message."""
    get = state.get
    return get("auth"), get("firm"), get("network"), get("csrf_token", ""), get("flash")


def lang_switch(request: Any, csrf_token: str) -> Markup:
    """The other languages' buttons, posting back to the page the visitor is on."""
    url = request.url
    query = url.query
    back = f"{escape(url.path)}{escape('?' + query) if query else ''}"
    return Markup(  # noqa: S704 - every value is escaped
        '<li>\n  <form method="post" action="/lang" class="inline lang-switch">\n'
        f'    <input type="hidden" name="_csrf" value="{escape(csrf_token)}">\n'
        f'    <input type="hidden" name="next" value="{back}">\n'
        f"{_buttons(get_locale())}  </form>\n</li>"
    )


@cache
def _buttons(current: str) -> str:
    return "".join(
        f'    <button type="submit" name="lang" value="{escape(code)}" class="link" lang="{escape(code)}">'
        f"{escape(language_name(code))}</button>\n"
        for code in LOCALES
        if code != current
    )
