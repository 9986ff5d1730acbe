"""A bounded, process-local keep of things built from immutable inputs (views of published results,
rendered sections): keyed by every input the thing is built from, so that nothing ever has to be
invalidated — a changed input is another key. The least recently used go first."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T")
_MISSING = object()


class Kept(Generic[T]):
    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()  # report jobs may run on the in-process worker's thread

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def get(self, key: Hashable, default: T | None = None) -> T | None:
        with self._lock:
            found = self._items.get(key, _MISSING)
            if found is _MISSING:
                return default
            self._items.move_to_end(key)
            return found  # type: ignore[return-value]

    def put(self, key: Hashable, value: T) -> T:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def digest(text: str) -> bytes:
    """A stored document's identity in a key (keeping its text would keep every document alive)."""
    return hashlib.blake2b(text.encode(), digest_size=16).digest()
