"""Every user-facing string has an English translation, and pages come out in the reader's
language with Peruvian number and date formats.

The catalogue check extracts the msgids from code and templates at test time (Babel's API, the
same mapping as ``make messages``), so a new string without an English msgstr fails CI."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from ordena.lib import i18n
from ordena.settings import BASE_DIR

CATALOGUE = BASE_DIR / "src" / "platform" / "ordena" / "locale" / "en" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}|%\([a-z_]+\)[sd]")

Msgid = str | tuple[str, ...]


def _extracted() -> dict[Msgid, str]:
    """msgid → the first file that uses it."""
    with (BASE_DIR / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f, filename="babel.cfg")  # type: ignore[no-untyped-call]
    found: dict[Msgid, str] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(str(BASE_DIR), method_map, options_map):
        key: Msgid = message if isinstance(message, str) else tuple(m for m in message if m)
        if key:
            found.setdefault(key, filename)
    return found


def _catalogue() -> dict[Msgid, Any]:
    with CATALOGUE.open("rb") as f:
        catalog = read_po(f, locale="en")
    return {(m.id if isinstance(m.id, str) else tuple(m.id)): m for m in catalog if m.id}


def test_every_string_in_code_and_templates_has_an_english_translation() -> None:
    extracted = _extracted()
    assert len(extracted) > 100, "the extraction found too few strings: is babel.cfg right?"
    catalogue = _catalogue()
    missing = []
    for msgid, where in sorted(extracted.items(), key=lambda kv: str(kv[0])):
        entry = catalogue.get(msgid)
        strings = [] if entry is None else ([entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None or not strings or not all(s.strip() for s in strings) or entry.fuzzy:
            missing.append(f"  {msgid!r}  ({where})")
    assert not missing, (
        f"{len(missing)} string(s) without an English translation: run `make messages` and fill "
        f"their msgstr in {CATALOGUE.relative_to(BASE_DIR)}:\n" + "\n".join(missing)
    )


def test_english_translations_keep_the_placeholders_of_the_spanish_source() -> None:
    wrong = []
    for msgid, entry in _catalogue().items():
        sources = [msgid] if isinstance(msgid, str) else list(msgid)
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        wanted = set(PLACEHOLDER.findall(sources[-1]))
        for s in strings:
            if s and set(PLACEHOLDER.findall(s)) != wanted:
                wrong.append(f"  {msgid!r} → {s!r}")
    assert not wrong, "translations whose {placeholders} differ from the source:\n" + "\n".join(wrong)


def test_translations_are_looked_up_in_the_active_language() -> None:
    with i18n.use_locale("en"):
        assert i18n._("Iniciar sesión") == "Log in"
        assert i18n.ngettext("{n} fila importada", "{n} filas importadas", 1) == "{n} row imported"
        assert i18n.ngettext("{n} fila importada", "{n} filas importadas", 3) == "{n} rows imported"
    with i18n.use_locale("es"):
        assert i18n._("Iniciar sesión") == "Iniciar sesión"
    with i18n.use_locale("fr"):  # unknown → Spanish, the default
        assert i18n.get_locale() == "es"


def test_numbers_and_money_are_formatted_the_peruvian_way_in_spanish() -> None:
    with i18n.use_locale("es"):
        assert i18n.format_number(1234567.891) == "1,234,567.9"
        assert i18n.format_number(1234, 0) == "1,234"
        assert i18n.format_number(None) == "—"
        assert i18n.format_percent(0.256) == "26%"
        assert i18n.format_money(Decimal("1234.5")) == "S/\u00a01,234.50"
    with i18n.use_locale("en"):
        assert i18n.format_number(1234567.891) == "1,234,567.9"
        assert i18n.format_money(Decimal("1234.5"), "USD") == "$1,234.50"


def test_money_in_english_names_the_currency_code_apart_from_the_amount() -> None:
    with i18n.use_locale("en"):
        assert i18n.format_money(Decimal("1234.5")) == "PEN\u00a01,234.50"
        assert i18n.format_money(Decimal("-1234.5")) == "-PEN\u00a01,234.50"
        assert i18n.format_money(Decimal("1234.6"), "CLP") == "CLP\u00a01,235"
    with i18n.use_locale("es"):
        assert i18n.format_money(Decimal("1234.5")) == "S/\u00a01,234.50"
        assert i18n.format_money(Decimal("1234.5"), "USD") == "USD\u00a01,234.50"


def test_dates_are_written_in_the_readers_language_and_in_lima_time() -> None:
    with i18n.use_locale("es"):
        assert i18n.format_date(dt.date(2026, 3, 5)) == "5 mar. 2026"
        # 15:00 UTC is 10:00 in Lima (UTC-5, no daylight saving).
        assert "10:00" in i18n.format_date(dt.datetime(2026, 3, 5, 15, 0, tzinfo=dt.UTC))
    with i18n.use_locale("en"):
        assert i18n.format_date(dt.date(2026, 3, 5)) == "Mar 5, 2026"
        assert i18n.format_date(None) == ""


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9", "en"),
        ("es-PE,es;q=0.9,en;q=0.5", "es"),
        ("fr-FR, en;q=0.3", "en"),
        ("de", None),
        (None, None),
    ],
)
def test_the_browsers_preferred_language_is_used_when_we_speak_it(header: str | None, expected: str | None) -> None:
    assert i18n.negotiate(header) == expected


async def test_a_visitor_reads_the_pages_in_spanish_by_default(client: Any) -> None:
    response = await client.get("/login")
    assert response.status_code == 200
    assert '<html lang="es">' in response.text
    assert "Iniciar sesión" in response.text and "Correo electrónico" in response.text


async def test_a_visitor_who_chose_english_reads_the_pages_in_english(client: Any) -> None:
    client.cookies.set("ordena_lang", "en")
    response = await client.get("/login")
    assert '<html lang="en">' in response.text
    assert "Log in" in response.text and "Email address" in response.text
    assert "Iniciar sesión" not in response.text
    landing = await client.get("/signup")
    assert "Create my firm" in landing.text


async def test_the_language_switch_remembers_the_choice_and_returns_to_the_same_page(client: Any) -> None:
    await client.get("/login")
    response = await client.post("/lang", {"lang": "en", "next": "/signup"})
    assert response.status_code == 303
    assert response.headers["location"] == "/signup"
    page = await client.get("/signup")
    assert '<html lang="en">' in page.text and "Firm name" in page.text
