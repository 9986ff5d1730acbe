"""Reading frameworks: the default version and an immutable in-memory tree of a version.

``structure(db, version_id)`` returns a :class:`FrameworkStructure` (pillars → dimensions →
questions, initiatives per dimension, ordered by position). Published versions never change,
so the most recently read trees are cached (:class:`PublishedTrees`); the cache is only
consulted after the database (under RLS) confirmed that the caller may see the version, so a
firm never reaches another firm's custom framework through the cache.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any, TypeVar, cast
from uuid import UUID

import asyncpg
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.db.driver import driver
from ordena.frameworks import queries
from ordena.frameworks.loader import DEFAULT_FRAMEWORK_KEY
from ordena.frameworks.models import Dimension, Framework, FrameworkVersion, InitiativeTemplate, Pillar, Question
from ordena.lib.errors import NotFound
from ordena.lib.i18n import DEFAULT_LOCALE, get_locale

LEVELS = (1, 2, 3, 4, 5)
T = TypeVar("T")


def label(doc: Mapping[str, Any] | str | None, locale: str | None = None) -> str:
    """The text of a ``{"es", "en"}`` document in the current locale (Spanish as fallback)."""
    if doc is None:
        return ""
    if isinstance(doc, str):
        return doc
    loc = locale or get_locale()
    value = doc.get(loc) or doc.get(DEFAULT_LOCALE)
    if not value:
        value = next((v for v in doc.values() if v), "")
    return str(value)


@dataclass(frozen=True)
class QuestionNode:
    id: UUID
    key: str
    dimension_id: UUID
    dimension_key: str
    text: Mapping[str, str]
    help: Mapping[str, str]
    levels: Mapping[int, Mapping[str, str]]
    weight: Decimal
    allows_na: bool
    position: int


@dataclass(frozen=True)
class InitiativeNode:
    id: UUID
    key: str
    dimension_key: str
    from_level: int
    title: Mapping[str, str]
    description: Mapping[str, str]
    kpi: Mapping[str, str]
    expected_gain: Decimal
    question_keys: tuple[str, ...]


@dataclass(frozen=True)
class DimensionNode:
    id: UUID
    key: str
    pillar_key: str
    name: Mapping[str, str]
    description: Mapping[str, str]
    weight: Decimal
    position: int
    questions: tuple[QuestionNode, ...]
    initiatives: tuple[InitiativeNode, ...]

    def initiatives_between(self, current_level: int, target_level: int) -> tuple[InitiativeNode, ...]:
        """Initiatives for each step current → current+1 … target−1 → target."""
        return tuple(i for i in self.initiatives if current_level <= i.from_level < target_level)


@dataclass(frozen=True)
class PillarNode:
    id: UUID
    key: str
    name: Mapping[str, str]
    description: Mapping[str, str]
    weight: Decimal
    position: int
    dimensions: tuple[DimensionNode, ...]


@dataclass(frozen=True)
class FrameworkStructure:
    version_id: UUID
    framework_id: UUID
    framework_key: str
    owner_tenant_id: UUID | None
    name: Mapping[str, str]
    description: Mapping[str, str]
    version: int
    status: str
    levels: Mapping[int, Mapping[str, str]]
    pillars: tuple[PillarNode, ...]
    _dimensions: Mapping[str, DimensionNode] = field(repr=False, compare=False, default_factory=dict)
    _dimensions_by_id: Mapping[UUID, DimensionNode] = field(repr=False, compare=False, default_factory=dict)
    _questions: Mapping[UUID, QuestionNode] = field(repr=False, compare=False, default_factory=dict)
    # Views other domains derive from this tree (e.g. the questionnaire's texts in one locale),
    # computed once per tree object with ``derived_view``: they live exactly as long as the tree
    # does (a published version's in ``_TREES``, a draft's for the one read that built it).
    _derived: dict[Hashable, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def dimensions(self) -> tuple[DimensionNode, ...]:
        return tuple(d for p in self.pillars for d in p.dimensions)

    @property
    def questions(self) -> tuple[QuestionNode, ...]:
        return tuple(q for d in self.dimensions for q in d.questions)

    def iter_questions(self) -> Iterator[QuestionNode]:
        for p in self.pillars:
            for d in p.dimensions:
                yield from d.questions

    def pillar(self, key: str) -> PillarNode:
        for p in self.pillars:
            if p.key == key:
                return p
        raise KeyError(key)

    def dimension(self, key: str) -> DimensionNode:
        return self._dimensions[key]

    def dimension_by_id(self, dimension_id: UUID) -> DimensionNode:
        return self._dimensions_by_id[dimension_id]

    def has_dimension(self, dimension_id: UUID) -> bool:
        return dimension_id in self._dimensions_by_id

    def question(self, question_id: UUID) -> QuestionNode:
        return self._questions[question_id]

    def has_question(self, question_id: UUID) -> bool:
        return question_id in self._questions

    def label(self, doc: Mapping[str, Any] | str | None) -> str:
        return label(doc)

    def level_name(self, level: int | None) -> str:
        if level is None:
            return ""
        return label(self.levels.get(int(level)))

    @property
    def is_published(self) -> bool:
        return self.status == "published"

    def derived_view(self, key: Hashable, build: Callable[[FrameworkStructure], T]) -> T:
        """``build(self)`` once per tree object and ``key`` (which names every other input, e.g.
        the locale). A draft's tree is built anew on every read, so an edit is never served stale;
        a published tree never changes. Two threads may both build it once; either result is kept."""
        try:
            return cast(T, self._derived[key])
        except KeyError:
            view = self._derived.setdefault(key, build(self))
            return cast(T, view)


def _int_keys(levels: Mapping[str, Any] | None) -> Mapping[int, Mapping[str, str]]:
    return MappingProxyType(
        {int(k): MappingProxyType(dict(v)) for k, v in sorted((levels or {}).items(), key=lambda kv: int(kv[0]))}
    )


def _doc(value: Mapping[str, str] | None) -> Mapping[str, str]:
    return MappingProxyType(dict(value or {}))


# A published tree is immutable, so its id and publication time name it for good (a publish
# rolled back and redone gets a new time). Firms keep publishing versions of their own
# frameworks for as long as a process lives: the cache keeps the most recently read ones only.
TreeKey = tuple[UUID, dt.datetime | None]
TREES_MAX = 128


class PublishedTrees:
    """Least-recently-read trees of published versions, at most ``maxsize`` of them."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._trees: OrderedDict[TreeKey, FrameworkStructure] = OrderedDict()
        # The in-process worker's jobs run on dramatiq's own event-loop thread, beside the web's.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._trees)

    def get(self, key: TreeKey) -> FrameworkStructure | None:
        with self._lock:
            tree = self._trees.get(key)
            if tree is not None:
                self._trees.move_to_end(key)
            return tree

    def put(self, key: TreeKey, tree: FrameworkStructure) -> None:
        with self._lock:
            self._trees[key] = tree
            self._trees.move_to_end(key)
            while len(self._trees) > self.maxsize:
                self._trees.popitem(last=False)


_TREES = PublishedTrees(TREES_MAX)


async def default_version(db: AsyncSession) -> FrameworkVersion:
    """The latest published version of the platform's default framework."""
    version = await db.scalar(
        select(FrameworkVersion)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(
            Framework.key == DEFAULT_FRAMEWORK_KEY,
            Framework.owner_tenant_id.is_(None),
            FrameworkVersion.status == "published",
        )
        .order_by(FrameworkVersion.version.desc())
        .limit(1)
    )
    if version is None:
        raise LookupError("the default framework is not loaded (run `ordena db upgrade`)")
    return version


async def get_version(db: AsyncSession, version_id: UUID) -> FrameworkVersion:
    """A version the caller may see (platform or own firm's, by RLS); 404 otherwise."""
    version = await db.get(FrameworkVersion, version_id)
    if version is None:
        raise NotFound()
    return version


def published_tree(version_id: UUID, status: str, published_at: dt.datetime | None) -> FrameworkStructure | None:
    """The cached tree of a published version whose state the caller read already (in a
    statement of its own, e.g. the results page's head), or None: then :func:`structure`."""
    return _TREES.get((version_id, published_at)) if status == "published" else None


async def cached_structure(con: asyncpg.Connection, version_id: UUID) -> FrameworkStructure | None:
    """A published version's tree when this process has it already (one plain statement reads
    its state, as :func:`structure` does on a hit); None otherwise (then use :func:`structure`)."""
    state = await queries.version_state(con, version_id)
    if state is None or state[0] != "published":
        return None
    return _TREES.get((version_id, state[1]))


async def structure(db: AsyncSession, version_id: UUID) -> FrameworkStructure:
    # A published version's tree is cached: on a hit only its state is read, as a plain row
    # (benchmarked: loading the version as an ORM object on every scoring request).
    state = await queries.version_state(await driver(db), version_id)
    if state is None:
        raise NotFound()
    key = (version_id, state[1])
    tree = _TREES.get(key) if state[0] == "published" else None
    if tree is not None:
        return tree
    version = await db.scalar(select(FrameworkVersion).where(FrameworkVersion.id == version_id))
    if version is None:
        raise NotFound()
    tree = await _build(db, version)
    if version.status == "published":
        _TREES.put((version_id, version.published_at), tree)
    return tree


async def _rows(
    db: AsyncSession, vid: UUID
) -> tuple[list[Pillar], list[Dimension], list[Question], list[InitiativeTemplate]]:
    """The version's rows, each kind in its display order."""
    pillars = list(
        await db.scalars(select(Pillar).where(Pillar.version_id == vid).order_by(Pillar.position, Pillar.key))
    )
    dims = list(
        await db.scalars(
            select(Dimension).where(Dimension.version_id == vid).order_by(Dimension.position, Dimension.key)
        )
    )
    questions = list(
        await db.scalars(select(Question).where(Question.version_id == vid).order_by(Question.position, Question.key))
    )
    inits = list(
        await db.scalars(
            select(InitiativeTemplate)
            .where(InitiativeTemplate.version_id == vid)
            .order_by(InitiativeTemplate.from_level, InitiativeTemplate.key)
        )
    )
    return pillars, dims, questions, inits


def _question_node(q: Question, dimension_key: str) -> QuestionNode:
    return QuestionNode(
        id=q.id,
        key=q.key,
        dimension_id=q.dimension_id,
        dimension_key=dimension_key,
        text=_doc(q.text),
        help=_doc(q.help),
        levels=_int_keys(q.levels),
        weight=Decimal(str(q.weight)),
        allows_na=bool(q.allows_na),
        position=q.position,
    )


def _initiative_node(i: InitiativeTemplate, dimension_key: str) -> InitiativeNode:
    return InitiativeNode(
        id=i.id,
        key=i.key,
        dimension_key=dimension_key,
        from_level=i.from_level,
        title=_doc(i.title),
        description=_doc(i.description),
        kpi=_doc(i.kpi),
        expected_gain=Decimal(str(i.expected_gain)),
        question_keys=tuple(i.question_keys or ()),
    )


def _dimensions_by_pillar(
    pillars: list[Pillar], dims: list[Dimension], questions: list[Question], inits: list[InitiativeTemplate]
) -> dict[UUID, list[DimensionNode]]:
    dim_key = {d.id: d.key for d in dims}
    q_by_dim: dict[UUID, list[QuestionNode]] = {}
    for q in questions:
        q_by_dim.setdefault(q.dimension_id, []).append(_question_node(q, dim_key[q.dimension_id]))
    i_by_dim: dict[UUID, list[InitiativeNode]] = {}
    for i in inits:
        i_by_dim.setdefault(i.dimension_id, []).append(_initiative_node(i, dim_key[i.dimension_id]))
    pillar_key = {p.id: p.key for p in pillars}
    d_by_pillar: dict[UUID, list[DimensionNode]] = {}
    for d in dims:
        d_by_pillar.setdefault(d.pillar_id, []).append(
            DimensionNode(
                id=d.id,
                key=d.key,
                pillar_key=pillar_key[d.pillar_id],
                name=_doc(d.name),
                description=_doc(d.description),
                weight=Decimal(str(d.weight)),
                position=d.position,
                questions=tuple(q_by_dim.get(d.id, ())),
                initiatives=tuple(i_by_dim.get(d.id, ())),
            )
        )
    return d_by_pillar


async def _build(db: AsyncSession, version: FrameworkVersion) -> FrameworkStructure:
    framework = await db.get(Framework, version.framework_id)
    assert framework is not None
    pillars, dims, questions, inits = await _rows(db, version.id)
    d_by_pillar = _dimensions_by_pillar(pillars, dims, questions, inits)
    pillar_nodes = tuple(
        PillarNode(
            id=p.id,
            key=p.key,
            name=_doc(p.name),
            description=_doc(p.description),
            weight=Decimal(str(p.weight)),
            position=p.position,
            dimensions=tuple(d_by_pillar.get(p.id, ())),
        )
        for p in pillars
    )
    all_dims = [d for p in pillar_nodes for d in p.dimensions]
    return FrameworkStructure(
        version_id=version.id,
        framework_id=framework.id,
        framework_key=framework.key,
        owner_tenant_id=framework.owner_tenant_id,
        name=_doc(framework.name),
        description=_doc(framework.description),
        version=version.version,
        status=version.status,
        levels=_int_keys(version.levels),
        pillars=pillar_nodes,
        _dimensions=MappingProxyType({d.key: d for d in all_dims}),
        _dimensions_by_id=MappingProxyType({d.id: d for d in all_dims}),
        _questions=MappingProxyType({q.id: q for d in all_dims for q in d.questions}),
    )
