"""The append-only audit trail of every change in a firm."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from advanced_alchemy.types import JsonB
from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ordena.db.base import Base, TenantOwned


class AuditEvent(TenantOwned, Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_tenant_created", "tenant_id", "created_at"),
        {"info": {"append_only": True}},
    )

    # No FK to user_account: the trail must outlive the users it mentions.
    actor_id: Mapped[UUID | None] = mapped_column(default=None)
    actor_label: Mapped[str] = mapped_column(String(320), default="")
    action: Mapped[str] = mapped_column(String(40))  # create | update | delete | <verb>
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonB, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonB, default=None)
