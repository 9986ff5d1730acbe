"""Users, their server-side sessions, single-use links, API tokens and rate-limit counters.

These are platform tables (a user may belong to several firms), so they carry no ``tenant_id``.
Anything firm-specific that a link or session needs is in its ``scope`` document and is
re-checked against the tenant-owned tables (under RLS) when it is used.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ordena.db.base import Base


class User(Base):
    __tablename__ = "user_account"

    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    locale: Mapped[str] = mapped_column(String(8), default="es")
    is_active: Mapped[bool] = mapped_column(default=True)


class UserSession(Base):
    """A browser session: the cookie holds a random token, the table its SHA-256."""

    __tablename__ = "user_session"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    user_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True, default=None
    )
    # For client-contact (magic link) sessions: {"tenant_id", "company_id", "contact_id", ...}
    scope: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    user_agent: Mapped[str] = mapped_column(String(300), default="")


class LinkToken(Base):
    """A single-use emailed link (password reset, invitation, contact sign-in)."""

    __tablename__ = "link_token"

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    purpose: Mapped[str] = mapped_column(String(30))
    email: Mapped[str] = mapped_column(String(320))
    user_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), default=None)
    scope: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class ApiToken(Base):
    """A personal API token; the secret is shown once and stored as SHA-256."""

    __tablename__ = "api_token"

    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # None: never expires (the owner chose so); new tokens default to 90 days.
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class RateLimit(Base):
    """Fixed-window counters shared by every web process (login, token endpoints)."""

    __tablename__ = "rate_limit"

    key: Mapped[str] = mapped_column(String(200), unique=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    count: Mapped[int] = mapped_column(Integer, default=0)
