"""companies and assessments: the firm's company counts and publications per day, kept by the changes

Revision ID: 0022
Revises: 0020
Create Date: 2026-11-28 04:30:00

The company list's pagination total and the dashboard's company counts counted the firm's
companies on every view, and the dashboard's "published in the last 12 months" counted the
firm's publications (issue 15: 199 → 100 req/s from 100 to 10,000 companies). ``company_count``
holds one row per firm (active, archived), changed in the transaction that creates, archives or
restores a company (``companies.counts``); ``publication_day`` counts the publications of each
firm's active companies per day in Lima, changed at publication and when a company is archived
or restored (``assessments.latest``). This migration fills both from the tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ordena.db import rls

revision: str = "0022"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As ``ordena.companies.counts.FILL_ALL`` reads today (kept here so the migration never changes).
COMPANY_COUNTS = """
INSERT INTO company_count (tenant_id, id, active, archived, created_at, updated_at)
SELECT t.id, gen_random_uuid(),
       (SELECT count(*) FROM company c WHERE c.tenant_id = t.id AND c.archived_at IS NULL),
       (SELECT count(*) FROM company c WHERE c.tenant_id = t.id AND c.archived_at IS NOT NULL),
       now(), now()
FROM tenant t WHERE true
"""

# As ``ordena.assessments.latest.PUBLICATIONS_ALL`` reads today.
PUBLICATIONS = """
INSERT INTO publication_day (tenant_id, id, day, n, created_at, updated_at)
SELECT a.tenant_id, gen_random_uuid(), ((a.published_at) AT TIME ZONE 'America/Lima')::date, count(*), now(), now()
FROM assessment a
JOIN company c ON c.tenant_id = a.tenant_id AND c.id = a.company_id AND c.archived_at IS NULL
WHERE a.status = 'published' AND a.published_at IS NOT NULL AND true
GROUP BY a.tenant_id, ((a.published_at) AT TIME ZONE 'America/Lima')::date
"""


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "company_count",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("archived", sa.Integer(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_company_count_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_company_count")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_company_count_tenant_id")),
    )
    rls.migrate_isolate("company_count")
    op.execute(COMPANY_COUNTS)
    op.create_table(
        "publication_day",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_publication_day_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_publication_day")),
        sa.UniqueConstraint("tenant_id", "day", name=op.f("uq_publication_day_tenant_id")),
    )
    rls.migrate_isolate("publication_day")
    op.execute(PUBLICATIONS)


def downgrade() -> None:
    op.drop_table("publication_day")
    op.drop_table("company_count")
