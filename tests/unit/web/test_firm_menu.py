"""The firm's menu, made in Python (ordena.web.nav.firm_menu), reads as the template's loop
wrote it: every entry the role may see, the page's own marked current."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from jinja2 import DictLoader, Environment, StrictUndefined

from ordena.lib import i18n
from ordena.tenancy.models import Role
from ordena.web.nav import firm_menu, firm_nav_items

LOOP = """    <ul class="nav-links">
      {% if firm %}
      {% block firm_nav %}
      {% set path = request.url.path %}
      {% for item in firm_nav_items(firm, request.app.state.settings) %}
      <li><a href="{{ item.href }}"{% if path == item.href or (item.prefix and path.startswith(item.href)) %} aria-current="page"{% endif %}>{{ item.label }}</a></li>
      {% endfor %}
      {% endblock %}
      {% endif %}
      {% block area_nav %}{% endblock %}
    </ul>"""

MENU = """    <ul class="nav-links">
      {% if firm %}
      {{- firm_menu(firm, request.app.state.settings, request.url.path) -}}
      {% endif %}
      {% block area_nav %}{% endblock %}
    </ul>"""


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("billing", [False, True])
def test_the_menu_reads_as_the_loop_wrote_it(role: Role, billing: bool) -> None:
    env = Environment(
        loader=DictLoader({"loop.html": LOOP, "menu.html": MENU}),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(firm_nav_items=firm_nav_items, firm_menu=firm_menu)
    firm = SimpleNamespace(tenant=SimpleNamespace(slug="acme-1"), role=role)
    settings = SimpleNamespace(billing_enabled=billing)
    paths = ["/w/acme-1", "/w/acme-1/companies", "/w/acme-1/companies/123", "/w/acme-1/billing", "/w/other", "/"]
    for locale in i18n.LOCALES:
        with i18n.use_locale(locale):
            for path in paths:
                request = SimpleNamespace(
                    url=SimpleNamespace(path=path), app=SimpleNamespace(state=SimpleNamespace(settings=settings))
                )
                expected = env.get_template("loop.html").render(firm=firm, request=request)
                assert env.get_template("menu.html").render(firm=firm, request=request) == expected
                assert '<li><a href="/w/acme-1' in expected
