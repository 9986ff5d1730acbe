"""Row-level security and the restricted app role, as SQL used by migrations.

Every tenant-owned table gets RLS enabled and FORCED, with one policy whose USING and WITH CHECK
compare ``tenant_id`` with the per-transaction setting ``app.tenant_id``. With no tenant set the
setting is empty, ``NULLIF`` turns it into NULL and the comparison is never true: no rows, no error.
"""

from __future__ import annotations

TENANT_PREDICATE = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"
USER_PREDICATE = "user_id = NULLIF(current_setting('app.user_id', true), '')::uuid"
# Reads of the rows with one email address in every firm, while a statement sets it for its own
# transaction (the public "ask for a fresh link" form finds who an address is, across firms).
ADDRESS_PREDICATE = "lower(email) = NULLIF(current_setting('app.address', true), '')"


def enable_tenant_rls(table: str, *, extra_read_predicate: str | None = None) -> list[str]:
    """Statements that isolate ``table`` by tenant.

    ``extra_read_predicate`` widens reads only (e.g. a user may list their own memberships in
    every firm to pick one); writes are always checked against the current tenant.
    """
    using = TENANT_PREDICATE if not extra_read_predicate else (f"({TENANT_PREDICATE}) OR ({extra_read_predicate})")
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"',
        f'CREATE POLICY tenant_isolation ON "{table}" USING ({using}) WITH CHECK ({TENANT_PREDICATE})',
    ]


OWNER_PREDICATE = "owner_tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid"


def enable_shared_rls(table: str) -> list[str]:
    """Shared reference content (frameworks): everyone reads platform rows (owner NULL) and
    their own firm's rows; the app role writes only its own firm's rows. Enabled but not
    forced, so the table owner (migrations, the operator's CLI) can load platform content."""
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
        f'DROP POLICY IF EXISTS shared_content ON "{table}"',
        # One policy per command: a single ALL policy's USING would let DELETE (which checks
        # USING only) remove platform rows that the app role can merely read.
        f'DROP POLICY IF EXISTS shared_read ON "{table}"',
        f'DROP POLICY IF EXISTS shared_insert ON "{table}"',
        f'DROP POLICY IF EXISTS shared_update ON "{table}"',
        f'DROP POLICY IF EXISTS shared_delete ON "{table}"',
        f'CREATE POLICY shared_read ON "{table}" FOR SELECT USING (owner_tenant_id IS NULL OR {OWNER_PREDICATE})',
        f'CREATE POLICY shared_insert ON "{table}" FOR INSERT WITH CHECK ({OWNER_PREDICATE})',
        f'CREATE POLICY shared_update ON "{table}" FOR UPDATE USING ({OWNER_PREDICATE}) WITH CHECK ({OWNER_PREDICATE})',
        f'CREATE POLICY shared_delete ON "{table}" FOR DELETE USING ({OWNER_PREDICATE})',
    ]


def migrate_share(table: str) -> None:
    from alembic import op

    for stmt in enable_shared_rls(table):
        op.execute(stmt)


def login_role(role: str) -> list[str]:
    """A role that logs in and is neither superuser nor BYPASSRLS, created once (idempotent)."""
    return [
        f"""DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                CREATE ROLE "{role}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
              END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
              NULL;  -- created meanwhile by a concurrent migration of another database
            END $$""",
        f'ALTER ROLE "{role}" NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE',
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
    ]


def create_app_role(role: str) -> list[str]:
    """The role web and workers log in as: not superuser, no BYPASSRLS, owns nothing."""
    return [
        *login_role(role),
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "{role}"',
    ]


def grant_app_role(role: str) -> list[str]:
    """Grants on every existing table (idempotent; re-run after each migration)."""
    return [
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
    ]


def append_only(table: str, role: str) -> list[str]:
    """The app role may add and read rows of ``table``, never change or remove them."""
    return [f'REVOKE UPDATE, DELETE, TRUNCATE ON "{table}" FROM "{role}"']


def app_role_name() -> str:
    """The app role for the running migration (from ``ordena db``'s settings)."""
    from alembic import op

    config = op.get_context().config
    settings = config.attributes.get("settings") if config is not None else None
    return settings.app_db_role if settings is not None else "ordena_app"


def migrate_isolate(table: str, *, extra_read_predicate: str | None = None) -> None:
    """In a migration: enable and force RLS on a new tenant-owned table."""
    from alembic import op

    for stmt in enable_tenant_rls(table, extra_read_predicate=extra_read_predicate):
        op.execute(stmt)


def migrate_create_app_role() -> None:
    from alembic import op

    for stmt in create_app_role(app_role_name()):
        op.execute(stmt)
