"""One page of a list, as every paginated list page and API call returns it, and the page
number a list shows for whatever arrived in the address bar."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# Beyond this a page number is a typo or a probe, not a page anyone browses to.
_MAX_DIGITS = 9


def page_number(raw: str | int | None) -> int:
    """The ``page`` query parameter as a number: anything but a positive whole number (empty,
    "abc", "-3", "2.5") is page 1, so a hand-edited or stale link still shows the list."""
    text = str(raw).strip() if raw is not None else ""
    if not text.isdigit() or len(text) > _MAX_DIGITS:
        return 1
    return max(1, int(text))


def clamp_page(page: int, total: int, per_page: int) -> int:
    """A page beyond the last shows the last one (a link kept after rows were deleted or
    filtered away); the first page of an empty list is page 1."""
    last = max(1, -(-total // per_page))
    return min(max(1, page), last)


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page
