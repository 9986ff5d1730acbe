"""Shapes of the JSON API (msgspec structs, so OpenAPI documents them)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec


class FirmMembership(msgspec.Struct):
    slug: str
    name: str
    role: str


class Me(msgspec.Struct):
    id: UUID
    email: str
    name: str
    locale: str
    firms: list[FirmMembership]


class FirmSummary(msgspec.Struct):
    slug: str
    name: str
    locale: str
    role: str


class ErrorBody(msgspec.Struct, omit_defaults=True):
    """Every error the JSON API answers (400, 401, 403, 404, 409, 413, 422, 429): the status, and
    a message (``detail``), the validator's findings (``extra``) or one message per field
    (``errors``), in the caller's language."""

    status: int
    detail: str | None = None
    extra: Any = None
    errors: dict[str, str] | None = None
