"""The transactional outbox: jobs written with the business change, relayed after commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ordena.db.base import Base, TenantOwned


class OutboxMessage(Base):
    """One dramatiq message to send. A platform table: actors receive the tenant id as an
    argument and set the tenant context in their own transaction."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_pending", "relayed_at", "created_at"),)

    queue_name: Mapped[str] = mapped_column(String(100), default="default")
    actor_name: Mapped[str] = mapped_column(String(100))
    args: Mapped[list[Any]] = mapped_column(JsonB, default=list)
    kwargs: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    relayed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)


class JobProgress(TenantOwned, Base):
    """Progress of a long job, polled by the page that started it."""

    __tablename__ = "job_progress"

    kind: Mapped[str] = mapped_column(String(60))
    owner_key: Mapped[str] = mapped_column(String(120), index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|running|done|failed
    result: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
