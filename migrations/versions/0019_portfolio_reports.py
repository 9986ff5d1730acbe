"""reports: the firm's portfolio workbook is a report too (a report without an assessment)

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27 22:20:00

The portfolio workbook was built inside the request; it now goes through the same job, progress
page and download as an assessment's report. Its row has no assessment: ``report.assessment_id``
becomes optional (the composite foreign key still holds for every assessment's report).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.alter_column("report", "assessment_id", existing_type=sa.Uuid(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM report WHERE assessment_id IS NULL")
    op.alter_column("report", "assessment_id", existing_type=sa.Uuid(), nullable=False)
