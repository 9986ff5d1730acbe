"""JSON API shapes for assessments (msgspec structs, documented by the OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

import msgspec


class AssessmentOut(msgspec.Struct):
    id: UUID
    company_id: UUID
    framework_version_id: UUID
    baseline_id: UUID | None
    title: str
    kind: str
    status: str
    targets: dict[str, int]
    reminder_days: int
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    validated_at: dt.datetime | None
    published_at: dt.datetime | None


class AssessmentList(msgspec.Struct):
    items: list[AssessmentOut]
    total: int
    page: int
    per_page: int


class AssessmentCreate(msgspec.Struct):
    company_id: UUID
    kind: str = "consultant"
    title: str = ""
    framework_version_id: UUID | None = None
    targets: dict[str, int] | None = None
    baseline_id: UUID | None = None
    reminder_days: int = 7


class AnswerOut(msgspec.Struct):
    question_id: UUID
    respondent_id: UUID
    level: int | None
    not_applicable: bool
    comment: str
    updated_at: dt.datetime


class AnswerIn(msgspec.Struct):
    question_id: UUID
    # 1–5, "na" (no aplica) or null (no level yet).
    level: int | str | None = None
    comment: str = ""


class AnswersIn(msgspec.Struct):
    answers: list[AnswerIn]


class TransitionIn(msgspec.Struct):
    action: str  # start | submit | validate | publish | reopen
    confirm: bool = False
    reason: str = ""  # why publish below the firm's completeness threshold
