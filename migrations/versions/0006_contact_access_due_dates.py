"""contact access and client emails: due date, reminder and results-mail markers, contact language

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("assessment", sa.Column("due_on", sa.Date(), nullable=True))
    op.add_column("assessment", sa.Column("due_reminded_for", sa.Date(), nullable=True))
    op.add_column("assessment", sa.Column("results_mailed_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("contact", sa.Column("locale", sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column("contact", "locale")
    op.drop_column("assessment", "results_mailed_at")
    op.drop_column("assessment", "due_reminded_for")
    op.drop_column("assessment", "due_on")
