"""A firm's own frameworks: clone, edit the draft, publish, start a new version.

Rules: a firm edits only its own framework's *draft* version; a published version is
immutable (to change it, "new version" copies it into a new draft). Every change is audited.
Shared RLS is the backstop: the app role cannot write platform rows or another firm's rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.audit.services import Actor, AuditTrail
from ordena.frameworks.models import Dimension, Framework, FrameworkVersion, InitiativeTemplate, Pillar, Question
from ordena.lib.clock import now
from ordena.lib.errors import FormErrors, NotFound, ServiceError
from ordena.lib.i18n import _

LANGS = ("es", "en")
LEVELS = ("1", "2", "3", "4", "5")


@dataclass(frozen=True)
class FrameworkListItem:
    framework: Framework
    versions: list[FrameworkVersion]

    @property
    def own(self) -> bool:
        return self.framework.owner_tenant_id is not None

    @property
    def draft(self) -> FrameworkVersion | None:
        return next((v for v in self.versions if v.status == "draft"), None)

    @property
    def latest_published(self) -> FrameworkVersion | None:
        return next((v for v in reversed(self.versions) if v.status == "published"), None)


async def list_frameworks(db: AsyncSession, tenant_id: UUID) -> list[FrameworkListItem]:
    """Platform frameworks first, then the firm's own (RLS hides other firms')."""
    frameworks = list(
        await db.scalars(
            select(Framework)
            .where((Framework.owner_tenant_id.is_(None)) | (Framework.owner_tenant_id == tenant_id))
            .order_by(Framework.owner_tenant_id.is_not(None), Framework.created_at)
        )
    )
    versions = (
        list(
            await db.scalars(
                select(FrameworkVersion)
                .where(FrameworkVersion.framework_id.in_([f.id for f in frameworks]))
                .order_by(FrameworkVersion.version)
            )
        )
        if frameworks
        else []
    )
    return [FrameworkListItem(f, [v for v in versions if v.framework_id == f.id]) for f in frameworks]


async def visible_version(db: AsyncSession, tenant_id: UUID, version_id: UUID) -> tuple[Framework, FrameworkVersion]:
    version = await db.scalar(
        select(FrameworkVersion).where(
            FrameworkVersion.id == version_id,
            (FrameworkVersion.owner_tenant_id.is_(None)) | (FrameworkVersion.owner_tenant_id == tenant_id),
        )
    )
    if version is None:
        raise NotFound()
    framework = await db.get(Framework, version.framework_id)
    if framework is None:
        raise NotFound()
    return framework, version


async def own_version(db: AsyncSession, tenant_id: UUID, version_id: UUID) -> tuple[Framework, FrameworkVersion]:
    framework, version = await visible_version(db, tenant_id, version_id)
    if version.owner_tenant_id != tenant_id:
        raise NotFound()
    return framework, version


def require_draft(version: FrameworkVersion) -> None:
    if version.status != "draft":
        raise ServiceError(
            _("Esta versión ya está publicada y no se puede modificar. Crea una nueva versión para hacer cambios."),
            status_code=409,
        )


async def _copy_version(
    db: AsyncSession, source: FrameworkVersion, framework: Framework, number: int, owner: UUID
) -> FrameworkVersion:
    target = FrameworkVersion(
        framework_id=framework.id,
        version=number,
        status="draft",
        levels=dict(source.levels or {}),
        owner_tenant_id=owner,
    )
    db.add(target)
    await db.flush()
    own = {"version_id": target.id, "owner_tenant_id": owner}
    pillar_map: dict[UUID, UUID] = {}
    dim_map: dict[UUID, UUID] = {}
    for p in await db.scalars(select(Pillar).where(Pillar.version_id == source.id).order_by(Pillar.position)):
        new = Pillar(
            key=p.key, name=dict(p.name), description=dict(p.description), weight=p.weight, position=p.position, **own
        )
        new.id = uuid.uuid4()
        db.add(new)
        pillar_map[p.id] = new.id
    await db.flush()
    for d in await db.scalars(select(Dimension).where(Dimension.version_id == source.id).order_by(Dimension.position)):
        new_d = Dimension(
            pillar_id=pillar_map[d.pillar_id],
            key=d.key,
            name=dict(d.name),
            description=dict(d.description),
            weight=d.weight,
            position=d.position,
            **own,
        )
        new_d.id = uuid.uuid4()
        db.add(new_d)
        dim_map[d.id] = new_d.id
    await db.flush()
    for q in await db.scalars(select(Question).where(Question.version_id == source.id)):
        db.add(
            Question(
                dimension_id=dim_map[q.dimension_id],
                key=q.key,
                text=dict(q.text),
                help=dict(q.help),
                levels=dict(q.levels),
                weight=q.weight,
                allows_na=q.allows_na,
                position=q.position,
                **own,
            )
        )
    for i in await db.scalars(select(InitiativeTemplate).where(InitiativeTemplate.version_id == source.id)):
        db.add(
            InitiativeTemplate(
                dimension_id=dim_map[i.dimension_id],
                key=i.key,
                from_level=i.from_level,
                title=dict(i.title),
                description=dict(i.description),
                kpi=dict(i.kpi),
                expected_gain=i.expected_gain,
                question_keys=list(i.question_keys or []),
                **own,
            )
        )
    await db.flush()
    return target


async def clone(db: AsyncSession, tenant_id: UUID, actor: Actor, version_id: UUID) -> FrameworkVersion:
    """A firm copy of a visible version: a new framework owned by the firm, version 1 draft."""
    source_fw, source = await visible_version(db, tenant_id, version_id)
    copies = await db.scalar(select(func.count()).select_from(Framework).where(Framework.owner_tenant_id == tenant_id))
    framework = Framework(
        key=f"{source_fw.key[:80]}-{uuid.uuid4().hex[:8]}",
        name={lang: _copy_name(text, lang) for lang, text in source_fw.name.items()},
        description=dict(source_fw.description),
        owner_tenant_id=tenant_id,
        based_on_version_id=source.id,
    )
    db.add(framework)
    await db.flush()
    version = await _copy_version(db, source, framework, 1, tenant_id)
    AuditTrail(db, tenant_id, actor)(
        "create",
        "framework",
        framework.id,
        after={"cloned_from_version": str(source.id), "version_id": str(version.id), "firm_copies": (copies or 0) + 1},
    )
    return version


def _copy_name(text: str, lang: str) -> str:
    return f"{text} ({'copia' if lang == 'es' else 'copy'})"


async def new_version(db: AsyncSession, tenant_id: UUID, actor: Actor, version_id: UUID) -> FrameworkVersion:
    framework, version = await own_version(db, tenant_id, version_id)
    existing_draft = await db.scalar(
        select(FrameworkVersion).where(
            FrameworkVersion.framework_id == framework.id, FrameworkVersion.status == "draft"
        )
    )
    if existing_draft is not None:
        raise ServiceError(
            _("Este modelo ya tiene una versión en borrador: edítala o publícala primero."), status_code=409
        )
    latest = await db.scalar(
        select(func.max(FrameworkVersion.version)).where(FrameworkVersion.framework_id == framework.id)
    )
    draft = await _copy_version(db, version, framework, int(latest or 0) + 1, tenant_id)
    AuditTrail(db, tenant_id, actor)(
        "create",
        "framework_version",
        draft.id,
        after={"framework_id": str(framework.id), "version": draft.version, "copied_from": str(version.id)},
    )
    return draft


async def publish(db: AsyncSession, tenant_id: UUID, actor: Actor, version_id: UUID) -> FrameworkVersion:
    _framework, version = await own_version(db, tenant_id, version_id)
    require_draft(version)
    empty = await db.scalar(
        select(func.count())
        .select_from(Dimension)
        .where(
            Dimension.version_id == version.id,
            ~select(Question.id).where(Question.dimension_id == Dimension.id).exists(),
        )
    )
    if empty:
        raise ServiceError(_("Cada dimensión necesita al menos una pregunta antes de publicar."), status_code=422)
    bare_pillars = await db.scalar(
        select(func.count())
        .select_from(Pillar)
        .where(
            Pillar.version_id == version.id,
            ~select(Dimension.id).where(Dimension.pillar_id == Pillar.id).exists(),
        )
    )
    dimensions = await db.scalar(select(func.count()).select_from(Dimension).where(Dimension.version_id == version.id))
    if bare_pillars or not dimensions:
        raise ServiceError(_("Cada pilar necesita al menos una dimensión antes de publicar."), status_code=422)
    version.status = "published"
    version.published_at = now()
    await db.flush()
    AuditTrail(db, tenant_id, actor)(
        "update",
        "framework_version",
        version.id,
        before={"status": "draft"},
        after={"status": "published", "version": version.version},
    )
    return version


# --- questions -------------------------------------------------------------------------------


def question_values(q: Question | None) -> dict[str, str]:
    """Form values for a question (empty for a new one)."""
    if q is None:
        return {"weight": "1", "allows_na": ""}
    values = {f"text_{lang}": q.text.get(lang, "") for lang in LANGS}
    values.update({f"help_{lang}": q.help.get(lang, "") for lang in LANGS})
    for lvl in LEVELS:
        for lang in LANGS:
            values[f"level_{lvl}_{lang}"] = (q.levels.get(lvl) or {}).get(lang, "")
    values["weight"] = format(Decimal(str(q.weight)).normalize(), "f")
    values["allows_na"] = "on" if q.allows_na else ""
    return values


@dataclass(frozen=True)
class QuestionInput:
    text: dict[str, str]
    help: dict[str, str]
    levels: dict[str, dict[str, str]]
    weight: Decimal
    allows_na: bool


class QuestionInvalid(Exception):
    def __init__(self, errors: FormErrors) -> None:
        super().__init__("question invalid")
        self.errors = errors


def parse_question(values: Mapping[str, Any]) -> QuestionInput:
    errors = FormErrors()

    def val(name: str, limit: int = 2000) -> str:
        v = str(values.get(name, "") or "").strip()
        if len(v) > limit:
            errors.add(name, _("Máximo {n} caracteres.").format(n=limit))
        return v[:limit]

    text = {lang: val(f"text_{lang}") for lang in LANGS}
    if not text["es"]:
        errors.add("text_es", _("Escribe la pregunta en español."))
    help_ = {lang: val(f"help_{lang}") for lang in LANGS}
    levels: dict[str, dict[str, str]] = {}
    for lvl in LEVELS:
        levels[lvl] = {lang: val(f"level_{lvl}_{lang}") for lang in LANGS}
        if not levels[lvl]["es"]:
            errors.add(f"level_{lvl}_es", _("Describe el nivel {n} en español.").format(n=lvl))
    weight = Decimal(1)
    raw = str(values.get("weight", "")).strip().replace(",", ".")
    try:
        weight = Decimal(raw)
        if not weight.is_finite() or weight <= 0 or weight > 100 or weight != weight.quantize(Decimal("0.001")):
            raise InvalidOperation
    except InvalidOperation:
        errors.add("weight", _("El peso debe ser un número mayor que 0 y hasta 100 (máximo 3 decimales)."))
    if errors:
        raise QuestionInvalid(errors)
    return QuestionInput(
        text={k: v for k, v in text.items() if v},
        help={k: v for k, v in help_.items() if v},
        levels={lvl: {k: v for k, v in docs.items() if v} for lvl, docs in levels.items()},
        weight=weight,
        allows_na=str(values.get("allows_na", "")).lower() in {"on", "true", "1", "yes"},
    )


async def own_question(db: AsyncSession, tenant_id: UUID, question_id: UUID) -> tuple[Question, FrameworkVersion]:
    q = await db.scalar(select(Question).where(Question.id == question_id, Question.owner_tenant_id == tenant_id))
    if q is None:
        raise NotFound()
    _fw, version = await own_version(db, tenant_id, q.version_id)
    return q, version


async def own_dimension(db: AsyncSession, tenant_id: UUID, dimension_id: UUID) -> tuple[Dimension, FrameworkVersion]:
    d = await db.scalar(select(Dimension).where(Dimension.id == dimension_id, Dimension.owner_tenant_id == tenant_id))
    if d is None:
        raise NotFound()
    _fw, version = await own_version(db, tenant_id, d.version_id)
    return d, version


def _snap(q: Question) -> dict[str, Any]:
    return {
        "key": q.key,
        "text": q.text,
        "help": q.help,
        "levels": q.levels,
        "weight": str(q.weight),
        "allows_na": q.allows_na,
    }


async def update_question(
    db: AsyncSession, tenant_id: UUID, actor: Actor, question_id: UUID, values: Mapping[str, Any]
) -> Question:
    q, version = await own_question(db, tenant_id, question_id)
    require_draft(version)
    data = parse_question(values)
    before = _snap(q)
    q.text, q.help, q.levels, q.weight, q.allows_na = data.text, data.help, data.levels, data.weight, data.allows_na  # type: ignore[assignment]
    await db.flush()
    AuditTrail(db, tenant_id, actor)("update", "framework_question", q.id, before=before, after=_snap(q))
    return q


async def add_question(
    db: AsyncSession, tenant_id: UUID, actor: Actor, dimension_id: UUID, values: Mapping[str, Any]
) -> Question:
    d, version = await own_dimension(db, tenant_id, dimension_id)
    require_draft(version)
    data = parse_question(values)
    position = await db.scalar(
        select(func.coalesce(func.max(Question.position), -1)).where(Question.dimension_id == d.id)
    )
    q = Question(
        version_id=version.id,
        dimension_id=d.id,
        owner_tenant_id=tenant_id,
        key=f"{d.key}.{uuid.uuid4().hex[:8]}",
        text=data.text,
        help=data.help,
        levels=data.levels,
        weight=data.weight,
        allows_na=data.allows_na,
        position=int(position if position is not None else -1) + 1,
    )
    db.add(q)
    await db.flush()
    AuditTrail(db, tenant_id, actor)("create", "framework_question", q.id, after=_snap(q))
    return q


async def remove_question(db: AsyncSession, tenant_id: UUID, actor: Actor, question_id: UUID) -> Question:
    q, version = await own_question(db, tenant_id, question_id)
    require_draft(version)
    before = _snap(q)
    await db.delete(q)
    await db.flush()
    AuditTrail(db, tenant_id, actor)("delete", "framework_question", question_id, before=before)
    return q


async def update_dimension_weight(
    db: AsyncSession, tenant_id: UUID, actor: Actor, dimension_id: UUID, raw: str
) -> Dimension:
    d, version = await own_dimension(db, tenant_id, dimension_id)
    require_draft(version)
    try:
        weight = Decimal(str(raw).strip().replace(",", "."))
        if not weight.is_finite() or weight <= 0 or weight > 100 or weight != weight.quantize(Decimal("0.001")):
            raise InvalidOperation
    except InvalidOperation as exc:
        raise ServiceError(
            _("El peso debe ser un número mayor que 0 y hasta 100 (máximo 3 decimales)."), field="weight"
        ) from exc
    before = {"weight": str(d.weight)}
    d.weight = weight  # type: ignore[assignment]
    await db.flush()
    AuditTrail(db, tenant_id, actor)(
        "update", "framework_dimension", d.id, before=before, after={"weight": str(weight)}
    )
    return d
