"""The outline of a firm's own framework: its name and description, and the pillars and
dimensions of a draft version (added, renamed, reordered, removed).

Same rules as the questions (``editing``): only the firm's own framework, only a draft version,
one audit line per change. Scoring needs nothing more: every score is a weighted mean over the
nodes present, so a pillar or dimension added or removed only changes what is averaged. A
pillar left without dimensions is refused at publishing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.audit.services import Actor, AuditTrail
from ordena.frameworks.editing import LANGS, own_dimension, own_version, require_draft
from ordena.frameworks.models import Dimension, Framework, FrameworkVersion, Pillar
from ordena.lib.errors import FormErrors, NotFound
from ordena.lib.i18n import _

NAME_MAX = 200
DESCRIPTION_MAX = 2000

Node = TypeVar("Node", Pillar, Dimension)


class OutlineInvalid(Exception):
    def __init__(self, errors: FormErrors) -> None:
        super().__init__("outline invalid")
        self.errors = errors


def text_values(node: Framework | Pillar | Dimension | None) -> dict[str, str]:
    """Form values of a name and description in both languages (empty for a new node)."""
    values = {f"{part}_{lang}": "" for part in ("name", "description") for lang in LANGS}
    if node is not None:
        for lang in LANGS:
            values[f"name_{lang}"] = (node.name or {}).get(lang, "")
            values[f"description_{lang}"] = (node.description or {}).get(lang, "")
    return values


def parse_texts(values: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(name, description) documents; the Spanish name is required."""
    errors = FormErrors()
    docs: dict[str, dict[str, str]] = {"name": {}, "description": {}}
    for part, limit in (("name", NAME_MAX), ("description", DESCRIPTION_MAX)):
        for lang in LANGS:
            value = str(values.get(f"{part}_{lang}", "") or "").strip()
            if len(value) > limit:
                errors.add(f"{part}_{lang}", _("Máximo {n} caracteres.").format(n=limit))
            elif value:
                docs[part][lang] = value
    if "name_es" not in errors.fields and not docs["name"].get("es"):
        errors.add("name_es", _("Escribe el nombre en español."))
    if errors:
        raise OutlineInvalid(errors)
    return docs["name"], docs["description"]


def _texts(node: Framework | Pillar | Dimension) -> dict[str, Any]:
    return {"name": dict(node.name or {}), "description": dict(node.description or {})}


# --- the framework's name -------------------------------------------------------------------------


async def own_framework(db: AsyncSession, tenant_id: UUID, framework_id: UUID) -> Framework:
    framework = await db.scalar(
        select(Framework).where(Framework.id == framework_id, Framework.owner_tenant_id == tenant_id)
    )
    if framework is None:
        raise NotFound()
    return framework


async def describe_framework(
    db: AsyncSession, tenant_id: UUID, actor: Actor, framework_id: UUID, values: Mapping[str, Any]
) -> Framework:
    """Rename and describe the firm's copy (the name is not part of a version: any time)."""
    framework = await own_framework(db, tenant_id, framework_id)
    name, description = parse_texts(values)
    before = _texts(framework)
    framework.name, framework.description = name, description
    await db.flush()
    AuditTrail(db, tenant_id, actor)("update", "framework", framework.id, before=before, after=_texts(framework))
    return framework


# --- pillars ------------------------------------------------------------------------------------------


async def own_pillar(db: AsyncSession, tenant_id: UUID, pillar_id: UUID) -> tuple[Pillar, FrameworkVersion]:
    pillar = await db.scalar(select(Pillar).where(Pillar.id == pillar_id, Pillar.owner_tenant_id == tenant_id))
    if pillar is None:
        raise NotFound()
    _fw, version = await own_version(db, tenant_id, pillar.version_id)
    return pillar, version


def _new_key(prefix: str) -> str:
    # Keys appear in URLs and are matched with [a-z0-9_]: no dots or dashes.
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


async def add_pillar(
    db: AsyncSession, tenant_id: UUID, actor: Actor, version_id: UUID, values: Mapping[str, Any]
) -> Pillar:
    _fw, version = await own_version(db, tenant_id, version_id)
    require_draft(version)
    name, description = parse_texts(values)
    last = await db.scalar(select(func.max(Pillar.position)).where(Pillar.version_id == version.id))
    pillar = Pillar(
        version_id=version.id,
        owner_tenant_id=tenant_id,
        key=_new_key("pilar"),
        name=name,
        description=description,
        weight=1,
        position=int(last if last is not None else -1) + 1,
    )
    db.add(pillar)
    await db.flush()
    AuditTrail(db, tenant_id, actor)(
        "create", "framework_pillar", pillar.id, after={"key": pillar.key, **_texts(pillar)}
    )
    return pillar


async def describe_pillar(
    db: AsyncSession, tenant_id: UUID, actor: Actor, pillar_id: UUID, values: Mapping[str, Any]
) -> Pillar:
    pillar, version = await own_pillar(db, tenant_id, pillar_id)
    require_draft(version)
    name, description = parse_texts(values)
    before = _texts(pillar)
    pillar.name, pillar.description = name, description
    await db.flush()
    AuditTrail(db, tenant_id, actor)("update", "framework_pillar", pillar.id, before=before, after=_texts(pillar))
    return pillar


async def remove_pillar(db: AsyncSession, tenant_id: UUID, actor: Actor, pillar_id: UUID) -> Pillar:
    """The pillar and, by the database's cascade, its dimensions, questions and initiatives."""
    pillar, version = await own_pillar(db, tenant_id, pillar_id)
    require_draft(version)
    dimensions = await db.scalar(select(func.count()).select_from(Dimension).where(Dimension.pillar_id == pillar.id))
    before = {"key": pillar.key, **_texts(pillar), "dimensions": int(dimensions or 0)}
    await db.delete(pillar)
    await db.flush()
    AuditTrail(db, tenant_id, actor)("delete", "framework_pillar", pillar_id, before=before)
    return pillar


# --- dimensions ---------------------------------------------------------------------------------------


async def add_dimension(
    db: AsyncSession, tenant_id: UUID, actor: Actor, pillar_id: UUID, values: Mapping[str, Any]
) -> Dimension:
    pillar, version = await own_pillar(db, tenant_id, pillar_id)
    require_draft(version)
    name, description = parse_texts(values)
    last = await db.scalar(select(func.max(Dimension.position)).where(Dimension.version_id == version.id))
    dimension = Dimension(
        version_id=version.id,
        pillar_id=pillar.id,
        owner_tenant_id=tenant_id,
        key=_new_key("dim"),
        name=name,
        description=description,
        weight=1,
        position=int(last if last is not None else -1) + 1,
    )
    db.add(dimension)
    await db.flush()
    AuditTrail(db, tenant_id, actor)(
        "create", "framework_dimension", dimension.id, after={"key": dimension.key, **_texts(dimension)}
    )
    return dimension


async def describe_dimension(
    db: AsyncSession, tenant_id: UUID, actor: Actor, dimension_id: UUID, values: Mapping[str, Any]
) -> Dimension:
    dimension, version = await own_dimension(db, tenant_id, dimension_id)
    require_draft(version)
    name, description = parse_texts(values)
    before = _texts(dimension)
    dimension.name, dimension.description = name, description
    await db.flush()
    AuditTrail(db, tenant_id, actor)(
        "update", "framework_dimension", dimension.id, before=before, after=_texts(dimension)
    )
    return dimension


async def remove_dimension(db: AsyncSession, tenant_id: UUID, actor: Actor, dimension_id: UUID) -> Dimension:
    """The dimension and, by the database's cascade, its questions and initiatives."""
    dimension, version = await own_dimension(db, tenant_id, dimension_id)
    require_draft(version)
    before = {"key": dimension.key, **_texts(dimension)}
    await db.delete(dimension)
    await db.flush()
    AuditTrail(db, tenant_id, actor)("delete", "framework_dimension", dimension_id, before=before)
    return dimension


# --- order --------------------------------------------------------------------------------------------


def _swap(siblings: list[Node], node: Node, direction: str) -> tuple[int, int] | None:
    """Positions renumbered 0…n−1 in display order, then the node swapped with its neighbour;
    (old, new) index, or None at either end."""
    for i, sibling in enumerate(siblings):
        sibling.position = i
    index = next(i for i, s in enumerate(siblings) if s.id == node.id)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(siblings):
        return None
    siblings[index].position, siblings[other].position = other, index
    return index, other


async def move_pillar(db: AsyncSession, tenant_id: UUID, actor: Actor, pillar_id: UUID, direction: str) -> Pillar:
    pillar, version = await own_pillar(db, tenant_id, pillar_id)
    require_draft(version)
    siblings = list(
        await db.scalars(select(Pillar).where(Pillar.version_id == version.id).order_by(Pillar.position, Pillar.key))
    )
    moved = _swap(siblings, pillar, direction)
    await db.flush()
    if moved is not None:
        AuditTrail(db, tenant_id, actor)(
            "update", "framework_pillar", pillar.id, before={"position": moved[0]}, after={"position": moved[1]}
        )
    return pillar


async def move_dimension(
    db: AsyncSession, tenant_id: UUID, actor: Actor, dimension_id: UUID, direction: str
) -> Dimension:
    """Up or down among the dimensions of its pillar."""
    dimension, version = await own_dimension(db, tenant_id, dimension_id)
    require_draft(version)
    siblings = list(
        await db.scalars(
            select(Dimension).where(Dimension.version_id == version.id).order_by(Dimension.position, Dimension.key)
        )
    )
    # Positions are kept unique across the version (the tree sorts dimensions version-wide);
    # the swap is within the pillar.
    in_pillar = [d for d in siblings if d.pillar_id == dimension.pillar_id]
    for i, d in enumerate(siblings):
        d.position = i
    slots = sorted(d.position for d in in_pillar)
    moved = _swap(in_pillar, dimension, direction)
    for d, slot in zip(sorted(in_pillar, key=lambda d: d.position), slots, strict=True):
        d.position = slot
    await db.flush()
    if moved is not None:
        AuditTrail(db, tenant_id, actor)(
            "update", "framework_dimension", dimension.id, before={"position": moved[0]}, after={"position": moved[1]}
        )
    return dimension
