"""billing: a firm's Stripe account and subscription state, and the Stripe events received

Revision ID: 0014
Revises: 0013 (the lead re-chains onto 0013 at merge)
Create Date: 2026-11-27 19:20:00

Both are platform tables (no tenant_id, no RLS): a webhook arrives without a firm and its
worker finds the firm from the Stripe customer first. ``billing_event.stripe_event_id`` is
unique: a redelivered event inserts nothing and enqueues nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)


def _ts(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=nullable)


def _common(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("id", GUID, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        _ts("created_at", nullable=False),
        _ts("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "billing_account",
        *_common("billing_account"),
        sa.Column("firm_id", GUID, nullable=False),
        sa.Column("stripe_customer_id", sa.String(length=100), nullable=True),
        sa.Column("stripe_subscription_id", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("plan", sa.String(length=20), nullable=True),
        sa.Column("interval", sa.String(length=10), nullable=True),
        _ts("trial_ends_at"),
        _ts("current_period_end"),
        sa.Column("cancel_at_period_end", sa.Boolean(), nullable=False),
        _ts("past_due_since"),
        sa.Column("checkout_session_id", sa.String(length=200), nullable=True),
        sa.Column("checkout_url", sa.Text(), nullable=True),
        sa.Column("checkout_key", sa.String(length=200), nullable=True),
        _ts("checkout_expires_at"),
        _ts("synced_at"),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["tenant.id"], name=op.f("fk_billing_account_firm_id_tenant"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("firm_id", name=op.f("uq_billing_account_firm_id")),
        sa.UniqueConstraint("stripe_customer_id", name=op.f("uq_billing_account_stripe_customer_id")),
    )
    op.create_table(
        "billing_event",
        *_common("billing_event"),
        sa.Column("stripe_event_id", sa.String(length=100), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=True),
        _ts("processed_at"),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.UniqueConstraint("stripe_event_id", name=op.f("uq_billing_event_stripe_event_id")),
    )
    op.create_index(op.f("ix_billing_event_customer_id"), "billing_event", ["customer_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_billing_event_customer_id"), table_name="billing_event")
    op.drop_table("billing_event")
    op.drop_table("billing_account")
