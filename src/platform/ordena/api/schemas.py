"""Shapes of the JSON API (msgspec structs, so OpenAPI documents them)."""

from __future__ import annotations

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
