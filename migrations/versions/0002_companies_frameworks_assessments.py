"""client companies, frameworks, assessments

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 14:15:20.019802
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from ordena.db import rls

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "company",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("ruc", sa.String(length=11), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("industry_section", sa.String(length=1), nullable=False),
        sa.Column("industry_division", sa.String(length=2), nullable=True),
        sa.Column("size_band", sa.String(length=10), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("default_target_level", sa.Integer(), nullable=False),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_company_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_company")),
        sa.UniqueConstraint("tenant_id", "ruc", name=op.f("uq_company_tenant_id")),
    )
    op.create_index("ix_company_tenant_name", "company", ["tenant_id", "name"], unique=False)
    op.create_table(
        "framework",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("description", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=True),
        sa.Column("based_on_version_id", sa.Uuid(), nullable=True),
        sa.Column("owner_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"], ["network.id"], name=op.f("fk_framework_network_id_network"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["owner_tenant_id"], ["tenant.id"], name=op.f("fk_framework_owner_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework")),
        sa.UniqueConstraint("key", "owner_tenant_id", name=op.f("uq_framework_key")),
        info={"rls_shared": True},
    )
    op.create_index(op.f("ix_framework_owner_tenant_id"), "framework", ["owner_tenant_id"], unique=False)
    op.create_table(
        "contact",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "company_id"],
            ["company.tenant_id", "company.id"],
            name=op.f("fk_contact_tenant_id_company"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_contact_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_contact")),
        sa.UniqueConstraint("tenant_id", "company_id", "email", name=op.f("uq_contact_tenant_id")),
    )
    op.create_table(
        "framework_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("framework_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("levels", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("owner_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_id"],
            ["framework.id"],
            name=op.f("fk_framework_version_framework_id_framework"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_tenant_id"],
            ["tenant.id"],
            name=op.f("fk_framework_version_owner_tenant_id_tenant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_framework_version")),
        sa.UniqueConstraint("framework_id", "version", name=op.f("uq_framework_version_framework_id")),
        info={"rls_shared": True},
    )
    op.create_index(op.f("ix_framework_version_framework_id"), "framework_version", ["framework_id"], unique=False)
    op.create_index(
        op.f("ix_framework_version_owner_tenant_id"), "framework_version", ["owner_tenant_id"], unique=False
    )
    op.create_table(
        "assessment",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("framework_version_id", sa.Uuid(), nullable=False),
        sa.Column("baseline_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("targets", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reminder_days", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("validated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("validated_by", sa.Uuid(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by", sa.Uuid(), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["framework_version_id"],
            ["framework_version.id"],
            name=op.f("fk_assessment_framework_version_id_framework_version"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "baseline_id"],
            ["assessment.tenant_id", "assessment.id"],
            name=op.f("fk_assessment_tenant_id_assessment"),
            ondelete="SET NULL (baseline_id)",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "company_id"],
            ["company.tenant_id", "company.id"],
            name=op.f("fk_assessment_tenant_id_company"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_assessment_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_assessment")),
    )
    op.create_index("ix_assessment_company", "assessment", ["tenant_id", "company_id", "created_at"], unique=False)
    op.create_index(op.f("ix_assessment_framework_version_id"), "assessment", ["framework_version_id"], unique=False)
    op.create_index("ix_assessment_status", "assessment", ["tenant_id", "status"], unique=False)
    op.create_table(
        "fw_pillar",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("description", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("weight", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("owner_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_tenant_id"], ["tenant.id"], name=op.f("fk_fw_pillar_owner_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["framework_version.id"],
            name=op.f("fk_fw_pillar_version_id_framework_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fw_pillar")),
        sa.UniqueConstraint("version_id", "key", name=op.f("uq_fw_pillar_version_id")),
        info={"rls_shared": True},
    )
    op.create_index(op.f("ix_fw_pillar_owner_tenant_id"), "fw_pillar", ["owner_tenant_id"], unique=False)
    op.create_index(op.f("ix_fw_pillar_version_id"), "fw_pillar", ["version_id"], unique=False)
    op.create_table(
        "fw_dimension",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("pillar_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("description", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("weight", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("owner_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_tenant_id"], ["tenant.id"], name=op.f("fk_fw_dimension_owner_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pillar_id"], ["fw_pillar.id"], name=op.f("fk_fw_dimension_pillar_id_fw_pillar"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["framework_version.id"],
            name=op.f("fk_fw_dimension_version_id_framework_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fw_dimension")),
        sa.UniqueConstraint("version_id", "key", name=op.f("uq_fw_dimension_version_id")),
        info={"rls_shared": True},
    )
    op.create_index(op.f("ix_fw_dimension_owner_tenant_id"), "fw_dimension", ["owner_tenant_id"], unique=False)
    op.create_index(op.f("ix_fw_dimension_pillar_id"), "fw_dimension", ["pillar_id"], unique=False)
    op.create_index(op.f("ix_fw_dimension_version_id"), "fw_dimension", ["version_id"], unique=False)
    op.create_table(
        "respondent",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assessment_id"],
            ["assessment.tenant_id", "assessment.id"],
            name=op.f("fk_respondent_tenant_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "contact_id"],
            ["contact.tenant_id", "contact.id"],
            name=op.f("fk_respondent_tenant_id_contact"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_respondent_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_respondent")),
        sa.UniqueConstraint("tenant_id", "assessment_id", "contact_id", name=op.f("uq_respondent_tenant_id")),
    )
    op.create_table(
        "result_snapshot",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("overall", sa.Numeric(precision=4, scale=2), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assessment_id"],
            ["assessment.tenant_id", "assessment.id"],
            name=op.f("fk_result_snapshot_tenant_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_result_snapshot_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_result_snapshot")),
        sa.UniqueConstraint("tenant_id", "assessment_id", name=op.f("uq_result_snapshot_tenant_id")),
    )
    op.create_table(
        "dimension_override",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("dimension_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("computed_score", sa.Numeric(precision=4, scale=2), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_label", sa.String(length=320), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_dimension_override_score_range")),
        sa.ForeignKeyConstraint(
            ["dimension_id"], ["fw_dimension.id"], name=op.f("fk_dimension_override_dimension_id_fw_dimension")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assessment_id"],
            ["assessment.tenant_id", "assessment.id"],
            name=op.f("fk_dimension_override_tenant_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_dimension_override_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_dimension_override")),
        sa.UniqueConstraint("tenant_id", "assessment_id", "dimension_id", name=op.f("uq_dimension_override_tenant_id")),
    )
    op.create_table(
        "fw_initiative",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("dimension_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("from_level", sa.Integer(), nullable=False),
        sa.Column("title", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("description", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("kpi", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("expected_gain", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("question_keys", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("owner_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dimension_id"],
            ["fw_dimension.id"],
            name=op.f("fk_fw_initiative_dimension_id_fw_dimension"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_tenant_id"], ["tenant.id"], name=op.f("fk_fw_initiative_owner_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["framework_version.id"],
            name=op.f("fk_fw_initiative_version_id_framework_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fw_initiative")),
        sa.UniqueConstraint("version_id", "key", name=op.f("uq_fw_initiative_version_id")),
        info={"rls_shared": True},
    )
    op.create_index(op.f("ix_fw_initiative_dimension_id"), "fw_initiative", ["dimension_id"], unique=False)
    op.create_index(op.f("ix_fw_initiative_owner_tenant_id"), "fw_initiative", ["owner_tenant_id"], unique=False)
    op.create_index(op.f("ix_fw_initiative_version_id"), "fw_initiative", ["version_id"], unique=False)
    op.create_table(
        "fw_question",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("dimension_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("text", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("help", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("levels", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("weight", sa.Numeric(precision=6, scale=3), nullable=False),
        sa.Column("allows_na", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("owner_tenant_id", sa.Uuid(), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dimension_id"],
            ["fw_dimension.id"],
            name=op.f("fk_fw_question_dimension_id_fw_dimension"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_tenant_id"], ["tenant.id"], name=op.f("fk_fw_question_owner_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["framework_version.id"],
            name=op.f("fk_fw_question_version_id_framework_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fw_question")),
        sa.UniqueConstraint("version_id", "key", name=op.f("uq_fw_question_version_id")),
        info={"rls_shared": True},
    )
    op.create_index(op.f("ix_fw_question_dimension_id"), "fw_question", ["dimension_id"], unique=False)
    op.create_index(op.f("ix_fw_question_owner_tenant_id"), "fw_question", ["owner_tenant_id"], unique=False)
    op.create_index(op.f("ix_fw_question_version_id"), "fw_question", ["version_id"], unique=False)
    op.create_table(
        "answer",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("respondent_id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=True),
        sa.Column("not_applicable", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(level BETWEEN 1 AND 5 AND NOT not_applicable) OR (level IS NULL)", name=op.f("ck_answer_level_range")
        ),
        sa.ForeignKeyConstraint(["question_id"], ["fw_question.id"], name=op.f("fk_answer_question_id_fw_question")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assessment_id"],
            ["assessment.tenant_id", "assessment.id"],
            name=op.f("fk_answer_tenant_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "respondent_id"],
            ["respondent.tenant_id", "respondent.id"],
            name=op.f("fk_answer_tenant_id_respondent"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_answer_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_answer")),
        sa.UniqueConstraint("tenant_id", "respondent_id", "question_id", name=op.f("uq_answer_tenant_id")),
    )
    op.create_index("ix_answer_assessment", "answer", ["tenant_id", "assessment_id"], unique=False)
    op.create_table(
        "evidence",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("question_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=320), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["fw_question.id"], name=op.f("fk_evidence_question_id_fw_question")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "assessment_id"],
            ["assessment.tenant_id", "assessment.id"],
            name=op.f("fk_evidence_tenant_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_evidence_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_evidence")),
    )
    op.create_index("ix_evidence_question", "evidence", ["tenant_id", "assessment_id", "question_id"], unique=False)
    op.create_table(
        "evidence_revision",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("evidence_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("added_by", sa.String(length=320), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "evidence_id"],
            ["evidence.tenant_id", "evidence.id"],
            name=op.f("fk_evidence_revision_tenant_id_evidence"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenant.id"], name=op.f("fk_evidence_revision_tenant_id_tenant"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_evidence_revision")),
    )
    for table in (
        "company",
        "contact",
        "assessment",
        "respondent",
        "answer",
        "evidence",
        "evidence_revision",
        "dimension_override",
        "result_snapshot",
    ):
        rls.migrate_isolate(table)
    for table in ("framework", "framework_version", "fw_pillar", "fw_dimension", "fw_question", "fw_initiative"):
        rls.migrate_share(table)


def downgrade() -> None:
    op.drop_table("evidence_revision")
    op.drop_index("ix_evidence_question", table_name="evidence")
    op.drop_table("evidence")
    op.drop_index("ix_answer_assessment", table_name="answer")
    op.drop_table("answer")
    op.drop_index(op.f("ix_fw_question_version_id"), table_name="fw_question")
    op.drop_index(op.f("ix_fw_question_owner_tenant_id"), table_name="fw_question")
    op.drop_index(op.f("ix_fw_question_dimension_id"), table_name="fw_question")
    op.drop_table("fw_question")
    op.drop_index(op.f("ix_fw_initiative_version_id"), table_name="fw_initiative")
    op.drop_index(op.f("ix_fw_initiative_owner_tenant_id"), table_name="fw_initiative")
    op.drop_index(op.f("ix_fw_initiative_dimension_id"), table_name="fw_initiative")
    op.drop_table("fw_initiative")
    op.drop_table("dimension_override")
    op.drop_table("result_snapshot")
    op.drop_table("respondent")
    op.drop_index(op.f("ix_fw_dimension_version_id"), table_name="fw_dimension")
    op.drop_index(op.f("ix_fw_dimension_pillar_id"), table_name="fw_dimension")
    op.drop_index(op.f("ix_fw_dimension_owner_tenant_id"), table_name="fw_dimension")
    op.drop_table("fw_dimension")
    op.drop_index(op.f("ix_fw_pillar_version_id"), table_name="fw_pillar")
    op.drop_index(op.f("ix_fw_pillar_owner_tenant_id"), table_name="fw_pillar")
    op.drop_table("fw_pillar")
    op.drop_index("ix_assessment_status", table_name="assessment")
    op.drop_index(op.f("ix_assessment_framework_version_id"), table_name="assessment")
    op.drop_index("ix_assessment_company", table_name="assessment")
    op.drop_table("assessment")
    op.drop_index(op.f("ix_framework_version_owner_tenant_id"), table_name="framework_version")
    op.drop_index(op.f("ix_framework_version_framework_id"), table_name="framework_version")
    op.drop_table("framework_version")
    op.drop_table("contact")
    op.drop_index(op.f("ix_framework_owner_tenant_id"), table_name="framework")
    op.drop_table("framework")
    op.drop_index("ix_company_tenant_name", table_name="company")
    op.drop_table("company")
