"""Base models: UUIDv7 ids, audit columns and a naming convention (advanced-alchemy).

Tenant-owned models inherit :class:`TenantOwned`: ``tenant_id`` is the first column of the
primary key, and foreign keys between tenant-owned tables are composite
(``ForeignKeyConstraint([tenant_id, x_id], [x.tenant_id, x.id])``) so that a row can never point
at another firm's row. Migrations enable and force row-level security on every table that has a
``tenant_id`` column (see :mod:`ordena.db.rls`).
"""

from __future__ import annotations

from uuid import UUID

from advanced_alchemy.base import UUIDv7AuditBase, orm_registry
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

Base = UUIDv7AuditBase
metadata = orm_registry.metadata


class TenantOwned:
    """Mixin for tables whose rows belong to one firm."""

    @declared_attr
    def tenant_id(cls) -> Mapped[UUID]:
        return mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"), primary_key=True, sort_order=-200)


def tenant_owned_tables() -> list[str]:
    """Every table in the metadata that carries a ``tenant_id`` column."""
    return sorted(t.name for t in metadata.sorted_tables if "tenant_id" in t.c)
