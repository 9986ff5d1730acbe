"""contacts readable across firms by their address, while a statement asks for it

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 10:00:00

A client contact who owns initiatives but was never invited to an assessment asks for a sign-in
link on the public form (``/c/link``) with nothing but their address; the form must find which
firms know that address. The contact table's policy gains a read-only alternative: rows whose
address equals the transaction's ``app.address`` setting (empty, as everywhere else, reads
nothing more). Writes stay checked against the firm. The index keeps that read from scanning
every firm's contacts.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from ordena.db import rls

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    rls.migrate_isolate("contact", extra_read_predicate=rls.ADDRESS_PREDICATE)
    op.execute("CREATE INDEX IF NOT EXISTS ix_contact_address ON contact (lower(email))")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_contact_address")
    rls.migrate_isolate("contact")
