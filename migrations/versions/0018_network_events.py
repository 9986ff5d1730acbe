"""networks: the network's own append-only event log (network-side audit, the consent list)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 19:00:00

A platform table: a network is no firm's, so its steps (created, admins, invitations, refresh
requests) cannot go to a firm's audit trail. Firms joining and leaving are written here too (and
to the firm's own trail), so that the network admin's consent list needs no tenant table: with no
tenant set, ``network_membership`` reads as empty (RLS).
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from ordena.db import rls

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
UTC = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    op.create_table(
        "network_event",
        sa.Column("id", GUID, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("network_id", GUID, nullable=False),
        sa.Column("firm_id", GUID, nullable=True),
        sa.Column("actor_id", GUID, nullable=True),
        sa.Column("actor_label", sa.String(320), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("entity_type", sa.String(60), nullable=False),
        sa.Column("entity_id", sa.String(64), nullable=False),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_event")),
        sa.ForeignKeyConstraint(
            ["network_id"], ["network.id"], name=op.f("fk_network_event_network_id_network"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["tenant.id"], name=op.f("fk_network_event_firm_id_tenant"), ondelete="SET NULL"
        ),
    )
    op.create_index("ix_network_event_network_created", "network_event", ["network_id", "created_at"])
    for stmt in rls.grant_app_role(rls.app_role_name()):
        op.execute(stmt)
    for stmt in rls.append_only("network_event", rls.app_role_name()):
        op.execute(stmt)


def downgrade() -> None:
    op.drop_index("ix_network_event_network_created", table_name="network_event")
    op.drop_table("network_event")
