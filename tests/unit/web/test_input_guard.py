"""The edge guard's rules on their own (the route walk is tests/integration/test_hostile_input.py)."""

from __future__ import annotations

import pytest

from ordena.web.input_guard import BadInput, check_body, check_target, json_depth


def test_json_depth_counts_arrays_and_objects_but_not_brackets_inside_strings() -> None:
    assert json_depth(b'{"a": [1, {"b": 2}]}') == 3
    assert json_depth(b'{"a": "[[[[{{{{\\"]]]"}') == 1
    assert json_depth(b"[" * 40 + b"]" * 40) == 40


def test_a_nul_is_refused_in_the_path_the_query_and_the_body_but_an_escaped_backslash_is_text() -> None:
    with pytest.raises(BadInput):
        check_target({"type": "http", "path": "/brand/\x00.css", "raw_path": b"/brand/%00.css"})  # type: ignore[typeddict-item]
    with pytest.raises(BadInput):
        check_target({"type": "http", "path": "/x", "raw_path": b"/x", "query_string": b"q=a%00b"})  # type: ignore[typeddict-item]
    with pytest.raises(BadInput):
        check_body(b"application/x-www-form-urlencoded", b"name=a%00")
    with pytest.raises(BadInput):
        check_body(b"application/json", b'{"name": "a\\u0000"}')
    check_body(b"application/json", b'{"name": "a\\\\u0000"}')  # the six characters \u0000, typed


def test_paging_numbers_are_bounded_and_other_numbers_are_not() -> None:
    with pytest.raises(BadInput):
        check_target(
            {
                "type": "http",
                "path": "/api/v1/x",
                "raw_path": b"/api/v1/x",
                "query_string": b"page=99999999999999999999",
            }
        )  # type: ignore[typeddict-item]
    with pytest.raises(BadInput):
        check_target(
            {"type": "http", "path": "/api/v1/x", "raw_path": b"/api/v1/x", "query_string": b"offset=-2147483648"}
        )  # type: ignore[typeddict-item]
    page = {
        "type": "http",
        "path": "/w/f/companies",
        "raw_path": b"/w/f/companies",
        "query_string": b"q=a&page=99999999999999999999",
    }
    check_target(page)  # type: ignore[arg-type]
    assert page["query_string"] == b"q=a"  # a page shows page 1 instead
    check_target({"type": "http", "path": "/x", "raw_path": b"/x", "query_string": b"page=2&q=20123456789012345678"})  # type: ignore[typeddict-item]


def test_full_width_forms_and_bidi_controls_are_cleaned_in_forms_and_json() -> None:
    from urllib.parse import parse_qs, urlencode

    from ordena.web.input_guard import cleaned_body

    form = urlencode(
        {"name": "Ｅｍｐｒｅｓａ　２０２６", "file": "factura\u202efdp.exe", "note": "Nº 5, 20 m²"}
    ).encode()
    cleaned = parse_qs(cleaned_body(b"application/x-www-form-urlencoded", form).decode())
    assert cleaned == {"name": ["Empresa 2026"], "file": ["facturafdp.exe"], "note": ["Nº 5, 20 m²"]}
    body = '{"name": "\\uff21\\uff22", "items": [{"title": "x\u2066y"}]}'.encode()
    assert cleaned_body(b"application/json", body) == b'{"name": "AB", "items": [{"title": "xy"}]}'
    plain = urlencode({"name": "Ñandú SAC", "note": "Nº 5"}).encode()
    assert cleaned_body(b"application/x-www-form-urlencoded", plain) is plain
