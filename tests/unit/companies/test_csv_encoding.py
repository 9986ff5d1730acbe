"""A CSV's bytes as text: UTF-8 when it is UTF-8, Windows-1252 (Spanish Excel) otherwise."""

from __future__ import annotations

import pytest

from ordena.companies.csv_import import CsvInvalid, decode

TEXT = "nombre;pais\nCompañía Ñandú;Perú\n"


def test_utf8_with_or_without_a_bom_is_read_as_utf8() -> None:
    assert decode(TEXT.encode("utf-8")) == TEXT
    assert decode(b"\xef\xbb\xbf" + TEXT.encode("utf-8")) == TEXT


def test_windows_1252_from_spanish_excel_keeps_the_enes() -> None:
    raw = TEXT.encode("cp1252")
    assert b"\xf1" in raw and b"\xd1" in raw
    assert decode(raw) == TEXT
    assert decode("Precio €;Señor “X”\n".encode("cp1252")) == "Precio €;Señor “X”\n"  # bytes only 1252 defines


def test_bytes_that_are_neither_are_refused_with_a_message() -> None:
    with pytest.raises(CsvInvalid, match="UTF-8"):
        decode(b"nombre\nPan\x81\x8d\n")
