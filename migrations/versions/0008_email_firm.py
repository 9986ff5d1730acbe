"""the firm each email was sent for (the development outbox shows a user only their firms' mail)

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("email", sa.Column("firm_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(op.f("fk_email_firm_id_tenant"), "email", "tenant", ["firm_id"], ["id"], ondelete="SET NULL")
    op.create_index(op.f("ix_email_firm_id"), "email", ["firm_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_email_firm_id"), table_name="email")
    op.drop_constraint(op.f("fk_email_firm_id_tenant"), "email", type_="foreignkey")
    op.drop_column("email", "firm_id")
