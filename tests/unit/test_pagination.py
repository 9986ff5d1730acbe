"""The page a list shows for whatever the address bar carried."""

from __future__ import annotations

import pytest

from ordena.lib.pagination import clamp_page, page_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("3", 3), (3, 3), (" 2 ", 2), (None, 1), ("", 1), ("abc", 1), ("-3", 1), ("2.5", 1), ("0", 1), ("9" * 30, 1)],
)
def test_anything_but_a_positive_whole_number_is_page_one(raw: str | int | None, expected: int) -> None:
    assert page_number(raw) == expected


def test_a_page_beyond_the_last_is_the_last_and_an_empty_list_has_page_one() -> None:
    assert clamp_page(7, total=30, per_page=25) == 2
    assert clamp_page(2, total=50, per_page=25) == 2
    assert clamp_page(3, total=0, per_page=25) == 1
    assert clamp_page(0, total=10, per_page=25) == 1
