"""firm setting: completeness below which publishing needs a reason

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tenant", sa.Column("publish_threshold_pct", sa.Integer(), server_default="80", nullable=False))
    op.create_check_constraint("ck_tenant_publish_threshold_pct", "tenant", "publish_threshold_pct BETWEEN 0 AND 100")


def downgrade() -> None:
    op.drop_constraint("ck_tenant_publish_threshold_pct", "tenant", type_="check")
    op.drop_column("tenant", "publish_threshold_pct")
