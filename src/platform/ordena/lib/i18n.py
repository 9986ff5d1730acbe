"""Gettext for Python code and templates. Source strings are Spanish (the default locale);
English comes from ``locale/en/LC_MESSAGES/messages.po``, compiled in memory at start-up so
that no build step is needed.

The active locale lives in a context variable set once per request, so ``_()`` works the same
in routes, services, templates and emails rendered by workers (``use_locale``).
"""

from __future__ import annotations

import datetime as dt
import gettext as stdlib_gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("es", "en")
DEFAULT_LOCALE = "es"
# Formatting locale per UI language: the market starts in Peru.
FORMAT_LOCALE = {"es": "es_PE", "en": "en_US"}
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"

_current: ContextVar[str] = ContextVar("ordena_locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> stdlib_gettext.NullTranslations:
    po = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == DEFAULT_LOCALE or not po.exists():
        return stdlib_gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=locale)
    buf = BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return stdlib_gettext.GNUTranslations(buf)


def get_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    token = _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return translations(_current.get()).pgettext(context, message)


_ = gettext


def lazy(message: str) -> LazyString:
    """A string translated when it is shown (for module-level labels)."""
    return LazyString(message)


class LazyString(str):
    __slots__ = ()

    def __str__(self) -> str:
        return gettext(str.__str__(self))

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))


def negotiate(accept_language: str | None) -> str | None:
    if not accept_language:
        return None
    parsed = []
    for part in accept_language.split(","):
        lang, _sep, q = part.strip().partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            continue
        parsed.append((weight, lang.strip().lower()[:2]))
    for _w, lang in sorted(parsed, reverse=True):
        if lang in LOCALES:
            return lang
    return None


# Parsed once: formatting runs for every date and number of every page (a list page has dozens;
# profiled, parsing the locale and the pattern again each time was most of the cost).
@cache
def _babel_locale(name: str) -> Locale:
    return Locale.parse(name)


@cache
def _number_pattern(digits: int) -> numbers.NumberPattern:
    return numbers.parse_pattern(f"#,##0.{'0' * digits}" if digits else "#,##0")


_LIMA = dates.get_timezone("America/Lima")


def _fmt_locale() -> Locale:
    return _babel_locale(FORMAT_LOCALE.get(_current.get(), "es_PE"))


@cache
def _datetime_parts(fmt: str, locale: Locale) -> tuple[str, Any, Any]:
    """What babel's ``format_datetime`` looks up for a named format, looked up once."""
    joiner = str(dates.get_datetime_format(fmt, locale=locale)).replace("'", "")  # type: ignore[arg-type]
    return joiner, dates.parse_pattern(locale.time_formats[fmt]), dates.parse_pattern(locale.date_formats[fmt])


def format_date(value: dt.date | dt.datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    locale = _fmt_locale()
    if isinstance(value, dt.datetime):
        if fmt not in ("short", "medium", "long", "full") or value.tzinfo is None:
            return dates.format_datetime(value, fmt, tzinfo=_LIMA, locale=locale)
        return _moment_text(value, fmt, locale)
    if fmt in ("short", "medium", "long", "full"):
        return _day_text(value, fmt, locale)
    return dates.format_date(value, fmt, locale=locale)


@lru_cache(maxsize=4096)
def _moment_text(value: dt.datetime, fmt: str, locale: Locale) -> str:
    """Same text as babel's format_datetime in Lima time (tests/unit/test_formatting.py checks
    it), its patterns parsed once; kept per moment, as a list shows the same rows again and
    again (profiled: a date per row was a third of the company list's template time)."""
    joiner, time_pattern, date_pattern = _datetime_parts(fmt, locale)
    local = value.astimezone(_LIMA)
    return joiner.replace("{0}", time_pattern.apply(local, locale)).replace(
        "{1}", date_pattern.apply(local.date(), locale)
    )


@lru_cache(maxsize=4096)
def _day_text(value: dt.date, fmt: str, locale: Locale) -> str:
    """babel's format_date with the pattern parsed once; a day's text never changes, so it is
    kept (profiled: the plan board writes a due date on each of its dozens of cards)."""
    return _date_pattern(fmt, locale).apply(value, locale)


@cache
def _date_pattern(fmt: str, locale: Locale) -> dates.DateTimePattern:
    return dates.parse_pattern(locale.date_formats[fmt])


@cache
def _group_symbol(locale: Locale) -> str:
    return numbers.get_group_symbol(locale)


@cache
def _number_symbols(locale: Locale) -> dict[int, str]:
    """Python's ``,`` ``.`` ``-`` → the locale's group, decimal and minus symbols."""
    return str.maketrans(
        {
            ",": numbers.get_group_symbol(locale),
            ".": numbers.get_decimal_symbol(locale),
            "-": numbers.get_minus_sign_symbol(locale),
        }
    )


def format_number(value: float | int | Decimal | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    locale = _fmt_locale()
    if digits == 0 and type(value) is int and value >= 0:
        # Counts (employees, answers) in lists: the same text as babel's "#,##0" in es-PE and
        # en-US (tests/unit/test_formatting.py), without its decimal machinery per cell.
        return f"{value:,}".replace(",", _group_symbol(locale))
    if type(value) is float:
        value = Decimal(str(value))  # as babel reads a float
    if type(value) is int or (isinstance(value, Decimal) and value.is_finite()):
        # Scores on the results page (profiled: babel's pattern machinery was a third of its
        # template time): Python's own rounding (half-even, like babel's) and grouping, in the
        # locale's symbols; tests/unit/test_formatting.py compares with babel.
        return f"{value:,.{digits}f}".translate(_number_symbols(locale))
    return numbers.format_decimal(value, format=_number_pattern(digits), locale=locale)


def format_percent(value: float | None) -> str:
    if value is None:
        return "—"
    return numbers.format_percent(value, locale=_fmt_locale())


def format_money(amount: float | Decimal, currency: str = "PEN") -> str:
    """``S/ 1,234.50`` in es-PE, ``$1,234.50`` and ``PEN 1,234.50`` in en-US.

    Where the locale has no symbol of its own for the currency, CLDR writes the ISO code glued
    to the number (``PEN1,234.50``); the code is then separated by a no-break space, as es-PE
    does for ``S/``."""
    return _money_text(amount, currency, _fmt_locale())


@lru_cache(maxsize=4096)
def _money_text(amount: float | Decimal, currency: str, locale: Locale) -> str:
    """Kept per amount: the plans' prices are the same on every billing page (profiled: babel's
    currency formatting was a third of the page's template time)."""
    if numbers.get_currency_symbol(currency, locale=locale) == currency:
        fmt = "\u00a4\u00a4\u00a0#,##0.00;-\u00a4\u00a4\u00a0#,##0.00"
        return numbers.format_currency(amount, currency, format=fmt, locale=locale, currency_digits=True)
    return numbers.format_currency(amount, currency, locale=locale)


_BYTE_UNITS = ("KB", "MB", "GB")


def format_bytes(size: int | None) -> str:
    """A file size as people read it: ``512 B``, ``1.5 KB``, ``2.3 MB`` (the locale's decimal mark)."""
    if size is None:
        return "—"
    if size < 1024:
        return f"{format_number(int(size), 0)}\u00a0B"
    value = float(size) / 1024
    index = 0
    while value >= 1024 and index < len(_BYTE_UNITS) - 1:
        value /= 1024
        index += 1
    return f"{format_number(value, 1)}\u00a0{_BYTE_UNITS[index]}"


def format_duration(value: dt.timedelta | float | int) -> str:
    """A duration in words in the current language: ``3 días``, ``7 días``, ``2 semanas``,
    ``3 days`` (never ``168 horas``). A number is taken as hours (the settings count hours).

    Under a week the largest whole unit reads best (``1 día``, not ``24 horas``); from a week on,
    days stay until two weeks (``vence en 7 días`` rather than ``1 semana``)."""
    delta = value if isinstance(value, dt.timedelta) else dt.timedelta(hours=float(value))
    threshold = 1 if delta < dt.timedelta(days=7) else 2
    return dates.format_timedelta(delta, threshold=threshold, locale=_fmt_locale())


@cache
def language_name(code: str) -> str:
    return (Locale.parse(code).get_display_name(code) or code).capitalize()


_SENTENCE_ENDS = (".", "…")


def sentence(message: str, /, **values: Any) -> str:
    """``message.format(**values)`` without a doubled full stop: where a value that already ends
    with one ("Comercial S.A.", a time "3:05 p. m.") sits right before the message's own ".",
    that "." is dropped, so "… RUC: {name}." reads "… RUC: Comercial S.A." and not "S.A..".

    A ``Markup`` message (templates) stays ``Markup`` and escapes the values, as ``format`` does."""
    for key, value in values.items():
        if str(value).endswith(_SENTENCE_ENDS):
            message = message.replace("{" + key + "}.", "{" + key + "}")
    return message.format(**values)
