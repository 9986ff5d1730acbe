"""API tokens expire (optional; new ones default to 90 days)

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-27 19:00:00

Issue 14: a personal API token no longer lives forever. Existing tokens keep no expiry (their
owners chose none); a password change or reset revokes them all.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("api_token", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("api_token", "expires_at")
