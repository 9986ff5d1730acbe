"""The form helpers written in Python (ordena.web.form_macros) write exactly what the Jinja
macros they replaced wrote, for every combination a page can ask for."""

from __future__ import annotations

import itertools

from jinja2 import DictLoader, Environment, StrictUndefined
from markupsafe import Markup

from ordena.web import form_macros

# The macros as they were in templates/macros/forms.html, rendered with the pages' options.
MACROS = """{% macro csrf() -%}
<input type="hidden" name="_csrf" value="{{ csrf_value() }}">
{%- endmacro %}

{% macro field(name, label, values, errors, type="text", required=false, autocomplete=None, help=None, attrs="") -%}
{% set err = errors.get(name) if errors else None %}
<label for="f-{{ name }}">{{ label }}
  <input id="f-{{ name }}" name="{{ name }}" type="{{ type }}"
    {%- if type != "password" %} value="{{ values.get(name, '') }}"{% endif %}
    {%- if required %} required{% endif %}
    {%- if autocomplete %} autocomplete="{{ autocomplete }}"{% endif %}
    {#- attrs: literal attribute text from our own templates, never user input #}
    {%- if err %} aria-invalid="true" aria-describedby="e-{{ name }}"{% elif help %} aria-describedby="h-{{ name }}"{% endif %} {{ attrs|safe }}>
  {% if err %}<small id="e-{{ name }}" class="field-error">{{ err }}</small>
  {% elif help %}<small id="h-{{ name }}">{{ help }}</small>{% endif %}
</label>
{%- endmacro %}

{% macro form_errors(errors) -%}
{% if errors and errors.get('__all__') %}<p class="form-error" role="alert">{{ errors.get('__all__') }}</p>{% endif %}
{%- endmacro %}
"""


def _reference() -> object:
    env = Environment(
        loader=DictLoader({"forms.html": MACROS}),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["csrf_value"] = lambda: 'tok"<&>'
    return env.get_template("forms.html").module


def test_a_form_field_reads_the_same_as_the_macro_wrote_it() -> None:
    macros = _reference()
    values = {"email": 'ana@example.com"<b>', "n": None, "count": 3}
    labels = ["Correo electrónico", "<b>bold</b> & co", Markup("<em>safe</em>")]
    cases = itertools.product(
        ["email", "password", "n", "count", "missing"],
        labels,
        [None, {}, {"email": "Escribe tu correo <aquí>", "password": ""}, {"n": "x"}],
        ["text", "email", "password"],
        [False, True],
        [None, "", "username"],
        [None, "", "Ayuda & más"],
        ["", 'inputmode="numeric"'],
    )
    for name, label, errors, type_, required, autocomplete, help_, attrs in cases:
        args = (name, label, values, errors)
        kwargs = {"type": type_, "required": required, "autocomplete": autocomplete, "help": help_, "attrs": attrs}
        expected = macros.field(*args, **kwargs)  # type: ignore[attr-defined]
        got = form_macros.field(*args, **kwargs)
        assert isinstance(got, Markup)
        assert str(got) == str(expected), (args, kwargs)
    # The defaults too.
    assert str(form_macros.field("q", "Q", {"q": "v"}, None)) == str(macros.field("q", "Q", {"q": "v"}, None))  # type: ignore[attr-defined]


def test_the_form_error_and_the_csrf_field_read_the_same() -> None:
    macros = _reference()
    for errors in (None, {}, {"__all__": ""}, {"__all__": "Correo o contraseña <incorrectos>"}, {"email": "x"}):
        assert str(form_macros.form_errors(errors)) == str(macros.form_errors(errors))  # type: ignore[attr-defined]
    assert str(form_macros.csrf(lambda: 'tok"<&>')()) == str(macros.csrf())  # type: ignore[attr-defined]
