"""plan reminders: digests sent per owner per day, and unsubscribed owners

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 16:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

from ordena.db import rls

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _common(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("tenant_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("owner_key", sa.String(length=80), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f(f"fk_{table}_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "plan_digest_sent",
        *_common("plan_digest_sent"),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("initiatives", sa.Integer(), nullable=False),
        sa.UniqueConstraint("tenant_id", "owner_key", "sent_on", name=op.f("uq_plan_digest_sent_tenant_id")),
    )
    op.create_table(
        "plan_reminder_opt_out",
        *_common("plan_reminder_opt_out"),
        sa.UniqueConstraint("tenant_id", "owner_key", name=op.f("uq_plan_reminder_opt_out_tenant_id")),
    )
    for table in ("plan_digest_sent", "plan_reminder_opt_out"):
        rls.migrate_isolate(table)


def downgrade() -> None:
    op.drop_table("plan_reminder_opt_out")
    op.drop_table("plan_digest_sent")
