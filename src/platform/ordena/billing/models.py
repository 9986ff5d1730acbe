"""A firm's billing state and the Stripe events received.

Both are platform tables (no ``tenant_id``, no RLS): a webhook arrives without a firm, and the
worker must find the firm from the Stripe customer before it can enter the firm's context. They
hold billing state only (ids, status, dates), no firm's business data.
"""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ordena.db.base import Base


class BillingAccount(Base):
    """One per firm that ever asked for billing: its Stripe customer and the subscription state
    last read from Stripe (never from an event's payload)."""

    __tablename__ = "billing_account"

    firm_id: Mapped[UUID] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), unique=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(100), unique=True, default=None)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(100), default=None)
    # trialing | active | past_due | canceled
    status: Mapped[str] = mapped_column(String(20), default="trialing")
    plan: Mapped[str | None] = mapped_column(String(20), default=None)
    interval: Mapped[str | None] = mapped_column(String(10), default=None)
    trial_ends_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    current_period_end: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    past_due_since: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # The open Checkout session (reused by a second click instead of opening another).
    checkout_session_id: Mapped[str | None] = mapped_column(String(200), default=None)
    checkout_url: Mapped[str | None] = mapped_column(Text, default=None)
    checkout_key: Mapped[str | None] = mapped_column(String(200), default=None)
    checkout_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    synced_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class BillingEvent(Base):
    """A Stripe event received, once per event id (the unique key drops redeliveries)."""

    __tablename__ = "billing_event"

    stripe_event_id: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(100))
    customer_id: Mapped[str | None] = mapped_column(String(100), default=None, index=True)
    processed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # applied | unchanged | unknown_customer | unknown_price | ignored
    outcome: Mapped[str | None] = mapped_column(String(30), default=None)
