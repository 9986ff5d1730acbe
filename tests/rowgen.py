"""Generate a valid row for any table from the metadata (used by the isolation tests, so that
a new tenant table is covered without writing a factory for it)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Table, text

from ordena.db.base import metadata


def _value(column: sa.Column[Any]) -> Any:
    default = column.default
    if default is not None and default.is_scalar and default.arg is not None:
        return default.arg  # a column's own default satisfies its checks (e.g. a status)
    t = column.type
    if isinstance(t, sa.Enum):
        return t.enums[0]
    try:
        py = t.python_type
    except NotImplementedError:
        py = dict
    if py is uuid.UUID:
        return uuid.uuid4()
    if py is str:
        length = getattr(t, "length", None) or 32
        return uuid.uuid4().hex[: max(1, min(length, 32))]
    if py is bool:
        return False
    if py is int:
        return 1
    if py in (float, decimal.Decimal):
        return 1
    if py is dt.datetime:
        return dt.datetime.now(dt.UTC)
    if py is dt.date:
        return dt.date.today()
    if py is bytes:
        return uuid.uuid4().bytes * 2
    if py is list:
        return []
    return {}


async def insert_row(
    conn: Any, table: Table, tenant_id: uuid.UUID, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Insert one row of ``table`` belonging to ``tenant_id`` (parents created as needed)."""
    row: dict[str, Any] = {}
    for fk in table.foreign_key_constraints:
        parent = fk.referred_table
        if parent.name == "tenant":
            continue
        own_cols = [c for c in fk.columns if c.name != "tenant_id"]
        if parent is table or all(c.nullable for c in own_cols):
            for c in own_cols:
                row[c.name] = None  # optional reference: leave empty
            continue
        parent_row = await insert_row(conn, parent, tenant_id)
        for col, elem in zip(fk.columns, fk.elements, strict=True):
            row[col.name] = parent_row[elem.column.name]
    for column in table.columns:
        if column.name in row:
            continue
        if column.name == "tenant_id":
            row["tenant_id"] = tenant_id
        elif column.foreign_keys and next(iter(column.foreign_keys)).column.table.name == "tenant":
            row[column.name] = tenant_id
        elif column.name == "sa_orm_sentinel":
            continue
        else:
            row[column.name] = _value(column)
    row.update(overrides or {})
    cols = ", ".join(f'"{c}"' for c in row)
    vals = ", ".join(f":{c}" for c in row)
    binds = [sa.bindparam(c, type_=table.c[c].type) for c in row]
    await conn.execute(text(f'INSERT INTO "{table.name}" ({cols}) VALUES ({vals})').bindparams(*binds), row)
    return row


def table(name: str) -> Table:
    return metadata.tables[name]
