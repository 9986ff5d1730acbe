"""ORM objects built from rows read without the ORM (the driver, an in-process cache).

Built the way the ORM's own loading does: no constructor, the values straight into the
instance's dict, no change history, then given its identity: detached, as if loaded by a
session since closed. Read it freely; ``session.merge(obj)`` attaches it when a change must
be saved (or a statement saves it). Profiled: the constructor and
``make_transient_to_detached`` cost a tenth of an autosave; this is the one place that does it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Generic, TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm.attributes import instance_state

_M = TypeVar("_M")


class Detached(Generic[_M]):
    """Detached instances of one mapped class, from the values of every mapped column."""

    def __init__(self, model: type[_M]) -> None:
        mapper: Any = inspect(model)
        attrs = list(mapper.column_attrs)
        # Attribute names and their columns, in mapper order (the order of ``from_row``).
        self.keys: tuple[str, ...] = tuple(attr.key for attr in attrs)
        self.columns: tuple[str, ...] = tuple(attr.columns[0].name for attr in attrs)
        self._primary_key = tuple(mapper.get_property_by_column(column).key for column in mapper.primary_key)
        self._new_instance = mapper.class_manager.new_instance
        self._identity_key = mapper.identity_key_from_primary_key

    def from_row(self, values: Iterable[Any]) -> _M:
        """An instance from one value per column, in the order of :attr:`keys`."""
        return self.from_dict(dict(zip(self.keys, values, strict=True)))

    def from_dict(self, values: Mapping[str, Any]) -> _M:
        """An instance from ``{attribute: value}`` covering every key in :attr:`keys` (a
        missing one would read as expired, which a detached object cannot load)."""
        obj: _M = self._new_instance()
        obj.__dict__.update(values)
        # Every column is in the dict and nothing is changed: the identity is all that
        # make_transient_to_detached would add.
        instance_state(obj).key = self._identity_key([values[key] for key in self._primary_key])
        return obj

    def values_of(self, obj: _M) -> dict[str, Any]:
        """``{attribute: value}`` of a loaded instance, for :meth:`from_dict` later."""
        return {key: getattr(obj, key) for key in self.keys}
