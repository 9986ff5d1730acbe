"""the firm's default framework version for new assessments

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00

The setting lives on the firm (``tenant``), not on ``framework``: platform frameworks are shared
rows every firm reads, so a per-firm choice cannot be stored on them, and the choice names one
*version* (a firm keeps publishing new versions of its copy and picks which one new assessments
use). NULL = the platform's latest default version.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("tenant", sa.Column("default_framework_version_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        op.f("fk_tenant_default_framework_version_id_framework_version"),
        "tenant",
        "framework_version",
        ["default_framework_version_id"],
        ["id"],
        ondelete="SET NULL",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_tenant_default_framework_version_id_framework_version"), "tenant", type_="foreignkey")
    op.drop_column("tenant", "default_framework_version_id")
