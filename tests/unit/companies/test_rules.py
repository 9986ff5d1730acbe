"""The rules of a client company that need no database: RUC, CIIU, size band, CSV reading."""

from __future__ import annotations

import pytest

from ordena.companies import ciiu, csv_import
from ordena.companies.services import clean_company, country_code, country_options

BASE = {"name": "Empresa", "industry_section": "G", "size_band": "micro"}


@pytest.mark.parametrize("ruc", ["20100047218", "20131312955", "10461234564", "20-100047218"])
def test_real_format_rucs_with_a_correct_check_digit_pass(ruc: str) -> None:
    cleaned, errors = clean_company({**BASE, "ruc": ruc})
    assert not errors, errors.fields
    assert cleaned["ruc"] == ruc.replace("-", "")


@pytest.mark.parametrize("ruc", ["20100047219", "2010004721", "201000472188", "30100047218", "2010004721X"])
def test_rucs_with_a_wrong_check_digit_length_prefix_or_characters_fail(ruc: str) -> None:
    _cleaned, errors = clean_company({**BASE, "ruc": ruc})
    assert errors.get("ruc")


def test_an_empty_ruc_is_allowed_and_stored_as_null() -> None:
    cleaned, errors = clean_company({**BASE, "ruc": "  "})
    assert not errors and cleaned["ruc"] is None


def test_there_are_21_sections_and_every_rev4_division_maps_to_one() -> None:
    assert list(ciiu.SECTIONS) == [chr(c) for c in range(ord("A"), ord("U") + 1)]
    assert len(ciiu.DIVISION_SECTION) == 88
    unused = {"04", "34", "40", "44", "48", "54", "57", "67", "76", "83", "89"}
    assert unused.isdisjoint(ciiu.DIVISION_SECTION)
    assert (
        ciiu.DIVISION_SECTION["01"],
        ciiu.DIVISION_SECTION["33"],
        ciiu.DIVISION_SECTION["62"],
        ciiu.DIVISION_SECTION["99"],
    ) == ("A", "C", "J", "U")
    assert all(ciiu.divisions_of(s) for s in ciiu.SECTIONS)
    assert ciiu.section_name("J", "en") == "Information and communication"
    assert ciiu.section_name("J") == "Información y comunicaciones"


def test_a_one_digit_division_is_read_with_its_leading_zero() -> None:
    cleaned, errors = clean_company({**BASE, "industry_section": "A", "industry_division": "1"})
    assert not errors and cleaned["industry_division"] == "01"


def test_size_bands_accept_the_spanish_spelling_and_employees_must_not_be_negative() -> None:
    cleaned, errors = clean_company({**BASE, "size_band": "Pequeña", "employees": "1,200"})
    assert not errors and (cleaned["size_band"], cleaned["employees"]) == ("pequena", 1200)
    assert clean_company({**BASE, "employees": "-1"})[1].get("employees")


def test_countries_come_from_babel_with_peru_first() -> None:
    options = country_options()
    assert options[0] == ("PE", "Perú")
    codes = [c for c, _n in options]
    assert "CO" in codes and "001" not in codes and "EU" not in codes
    assert country_code("Perú") == "PE" and country_code("colombia") == "CO" and country_code("pe") == "PE"


def test_a_csv_is_read_with_a_bom_semicolons_and_spanish_headers() -> None:
    text = csv_import.decode(
        "\ufeffNombre;RUC;País;Sección CIIU;Tamaño\nUno;20100047218;PE;G;micro\n\nDos;;PE;C;grande\n".encode()
    )
    parsed = csv_import.parse(text)
    assert parsed.delimiter == ";"
    assert parsed.rows == [
        (2, {"name": "Uno", "ruc": "20100047218", "country": "PE", "industry_section": "G", "size_band": "micro"}),
        (4, {"name": "Dos", "ruc": "", "country": "PE", "industry_section": "C", "size_band": "grande"}),
    ]


def test_a_quoted_field_with_a_line_break_keeps_the_line_numbers_right() -> None:
    parsed = csv_import.parse('name,size_band\n"Dos\nlíneas",micro\nTres,micro\n')
    assert [line for line, _v in parsed.rows] == [3, 4]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "vacío"),
        (b"ruc\n123\n", "Falta la columna"),
        (b"name\n", "no tiene filas"),
        (b"name\nPan\x81\x8d\n", "UTF-8"),
        (b"name\n" + b"x" * csv_import.MAX_BYTES, "2 MB"),
    ],
)
def test_unusable_files_are_refused_as_a_whole(raw: bytes, message: str) -> None:
    with pytest.raises(csv_import.CsvInvalid) as exc:
        csv_import.read_upload(raw)
    assert message in exc.value.message
