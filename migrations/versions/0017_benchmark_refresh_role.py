"""benchmark refresh role: reads consenting firms' score columns, inserts releases only

Revision ID: 0017
Revises: 0015
Create Date: 2026-11-27 19:00:00

The refresh job of a network's benchmark (DESIGN §11) logs in as its own role: column grants on
the score columns it needs, a row-level security policy limited to the firms that consent to the
network named by ``app.network_id``, and INSERT on the release tables only (see
``ordena.networks.roles``). ``ordena db upgrade`` sets its password, derived like the app role's.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from ordena.networks import roles

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for stmt in roles.create_refresh_role(roles.refresh_role_name()):
        op.execute(stmt)


def downgrade() -> None:
    for stmt in roles.drop_refresh_role(roles.refresh_role_name()):
        op.execute(stmt)
