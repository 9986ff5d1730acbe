"""Writing and reading the audit trail. Services write one :class:`AuditTrail` line per change."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.audit.models import AuditEvent
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


class AuditPage(Page[AuditEvent]):
    @property
    def events(self) -> list[AuditEvent]:
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
) -> AuditPage:
    stmt = select(AuditEvent).where(AuditEvent.tenant_id == tenant_id)
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor:
        stmt = stmt.where(AuditEvent.actor_label.icontains(actor, autoescape=True))
    total = await db.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = clamp_page(page, int(total), per_page)
    rows = await db.scalars(
        stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).offset((page - 1) * per_page).limit(per_page)
    )
    return AuditPage(list(rows.all()), total, page, per_page)


async def entity_types(db: AsyncSession, tenant_id: UUID) -> list[str]:
    rows = await db.scalars(
        select(AuditEvent.entity_type)
        .where(AuditEvent.tenant_id == tenant_id)
        .distinct()
        .order_by(AuditEvent.entity_type)
    )
    return list(rows.all())
