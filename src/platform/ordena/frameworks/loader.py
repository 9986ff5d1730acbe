"""Load a framework document (YAML) into the framework tables.

Idempotent by (framework key, version, owner): loading the same version twice does nothing,
because a published version is immutable (to change content, bump ``version`` in the file).
Platform content (``owner_tenant_id`` NULL) is loaded by ``ordena db upgrade``'s finalize step,
which runs as the owner role: the shared RLS policy lets the app role read those rows but never
write them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ordena.frameworks.models import Dimension, Framework, FrameworkVersion, InitiativeTemplate, Pillar, Question
from ordena.lib.clock import now

DEFAULT_FRAMEWORK_PATH = Path(__file__).resolve().parent / "data" / "default_framework.yaml"
DEFAULT_FRAMEWORK_KEY = "ordena-front-back-office"


def read_document(path: Path = DEFAULT_FRAMEWORK_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        doc: dict[str, Any] = yaml.safe_load(f)
    return doc


def _texts(value: Any) -> dict[str, str]:
    """A translatable text: ``{"es": ..., "en": ...}`` (a plain string counts as Spanish)."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {"es": value}
    return {str(k): str(v) for k, v in value.items()}


def _levels(value: Any) -> dict[str, dict[str, str]]:
    return {str(k): _texts(v) for k, v in (value or {}).items()}


async def _framework(db: AsyncSession, doc: dict[str, Any], owner_tenant_id: UUID | None) -> Framework:
    """The framework that ``doc`` is a version of, created if missing."""
    key = str(doc["key"])
    owner_filter = (
        Framework.owner_tenant_id.is_(None) if owner_tenant_id is None else Framework.owner_tenant_id == owner_tenant_id
    )
    framework = await db.scalar(select(Framework).where(Framework.key == key, owner_filter))
    if framework is None:
        framework = Framework(
            key=key,
            name=_texts(doc["name"]),
            description=_texts(doc.get("description")),
            owner_tenant_id=owner_tenant_id,
        )
        db.add(framework)
        await db.flush()
    return framework


def _question(q: dict[str, Any], position: int, dimension_id: UUID, own: dict[str, Any]) -> Question:
    return Question(
        dimension_id=dimension_id,
        key=q["key"],
        text=_texts(q["text"]),
        help=_texts(q.get("help")),
        levels=_levels(q["levels"]),
        weight=Decimal(str(q.get("weight", 1))),
        allows_na=bool(q.get("allows_na", False)),
        position=position,
        **own,
    )


def _initiative(i: dict[str, Any], dimension_id: UUID, own: dict[str, Any]) -> InitiativeTemplate:
    return InitiativeTemplate(
        dimension_id=dimension_id,
        key=i["key"],
        from_level=int(i["from_level"]),
        title=_texts(i["title"]),
        description=_texts(i.get("description")),
        kpi=_texts(i.get("kpi")),
        expected_gain=Decimal(str(i.get("expected_gain", 1))),
        question_keys=list(i.get("questions", [])),
        **own,
    )


async def _add_pillar(db: AsyncSession, p: dict[str, Any], position: int, own: dict[str, Any]) -> None:
    """One pillar of the document with its dimensions, questions and initiatives."""
    pillar = Pillar(
        key=p["key"],
        name=_texts(p["name"]),
        description=_texts(p.get("description")),
        weight=Decimal(str(p.get("weight", 1))),
        position=position,
        **own,
    )
    db.add(pillar)
    await db.flush()
    for d_pos, d in enumerate(p.get("dimensions", [])):
        dim = Dimension(
            pillar_id=pillar.id,
            key=d["key"],
            name=_texts(d["name"]),
            description=_texts(d.get("description")),
            weight=Decimal(str(d.get("weight", 1))),
            position=d_pos,
            **own,
        )
        db.add(dim)
        await db.flush()
        for q_pos, q in enumerate(d.get("questions", [])):
            db.add(_question(q, q_pos, dim.id, own))
        for i in d.get("initiatives", []):
            db.add(_initiative(i, dim.id, own))


async def load_framework(
    db: AsyncSession, doc: dict[str, Any], *, owner_tenant_id: UUID | None = None, status: str = "published"
) -> tuple[FrameworkVersion, bool]:
    """Insert ``doc`` as a version of its framework unless that version exists already.

    Returns the version and whether it was created.
    """
    number = int(doc.get("version", 1))
    framework = await _framework(db, doc, owner_tenant_id)
    existing = await db.scalar(
        select(FrameworkVersion).where(
            FrameworkVersion.framework_id == framework.id, FrameworkVersion.version == number
        )
    )
    if existing is not None:
        return existing, False
    version = FrameworkVersion(
        framework_id=framework.id,
        version=number,
        status=status,
        published_at=now() if status == "published" else None,
        levels=_levels(doc.get("levels")),
        owner_tenant_id=owner_tenant_id,
    )
    db.add(version)
    await db.flush()
    own = {"version_id": version.id, "owner_tenant_id": owner_tenant_id}
    for p_pos, p in enumerate(doc.get("pillars", [])):
        await _add_pillar(db, p, p_pos, own)
    await db.flush()
    return version, True


async def ensure_default_framework(conn: AsyncConnection, path: Path = DEFAULT_FRAMEWORK_PATH) -> bool:
    """Load the platform's default framework on an owner connection (finalize step)."""
    session = AsyncSession(bind=conn, expire_on_commit=False)
    try:
        _version, created = await load_framework(session, read_document(path))
        # The session joined the connection's transaction: this commit does not end it.
        await session.commit()
    finally:
        await session.close()
    return created
