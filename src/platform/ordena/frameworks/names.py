"""Names of frameworks and their parts by id, in one query each, in the current language (the
audit log shows names, not ids). A firm sees shared content and its own, never another firm's."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.frameworks.models import Dimension, Framework, FrameworkVersion, Question
from ordena.frameworks.services import label


def _visible(model: Any, tenant_id: UUID) -> ColumnElement[bool]:
    return or_(model.owner_tenant_id.is_(None), model.owner_tenant_id == tenant_id)


async def names_by_ids(db: AsyncSession, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, str]:
    """Framework names among ``ids``; unknown ids are left out."""
    if not ids:
        return {}
    rows = await db.execute(
        select(Framework.id, Framework.name).where(Framework.id.in_(ids), _visible(Framework, tenant_id))
    )
    return {framework_id: label(name) for framework_id, name in rows.all()}


@dataclass(frozen=True)
class PartName:
    """A version, dimension or question: its text and the version page that shows it."""

    name: str
    version_id: UUID
    dimension_id: UUID | None = None


async def version_names_by_ids(db: AsyncSession, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, PartName]:
    """ "<framework> v<n>" for each version among ``ids``."""
    if not ids:
        return {}
    rows = await db.execute(
        select(FrameworkVersion.id, FrameworkVersion.version, Framework.name)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(FrameworkVersion.id.in_(ids), _visible(FrameworkVersion, tenant_id))
    )
    return {vid: PartName(f"{label(name)} v{number}", vid) for vid, number, name in rows.all()}


async def dimension_names_by_ids(db: AsyncSession, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, PartName]:
    if not ids:
        return {}
    rows = await db.execute(
        select(Dimension.id, Dimension.name, Dimension.version_id).where(
            Dimension.id.in_(ids), _visible(Dimension, tenant_id)
        )
    )
    return {did: PartName(label(name), version_id, did) for did, name, version_id in rows.all()}


async def question_names_by_ids(db: AsyncSession, tenant_id: UUID, ids: Collection[UUID]) -> dict[UUID, PartName]:
    """Each question's text, with its dimension (answers are told per dimension)."""
    if not ids:
        return {}
    rows = await db.execute(
        select(Question.id, Question.text, Question.version_id, Question.dimension_id).where(
            Question.id.in_(ids), _visible(Question, tenant_id)
        )
    )
    return {qid: PartName(label(text), version_id, dimension_id) for qid, text, version_id, dimension_id in rows.all()}
