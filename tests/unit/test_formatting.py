"""Dates and numbers on the pages read exactly as babel writes them, in both languages, although
the page formatters keep babel's parsed patterns between calls."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from babel import dates, numbers
from hypothesis import given
from hypothesis import strategies as st

from ordena.lib import i18n

LIMA = dates.get_timezone("America/Lima")
moments = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 12, 31), timezones=st.just(dt.UTC)
)


@pytest.mark.parametrize("lang", i18n.LOCALES)
@pytest.mark.parametrize("fmt", ["short", "medium", "long", "full"])
@given(moment=moments)
def test_a_moment_reads_as_babel_writes_it_in_lima_time(lang: str, fmt: str, moment: dt.datetime) -> None:
    with i18n.use_locale(lang):
        expected = dates.format_datetime(moment, fmt, tzinfo=LIMA, locale=i18n.FORMAT_LOCALE[lang])
        assert i18n.format_date(moment, fmt) == expected


@pytest.mark.parametrize("lang", i18n.LOCALES)
@given(value=st.decimals(min_value=-(10**9), max_value=10**9, places=3, allow_nan=False, allow_infinity=False))
def test_a_number_reads_as_babel_writes_it(lang: str, value: Decimal) -> None:
    with i18n.use_locale(lang):
        for digits in (0, 1, 2):
            pattern = f"#,##0.{'0' * digits}" if digits else "#,##0"
            expected = numbers.format_decimal(value, format=pattern, locale=i18n.FORMAT_LOCALE[lang])
            assert i18n.format_number(value, digits) == expected


@pytest.mark.parametrize("lang", i18n.LOCALES)
@given(value=st.floats(min_value=-(10**9), max_value=10**9, allow_nan=False) | st.integers(-(10**9), 10**9))
def test_a_float_or_integer_score_reads_as_babel_writes_it(lang: str, value: float | int) -> None:
    with i18n.use_locale(lang):
        for digits in (0, 1, 2):
            pattern = f"#,##0.{'0' * digits}" if digits else "#,##0"
            expected = numbers.format_decimal(value, format=pattern, locale=i18n.FORMAT_LOCALE[lang])
            assert i18n.format_number(value, digits) == expected


@pytest.mark.parametrize("lang", i18n.LOCALES)
@given(count=st.integers(min_value=0, max_value=10**12))
def test_a_count_reads_as_babel_writes_it(lang: str, count: int) -> None:
    with i18n.use_locale(lang):
        assert i18n.format_number(count, 0) == numbers.format_decimal(
            count, format="#,##0", locale=i18n.FORMAT_LOCALE[lang]
        )


def test_a_date_without_time_and_nothing_at_all() -> None:
    with i18n.use_locale("es"):
        assert i18n.format_date(dt.date(2026, 11, 25), "long") == dates.format_date(
            dt.date(2026, 11, 25), "long", locale="es_PE"
        )
        assert i18n.format_date(None) == ""
        assert i18n.format_number(None) == "—"


def test_file_sizes_read_in_bytes_below_a_kilobyte_and_in_the_locales_numbers_above() -> None:
    from ordena.lib.i18n import format_bytes, use_locale

    with use_locale("en"):
        assert format_bytes(512) == "512\u00a0B"
        assert format_bytes(1536) == "1.5\u00a0KB"
        assert format_bytes(int(2.3 * 1024 * 1024)) == "2.3\u00a0MB"
    with use_locale("es"):
        assert format_bytes(0) == "0\u00a0B"
        assert format_bytes(1023) == "1,023\u00a0B" or format_bytes(1023) == "1023\u00a0B"
