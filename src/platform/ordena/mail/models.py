"""Emails as sent (or, without SMTP, kept for the development outbox page)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ordena.db.base import Base


class Email(Base):
    __tablename__ = "email"

    to: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(100))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    # The firm the mail was sent for (None: account mail such as a password reset). Not named
    # tenant_id: an email is platform data read by the development outbox across firms, and a
    # tenant_id column would put it under row-level security.
    firm_id: Mapped[UUID | None] = mapped_column(ForeignKey("tenant.id", ondelete="SET NULL"), default=None, index=True)
