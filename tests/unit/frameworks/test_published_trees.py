"""The cache of published framework trees stays bounded: firms publish versions for as long as
a process lives, and only the most recently read trees are kept."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ordena.frameworks import services
from ordena.frameworks.services import PublishedTrees


def _tree() -> Any:
    return object()  # the cache never looks inside a tree


def test_the_least_recently_read_tree_is_dropped_beyond_the_limit() -> None:
    trees = PublishedTrees(maxsize=2)
    published = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    a, b, c = ((uuid.uuid4(), published) for _ in range(3))
    tree_a, tree_b, tree_c = _tree(), _tree(), _tree()
    trees.put(a, tree_a)
    trees.put(b, tree_b)
    assert trees.get(a) is tree_a  # read again: b is now the oldest
    trees.put(c, tree_c)
    assert len(trees) == 2
    assert trees.get(b) is None
    assert trees.get(a) is tree_a and trees.get(c) is tree_c


def test_the_process_wide_cache_is_bounded() -> None:
    assert services._TREES.maxsize == services.TREES_MAX <= 1000
