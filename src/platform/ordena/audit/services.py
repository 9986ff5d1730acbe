"""Writing and reading the audit trail. Services write one :class:`AuditTrail` line per change."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import Select, String, Uuid, and_, case, cast, distinct, func, literal, select, tuple_
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.audit.models import AuditEvent
from ordena.frameworks.models import Question
from ordena.lib.pagination import Page, clamp_page


def snapshot(obj: Any, fields: Sequence[str]) -> dict[str, Any]:
    """A JSON-safe picture of ``fields`` of ``obj`` for before/after."""
    return {f: _plain(getattr(obj, f, None)) for f in fields}


def _plain(value: Any) -> Any:
    if isinstance(value, UUID | Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


@dataclass(frozen=True)
class Actor:
    id: UUID | None
    label: str


@dataclass(frozen=True)
class AuditTrail:
    """The audit trail of one unit of work, bound to its database session, firm and actor.

    ``audit = AuditTrail(db, firm.tenant_id, actor)`` once, then one line per change:
    ``audit("update", "company", company.id, before=..., after=...)``. The row is added to the
    session, so it commits or rolls back with the change it describes.
    """

    db: AsyncSession
    tenant_id: UUID
    actor: Actor

    def __call__(
        self,
        action: str,
        entity_type: str,
        entity_id: UUID | str,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        self.db.add(
            AuditEvent(
                tenant_id=self.tenant_id,
                actor_id=self.actor.id,
                actor_label=self.actor.label[:320],
                action=action,
                entity_type=entity_type,
                entity_id=str(entity_id),
                before=before,
                after=after,
            )
        )


@dataclass(frozen=True)
class AuditFilters:
    entity_type: str | None = None
    action: str | None = None
    actor: str | None = None

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        if self.entity_type:
            stmt = stmt.where(AuditEvent.entity_type == self.entity_type)
        if self.action:
            stmt = stmt.where(AuditEvent.action == self.action)
        if self.actor:
            stmt = stmt.where(AuditEvent.actor_label.icontains(self.actor, autoescape=True))
        return stmt


@dataclass(frozen=True)
class AuditEntry:
    """One line of the log: an event, or the autosaves it stands for (``count`` > 1: the newest
    of one respondent's answers in one dimension within one hour, ``since`` the oldest's time)."""

    event: AuditEvent
    count: int = 1
    questions: int = 1
    since: dt.datetime | None = None

    @property
    def folded(self) -> bool:
        return self.count > 1


class AuditPage(Page[AuditEntry]):
    @property
    def entries(self) -> list[AuditEntry]:
        return self.items


async def list_events(
    db: AsyncSession,
    tenant_id: UUID,
    *,
    entity_type: str | None = None,
    action: str | None = None,
    actor: str | None = None,
    page: int = 1,
    per_page: int = 50,
    fold: bool = True,
) -> AuditPage:
    """One page of the firm's log, newest first. With ``fold``, autosaves are folded into one
    entry per respondent, dimension and hour; the table keeps every event either way."""
    filters = AuditFilters(entity_type, action, actor)
    page = max(1, page)
    if fold:
        return await _folded_page(db, tenant_id, filters, page, per_page)
    stmt = filters.apply(select(AuditEvent).where(AuditEvent.tenant_id == tenant_id))
    total = await db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = clamp_page(page, int(total), per_page)
    rows = await db.scalars(
        stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return AuditPage([AuditEntry(e) for e in rows.all()], total, page, per_page)


_IS_ANSWER = and_(AuditEvent.action == "answer", AuditEvent.entity_type == "assessment")
_QUESTION_ID = case((_IS_ANSWER, cast(func.jsonb_extract_path_text(AuditEvent.after, "question_id"), Uuid)), else_=None)


async def _folded_page(db: AsyncSession, tenant_id: UUID, filters: AuditFilters, page: int, per_page: int) -> AuditPage:
    # The page's read joins the framework's questions (read-only) for the dimension of each
    # answer; every other event is a group of its own (keyed by its id).
    fold_key = case(
        (
            _IS_ANSWER,
            func.concat_ws(
                "|",
                AuditEvent.entity_id,
                func.jsonb_extract_path_text(AuditEvent.after, "respondent_id"),
                cast(Question.dimension_id, String),
                cast(func.date_trunc("hour", AuditEvent.created_at), String),
            ),
        ),
        else_=cast(AuditEvent.id, String),
    )
    newest = func.array_agg(aggregate_order_by(AuditEvent.id, AuditEvent.created_at.desc(), AuditEvent.id.desc()))
    grouped = filters.apply(
        select(
            func.max(AuditEvent.created_at).label("at"),
            func.min(AuditEvent.created_at).label("since"),
            func.count().label("n"),
            func.count(distinct(_QUESTION_ID)).label("questions"),
            newest[1].label("event_id"),
        )
        .select_from(AuditEvent)
        .outerjoin(Question, Question.id == _QUESTION_ID)
        .where(AuditEvent.tenant_id == tenant_id)
        .group_by(fold_key)
    ).subquery()
    total = await db.scalar(select(func.count()).select_from(grouped)) or 0
    page = clamp_page(page, int(total), per_page)
    groups = (
        await db.execute(
            select(grouped)
            .order_by(grouped.c.at.desc(), grouped.c.event_id.desc())
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    ).all()
    ids = [g.event_id for g in groups]
    events = {
        e.id: e
        for e in await db.scalars(select(AuditEvent).where(AuditEvent.tenant_id == tenant_id, AuditEvent.id.in_(ids)))
    }
    entries = [
        AuditEntry(events[g.event_id], g.n, max(g.questions, 1), g.since) for g in groups if g.event_id in events
    ]
    return AuditPage(entries, total, page, per_page)


async def event_batches(
    db: AsyncSession, tenant_id: UUID, filters: AuditFilters, *, size: int = 500
) -> AsyncIterator[list[AuditEvent]]:
    """Every event the filters keep, newest first, in batches (the export streams them): each
    batch continues after the last one's (time, id), so events written meanwhile shift nothing."""
    after: tuple[dt.datetime, UUID] | None = None
    while True:
        stmt = filters.apply(select(AuditEvent).where(AuditEvent.tenant_id == tenant_id))
        if after is not None:
            stmt = stmt.where(
                tuple_(AuditEvent.created_at, AuditEvent.id) < tuple_(literal(after[0]), literal(after[1]))
            )
        batch = list(
            (await db.scalars(stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(size))).all()
        )
        if batch:
            yield batch
        if len(batch) < size:
            return
        after = (batch[-1].created_at, batch[-1].id)


async def entity_types(db: AsyncSession, tenant_id: UUID) -> list[str]:
    rows = await db.scalars(
        select(AuditEvent.entity_type)
        .where(AuditEvent.tenant_id == tenant_id)
        .distinct()
        .order_by(AuditEvent.entity_type)
    )
    return list(rows.all())
