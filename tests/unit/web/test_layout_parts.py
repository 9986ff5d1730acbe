"""The layout's language switch and stylesheets, made in Python (ordena.web.layout), write what
the includes they replaced wrote."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from jinja2 import DictLoader, Environment, StrictUndefined

from ordena.lib import i18n
from ordena.web.layout import assets_for, lang_switch
from ordena.web.templating import make_page_environment

# templates/partials/lang_switch.html as it was.
LANG_SWITCH = """<li>
  <form method="post" action="/lang" class="inline lang-switch">
    <input type="hidden" name="_csrf" value="{{ csrf_token }}">
    <input type="hidden" name="next" value="{{ request.url.path }}{{ '?' ~ request.url.query if request.url.query else '' }}">
    {% set current = get_locale() %}
    {% for code in locales %}{% if code != current %}
    <button type="submit" name="lang" value="{{ code }}" class="link" lang="{{ code }}">{{ language_name(code) }}</button>
    {% endif %}{% endfor %}
  </form>
</li>
"""

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


def _reference() -> Environment:
    env = Environment(
        loader=DictLoader({"lang_switch.html": LANG_SWITCH}),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(get_locale=i18n.get_locale, locales=i18n.LOCALES, language_name=i18n.language_name)
    return env


def test_the_language_switch_posts_back_to_the_same_page_as_before() -> None:
    template = _reference().get_template("lang_switch.html")
    for path, query in (("/login", ""), ("/w/acme/companies", "q=a%20b&sort=-name"), ("/x", 'a="<&>"')):
        request = SimpleNamespace(url=SimpleNamespace(path=path, query=query))
        for locale in i18n.LOCALES:
            with i18n.use_locale(locale):
                expected = template.render(request=request, csrf_token='t"<>')
                assert str(lang_switch(request, 't"<>')) == expected


def test_each_brand_gets_the_stylesheets_the_partial_writes() -> None:
    env = make_page_environment(TEMPLATES, "es", auto_reload=False)
    assets = assets_for(env)
    partial = env.get_template("partials/assets.html")
    for slug in (None, "acme", 'a"<b>'):
        assert str(assets(slug)) == partial.render(brand_slug=slug)
        assert assets(slug) is assets(slug)  # kept: the text depends on the brand only
    assert "/brand/acme.css" in assets("acme")
