"""networks: shared framework, consent terms and leaving, invitations, benchmark releases

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27 18:40:00

The release tables hold no tenant, company or firm identity (DESIGN §11) and so carry no
``tenant_id`` and no row-level security: what they hold is already fit to publish.
"""

from __future__ import annotations

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GUID = advanced_alchemy.types.guid.GUID(length=16)
UTC = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def _platform(table: str) -> list[sa.SchemaItem]:
    return [
        sa.Column("id", GUID, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _stats() -> list[sa.Column[object]]:
    return [sa.Column(name, sa.Numeric(5, 3), nullable=True) for name in ("mean", "p10", "p25", "p50", "p75", "p90")]


def upgrade() -> None:
    op.add_column("network", sa.Column("framework_id", GUID, nullable=True))
    op.create_foreign_key(
        op.f("fk_network_framework_id_framework"), "network", "framework", ["framework_id"], ["id"], ondelete="SET NULL"
    )
    op.add_column("network", sa.Column("epsilon", sa.Numeric(6, 3), nullable=False, server_default="1.000"))
    op.add_column("network", sa.Column("refresh_every_days", sa.Integer(), nullable=False, server_default="30"))
    op.add_column("network", sa.Column("terms_version", sa.String(20), nullable=False, server_default="2026-11"))

    op.add_column("network_membership", sa.Column("terms_version", sa.String(20), nullable=True))
    op.add_column("network_membership", sa.Column("left_at", UTC, nullable=True))
    op.add_column("network_membership", sa.Column("left_by", sa.String(320), nullable=True))
    op.add_column(
        "network_membership", sa.Column("show_to_clients", sa.Boolean(), nullable=False, server_default=sa.false())
    )

    op.create_table(
        "network_invitation",
        *_platform("network_invitation"),
        sa.Column("network_id", GUID, nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("firm_id", GUID, nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        sa.Column("invited_by", GUID, nullable=True),
        sa.ForeignKeyConstraint(
            ["network_id"], ["network.id"], name=op.f("fk_network_invitation_network_id_network"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["firm_id"], ["tenant.id"], name=op.f("fk_network_invitation_firm_id_tenant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["user_account.id"],
            name=op.f("fk_network_invitation_invited_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("token_hash", name=op.f("uq_network_invitation_token_hash")),
    )
    op.create_index(op.f("ix_network_invitation_network_id"), "network_invitation", ["network_id"])

    op.create_table(
        "benchmark_release",
        *_platform("benchmark_release"),
        sa.Column("network_id", GUID, nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("released_at", UTC, nullable=False),
        sa.Column("framework_id", GUID, nullable=True),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("min_firms", sa.Integer(), nullable=False),
        sa.Column("epsilon", sa.Numeric(6, 3), nullable=False),
        sa.Column("noised", sa.Boolean(), nullable=False),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"], ["network.id"], name=op.f("fk_benchmark_release_network_id_network"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["framework.id"],
            name=op.f("fk_benchmark_release_framework_id_framework"),
            ondelete="SET NULL",
        ),
        sa.UniqueConstraint("network_id", "number", name=op.f("uq_benchmark_release_network_id")),
    )
    op.create_table(
        "benchmark_cohort",
        *_platform("benchmark_cohort"),
        sa.Column("release_id", GUID, nullable=False),
        sa.Column("scope_kind", sa.String(10), nullable=False),
        sa.Column("scope_key", sa.String(60), nullable=False),
        sa.Column("slice_kind", sa.String(20), nullable=False),
        sa.Column("slice_value", sa.String(40), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(20), nullable=True),
        sa.Column("n_band", sa.String(10), nullable=True),
        sa.Column("histogram", postgresql.ARRAY(sa.Integer()), nullable=True),
        *_stats(),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["benchmark_release.id"],
            name=op.f("fk_benchmark_cohort_release_id_benchmark_release"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "release_id",
            "scope_kind",
            "scope_key",
            "slice_kind",
            "slice_value",
            name=op.f("uq_benchmark_cohort_release_id"),
        ),
    )
    op.create_index("ix_benchmark_cohort_lookup", "benchmark_cohort", ["release_id", "slice_kind", "slice_value"])
    op.create_table(
        "benchmark_practice",
        *_platform("benchmark_practice"),
        sa.Column("release_id", GUID, nullable=False),
        sa.Column("question_key", sa.String(100), nullable=False),
        sa.Column("dimension_key", sa.String(60), nullable=False),
        sa.Column("slice_kind", sa.String(20), nullable=False),
        sa.Column("slice_value", sa.String(40), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(20), nullable=True),
        sa.Column("n_band", sa.String(10), nullable=True),
        sa.Column("share_low", sa.Numeric(5, 4), nullable=True),
        sa.ForeignKeyConstraint(
            ["release_id"],
            ["benchmark_release.id"],
            name=op.f("fk_benchmark_practice_release_id_benchmark_release"),
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "release_id", "question_key", "slice_kind", "slice_value", name=op.f("uq_benchmark_practice_release_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("benchmark_practice")
    op.drop_index("ix_benchmark_cohort_lookup", table_name="benchmark_cohort")
    op.drop_table("benchmark_cohort")
    op.drop_table("benchmark_release")
    op.drop_index(op.f("ix_network_invitation_network_id"), table_name="network_invitation")
    op.drop_table("network_invitation")
    for column in ("show_to_clients", "left_by", "left_at", "terms_version"):
        op.drop_column("network_membership", column)
    for column in ("terms_version", "refresh_every_days", "epsilon"):
        op.drop_column("network", column)
    op.drop_constraint(op.f("fk_network_framework_id_framework"), "network", type_="foreignkey")
    op.drop_column("network", "framework_id")
