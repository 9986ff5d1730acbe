"""JSON API shapes for plans (msgspec structs, documented by the OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import msgspec


class InitiativeOut(msgspec.Struct):
    id: UUID
    template_key: str | None
    dimension_key: str
    from_level: int | None
    to_level: int | None
    title: str
    description: str
    status: str
    blocked_reason: str
    progress: int
    priority: int
    position: int
    owner_user_id: UUID | None
    owner_contact_id: UUID | None
    start_on: dt.date | None
    due_on: dt.date | None
    kpi_name: str
    kpi_baseline: float | None
    kpi_goal: float | None
    question_keys: list[str]
    depends_on: list[UUID]


class PlanOut(msgspec.Struct):
    id: UUID
    assessment_id: UUID
    company_id: UUID
    title: str
    created_at: dt.datetime
    no_data: list[str]  # dimension keys without a score (no initiatives for them)
    initiatives: list[InitiativeOut]


class InitiativePatch(msgspec.Struct, omit_defaults=True):
    """Only the fields sent change. ``owner`` is ``user:<id>``, ``contact:<id>`` or "" (nobody)."""

    title: str | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    dimension_key: str | msgspec.UnsetType = msgspec.UNSET
    question_keys: list[str] | msgspec.UnsetType = msgspec.UNSET
    owner: str | msgspec.UnsetType = msgspec.UNSET
    start_on: str | msgspec.UnsetType | None = msgspec.UNSET
    due_on: str | msgspec.UnsetType | None = msgspec.UNSET
    priority: int | msgspec.UnsetType = msgspec.UNSET
    status: str | msgspec.UnsetType = msgspec.UNSET
    blocked_reason: str | msgspec.UnsetType = msgspec.UNSET
    progress: int | msgspec.UnsetType = msgspec.UNSET
    kpi_name: str | msgspec.UnsetType = msgspec.UNSET
    kpi_baseline: str | float | msgspec.UnsetType | None = msgspec.UNSET
    kpi_goal: str | float | msgspec.UnsetType | None = msgspec.UNSET
    depends_on: list[UUID] | msgspec.UnsetType = msgspec.UNSET
