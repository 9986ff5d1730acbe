"""The refresh role (DESIGN §11 "Who computes"): the database role the benchmark refresh runs as.

It logs in (its password derives from the secret key like the app role's, set by
``ordena db upgrade``), is neither superuser, owner nor BYPASSRLS, and may:

* read only the columns a refresh needs — no company name, RUC, contact, title or answer
  comment is readable — and, through a row-level security policy of its own, only the rows of
  firms that consent to (and have not left) the network named by the transaction's
  ``app.network_id`` setting (unset: nothing);
* insert into the release tables, which hold no tenant, company or firm identity;
* nothing else: it cannot update or delete anything, nor write any tenant table.
"""

from __future__ import annotations

from ordena.db import rls

# table → the columns the refresh reads
READ_COLUMNS: dict[str, tuple[str, ...]] = {
    "network_membership": ("tenant_id", "network_id", "consent_at", "left_at"),
    "company": ("tenant_id", "id", "industry_section", "size_band", "country"),
    "assessment": ("tenant_id", "id", "company_id", "framework_version_id", "kind", "status", "published_at"),
    "result_snapshot": ("tenant_id", "assessment_id", "overall"),
    "result_dimension_score": ("tenant_id", "assessment_id", "dimension_key", "score"),
    "respondent": ("tenant_id", "id", "assessment_id", "kind"),
    "answer": ("tenant_id", "respondent_id", "question_id", "level"),
    "network": ("id", "framework_id", "epsilon", "min_companies", "min_firms"),
    "framework_version": ("id", "framework_id", "owner_tenant_id"),
    "fw_pillar": ("id", "key", "owner_tenant_id"),
    "fw_dimension": ("id", "version_id", "pillar_id", "key", "weight", "owner_tenant_id"),
    "fw_question": ("id", "key", "dimension_id", "owner_tenant_id"),
}
TENANT_TABLES = ("company", "assessment", "result_snapshot", "result_dimension_score", "respondent", "answer")
RELEASE_TABLES = ("benchmark_release", "benchmark_cohort", "benchmark_practice")
NETWORK_SETTING = "NULLIF(current_setting('app.network_id', true), '')::uuid"
CONSENTING = f"network_id = {NETWORK_SETTING} AND consent_at IS NOT NULL AND left_at IS NULL"
POLICY = "benchmark_refresh_read"


def create_refresh_role(role: str) -> list[str]:
    stmts = rls.login_role(role)
    for table, columns in READ_COLUMNS.items():
        stmts.append(f'REVOKE ALL ON "{table}" FROM "{role}"')
        stmts.append(f'GRANT SELECT ({", ".join(columns)}) ON "{table}" TO "{role}"')
    for table in RELEASE_TABLES:
        stmts.append(f'REVOKE ALL ON "{table}" FROM "{role}"')
        stmts.append(f'GRANT SELECT, INSERT ON "{table}" TO "{role}"')
    stmts += [
        f'DROP POLICY IF EXISTS {POLICY} ON "network_membership"',
        f'CREATE POLICY {POLICY} ON "network_membership" FOR SELECT TO "{role}" USING ({CONSENTING})',
    ]
    consenting_firms = (
        "tenant_id IN (SELECT m.tenant_id FROM network_membership m "
        f"WHERE m.network_id = {NETWORK_SETTING} AND m.consent_at IS NOT NULL AND m.left_at IS NULL)"
    )
    for table in TENANT_TABLES:
        stmts += [
            f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
            f'CREATE POLICY {POLICY} ON "{table}" FOR SELECT TO "{role}" USING ({consenting_firms})',
        ]
    return stmts


def drop_refresh_role(role: str) -> list[str]:
    stmts = [f'DROP POLICY IF EXISTS {POLICY} ON "{t}"' for t in ("network_membership", *TENANT_TABLES)]
    stmts += [f'REVOKE ALL ON "{t}" FROM "{role}"' for t in (*READ_COLUMNS, *RELEASE_TABLES)]
    return stmts


def refresh_role_name() -> str:
    """The refresh role for the running migration (from ``ordena db``'s settings)."""
    from alembic import op

    config = op.get_context().config
    settings = config.attributes.get("settings") if config is not None else None
    return settings.refresh_db_role if settings is not None else "ordena_refresh"
