"""Editing a plan: its initiatives, their status and progress, comments, order and dependencies.

Every function checks its input completely before changing anything and raises
:class:`InitiativeInvalid` (field → message, in the user's language) when something is wrong;
every change writes one audit line. The database's CHECK constraints state the same rules, as
the backstop.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments.lookups import get_assessment
from ordena.audit.services import Actor, AuditTrail, snapshot
from ordena.companies.services import get_contact
from ordena.frameworks.services import FrameworkStructure, structure
from ordena.lib.clock import now
from ordena.lib.errors import FormErrors, NotFound, ServiceError
from ordena.lib.i18n import _
from ordena.plans.assignment import Mailer, mail_new_owner, owner_of
from ordena.plans.lookups import dependencies_of, get_initiative, get_plan, list_initiatives
from ordena.plans.models import STATUSES, Initiative, InitiativeComment, InitiativeDependency, Plan
from ordena.tenancy.memberships import membership_of

FIELDS = (
    "title",
    "description",
    "dimension_key",
    "question_keys",
    "owner_user_id",
    "owner_contact_id",
    "start_on",
    "due_on",
    "priority",
    "status",
    "blocked_reason",
    "progress",
    "kpi_name",
    "kpi_baseline",
    "kpi_goal",
)


class InitiativeInvalid(ServiceError):
    """The input broke a rule: ``errors`` holds a message per field."""

    def __init__(self, errors: FormErrors, status_code: int = 422) -> None:
        super().__init__(next(iter(errors.fields.values()), ""), field=next(iter(errors.fields), "__all__"))
        self.errors = errors
        self.status_code = status_code


def _invalid(field: str, message: str) -> InitiativeInvalid:
    errors = FormErrors()
    errors.add(field, message)
    return InitiativeInvalid(errors)


async def plan_tree(db: AsyncSession, tenant_id: UUID, plan: Plan) -> FrameworkStructure:
    """The framework version of the plan's assessment (dimension and question keys)."""
    assessment = await get_assessment(db, tenant_id, plan.assessment_id)
    return await structure(db, assessment.framework_version_id)


# --- parsing one field at a time -------------------------------------------------------------


def _text(values: Mapping[str, Any], key: str) -> str:
    raw = values.get(key)
    if isinstance(raw, list):
        raw = raw[-1] if raw else ""
    return "" if raw is None else str(raw).strip()


def _list(values: Mapping[str, Any], key: str) -> list[str]:
    raw = values.get(key)
    if raw is None or raw == "":
        return []
    items = raw if isinstance(raw, list | tuple) else [raw]
    return [str(v).strip() for v in items if str(v).strip()]


def _date(values: Mapping[str, Any], key: str, errors: FormErrors) -> dt.date | None:
    raw = _text(values, key)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.add(key, _("Escribe una fecha válida (AAAA-MM-DD)."))
        return None


def _int(values: Mapping[str, Any], key: str, low: int, high: int, message: str, errors: FormErrors) -> int | None:
    raw = _text(values, key)
    try:
        number = int(raw)
    except ValueError:
        errors.add(key, message)
        return None
    if not low <= number <= high:
        errors.add(key, message)
        return None
    return number


def _decimal(values: Mapping[str, Any], key: str, errors: FormErrors) -> Decimal | None:
    raw = _text(values, key).replace(" ", "").replace(",", ".")
    if not raw:
        return None
    try:
        number = Decimal(raw)
        if not number.is_finite() or abs(number) >= Decimal("1e10"):
            raise InvalidOperation
    except InvalidOperation:
        errors.add(key, _("Escribe un número (por ejemplo 12,5)."))
        return None
    return number.quantize(Decimal("0.0001"))


def _owner(raw: str, errors: FormErrors) -> tuple[str, UUID] | None:
    if not raw:
        return None
    kind, _sep, rest = raw.partition(":")
    try:
        if kind not in ("user", "contact"):
            raise ValueError(kind)
        return kind, UUID(rest)
    except ValueError:
        errors.add("owner", _("Elige un responsable de la lista."))
        return None


@dataclass
class Cleaned:
    """The checked values of an initiative form (only the keys that were sent)."""

    values: dict[str, Any]
    owner: tuple[str, UUID] | None
    owner_sent: bool
    depends_on: list[UUID] | None


def _clean_texts(values: Mapping[str, Any], out: dict[str, Any], errors: FormErrors, *, partial: bool) -> None:
    if "title" in values or not partial:
        title = _text(values, "title")
        if not title:
            errors.add("title", _("Escribe el título de la iniciativa."))
        elif len(title) > 300:
            errors.add("title", _("El título admite hasta 300 caracteres."))
        out["title"] = title
    for key, limit in (("description", 5000), ("kpi_name", 300), ("blocked_reason", 2000)):
        if key in values or not partial:
            text = _text(values, key)
            if len(text) > limit:
                errors.add(key, _("Este campo admite hasta {n} caracteres.").format(n=limit))
            out[key] = text


def _clean_numbers(values: Mapping[str, Any], out: dict[str, Any], errors: FormErrors, *, partial: bool) -> None:
    if "priority" in values or not partial:
        out["priority"] = _int(values, "priority", 1, 4, _("Elige una prioridad de 1 (urgente) a 4."), errors)
    if "progress" in values or not partial:
        out["progress"] = _int(values, "progress", 0, 100, _("El avance es un número entero de 0 a 100."), errors)
    if "status" in values or not partial:
        status = _text(values, "status")
        if status not in STATUSES:
            errors.add("status", _("Elige un estado de la lista."))
        out["status"] = status
    for key in ("start_on", "due_on"):
        if key in values or not partial:
            out[key] = _date(values, key, errors)
    for key in ("kpi_baseline", "kpi_goal"):
        if key in values or not partial:
            out[key] = _decimal(values, key, errors)


def clean_initiative(values: Mapping[str, Any], tree: FrameworkStructure, *, partial: bool = False) -> Cleaned:
    """Check a form or API body; ``partial`` checks only the fields present (PATCH).

    Raises :class:`InitiativeInvalid` with every message at once."""
    errors = FormErrors()
    out: dict[str, Any] = {}
    _clean_texts(values, out, errors, partial=partial)
    _clean_numbers(values, out, errors, partial=partial)
    if "dimension_key" in values or not partial:
        key = _text(values, "dimension_key")
        try:
            tree.dimension(key)
        except KeyError:
            errors.add("dimension_key", _("Elige una dimensión del modelo."))
        out["dimension_key"] = key
    if "question_keys" in values or not partial:
        out["question_keys"] = _list(values, "question_keys")
    owner_sent = "owner" in values or not partial
    owner = _owner(_text(values, "owner"), errors) if owner_sent else None
    depends_on: list[UUID] | None = None
    if "depends_on" in values or not partial:
        try:
            depends_on = [UUID(v) for v in _list(values, "depends_on")]
        except ValueError:
            errors.add("depends_on", _("Elige iniciativas de este plan."))
    if errors:
        raise InitiativeInvalid(errors)
    return Cleaned(out, owner, owner_sent, depends_on)


# --- rules that need the plan -----------------------------------------------------------------


def _check_questions(tree: FrameworkStructure, dimension_key: str, keys: list[str], errors: FormErrors) -> None:
    try:
        allowed = {q.key for q in tree.dimension(dimension_key).questions}
    except KeyError:
        return  # the dimension's own message is enough
    if any(k not in allowed for k in keys):
        errors.add("question_keys", _("Elige preguntas de la dimensión de la iniciativa."))


def _check_rules(initiative: Initiative, errors: FormErrors) -> None:
    """The rules on the initiative as it would be saved (the same as the CHECK constraints)."""
    if initiative.status == "blocked" and not initiative.blocked_reason:
        errors.add("blocked_reason", _("Explica qué bloquea la iniciativa."))
    if initiative.status == "done" and initiative.progress != 100:
        errors.add("progress", _("Una iniciativa terminada tiene 100 % de avance."))
    if initiative.start_on and initiative.due_on and initiative.due_on < initiative.start_on:
        errors.add("due_on", _("La fecha límite no puede ser anterior a la de inicio."))


async def _check_owner(
    db: AsyncSession, tenant_id: UUID, plan: Plan, owner: tuple[str, UUID] | None, errors: FormErrors
) -> tuple[UUID | None, UUID | None]:
    """(owner_user_id, owner_contact_id): a member of the firm or a contact of the plan's company."""
    if owner is None:
        return None, None
    kind, owner_id = owner
    if kind == "user":
        if await membership_of(db, tenant_id, owner_id) is None:
            errors.add("owner", _("El responsable debe ser un miembro de la firma o un contacto de la empresa."))
        return owner_id, None
    try:
        await get_contact(db, tenant_id, plan.company_id, owner_id)
    except NotFound:
        errors.add("owner", _("El responsable debe ser un miembro de la firma o un contacto de la empresa."))
    return None, owner_id


def _waits_on_unfinished(
    initiative: Initiative, depends_on: Iterable[UUID], siblings: Mapping[UUID, Initiative]
) -> str | None:
    """The title of an unfinished initiative this one waits for (finish-to-start), if any."""
    for other_id in depends_on:
        other = siblings.get(other_id)
        if other is not None and other.status != "done":
            return other.title
    return None


def _reaches(edges: Mapping[UUID, Iterable[UUID]], start: Iterable[UUID], goal: UUID) -> bool:
    """Whether following "waits for" edges from ``start`` arrives at ``goal`` (a cycle)."""
    seen: set[UUID] = set()
    stack = list(start)
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, ()))
    return False


def _check_dependencies(
    initiative: Initiative,
    depends_on: list[UUID],
    edges: Mapping[UUID, list[UUID]],
    siblings: Mapping[UUID, Initiative],
    errors: FormErrors,
) -> None:
    if initiative.id in depends_on:
        errors.add("depends_on", _("Una iniciativa no puede depender de sí misma."))
    elif any(d not in siblings for d in depends_on):
        errors.add("depends_on", _("Elige iniciativas de este plan."))
    elif _reaches({**edges, initiative.id: depends_on}, depends_on, initiative.id):
        errors.add(
            "depends_on", _("Esas dependencias forman un ciclo: una iniciativa terminaría esperándose a sí misma.")
        )


async def _replace_dependencies(db: AsyncSession, tenant_id: UUID, initiative_id: UUID, depends_on: list[UUID]) -> None:
    await db.execute(
        delete(InitiativeDependency).where(
            InitiativeDependency.tenant_id == tenant_id, InitiativeDependency.initiative_id == initiative_id
        )
    )
    db.add_all(
        InitiativeDependency(tenant_id=tenant_id, initiative_id=initiative_id, depends_on_id=d)
        for d in dict.fromkeys(depends_on)
    )


# --- changes --------------------------------------------------------------------------------


def _picture(initiative: Initiative, depends_on: list[UUID] | None = None) -> dict[str, Any]:
    data = snapshot(initiative, FIELDS)
    if depends_on is not None:
        data["depends_on"] = [str(d) for d in depends_on]
    return data


@dataclass
class PlanState:
    """The plan around an initiative being changed: its tree, its other initiatives, its edges."""

    plan: Plan
    tree: FrameworkStructure
    siblings: dict[UUID, Initiative]  # the plan's other initiatives by id
    edges: dict[UUID, list[UUID]]  # initiative id → ids it waits for


async def _plan_state(db: AsyncSession, tenant_id: UUID, plan: Plan, exclude: UUID | None) -> PlanState:
    initiatives = await list_initiatives(db, tenant_id, plan.id)
    return PlanState(
        plan,
        await plan_tree(db, tenant_id, plan),
        {i.id: i for i in initiatives if i.id != exclude},
        await dependencies_of(db, tenant_id, plan.id),
    )


async def _apply(db: AsyncSession, tenant_id: UUID, state: PlanState, initiative: Initiative, cleaned: Cleaned) -> None:
    """Put the checked values on ``initiative`` and check the rules that span fields; raise on
    any error (the caller's transaction rolls back, so nothing is changed)."""
    errors = FormErrors()
    previous_status = initiative.status
    for key, value in cleaned.values.items():
        setattr(initiative, key, value)
    if cleaned.values.get("status") == "done" and "progress" not in cleaned.values:
        initiative.progress = 100
    if initiative.status != "blocked":
        initiative.blocked_reason = ""
    _check_questions(state.tree, initiative.dimension_key, list(initiative.question_keys or []), errors)
    if cleaned.owner_sent:
        initiative.owner_user_id, initiative.owner_contact_id = await _check_owner(
            db, tenant_id, state.plan, cleaned.owner, errors
        )
    _check_rules(initiative, errors)
    depends_on = state.edges.get(initiative.id, []) if cleaned.depends_on is None else cleaned.depends_on
    if cleaned.depends_on is not None:
        _check_dependencies(initiative, cleaned.depends_on, state.edges, state.siblings, errors)
    if initiative.status in ("in_progress", "done") and initiative.status != previous_status:
        waiting = _waits_on_unfinished(initiative, depends_on, state.siblings)
        if waiting:
            errors.add("status", _("Espera a «{title}», que aún no está terminada.").format(title=waiting))
    if errors:
        raise InitiativeInvalid(errors)
    initiative.completed_at = (initiative.completed_at or now()) if initiative.status == "done" else None


async def update_initiative(
    db: AsyncSession,
    tenant_id: UUID,
    actor: Actor,
    initiative_id: UUID,
    values: Mapping[str, Any],
    *,
    partial: bool = False,
    mailer: Mailer | None = None,
) -> Initiative:
    """Change an initiative from a form (every field) or an API body (``partial``: the fields sent).

    With ``mailer``, a new owner is told by email (callers that never change the owner, or the
    demo's seeding, pass none)."""
    initiative = await get_initiative(db, tenant_id, initiative_id, for_update=True)
    plan = await get_plan(db, tenant_id, initiative.plan_id)
    state = await _plan_state(db, tenant_id, plan, initiative.id)
    cleaned = clean_initiative(values, state.tree, partial=partial)
    before = _picture(initiative, state.edges.get(initiative.id, []))
    owner_before = owner_of(initiative)
    with db.no_autoflush:
        try:
            await _apply(db, tenant_id, state, initiative, cleaned)
        except InitiativeInvalid:
            # Forget the refused values, so that no later flush writes them.
            db.expire(initiative)
            raise
    if cleaned.depends_on is not None:
        await _replace_dependencies(db, tenant_id, initiative.id, cleaned.depends_on)
    after = _picture(
        initiative, state.edges.get(initiative.id, []) if cleaned.depends_on is None else cleaned.depends_on
    )
    await db.flush()
    AuditTrail(db, tenant_id, actor)("update", "initiative", initiative.id, before=before, after=after)
    if mailer is not None:
        await mail_new_owner(db, mailer, actor, plan, initiative, owner_before)
    return initiative


async def add_initiative(
    db: AsyncSession,
    tenant_id: UUID,
    actor: Actor,
    plan_id: UUID,
    values: Mapping[str, Any],
    *,
    mailer: Mailer | None = None,
) -> Initiative:
    """An initiative written by hand (no library key), last in the plan's order; with ``mailer``
    its owner, if any, is told by email."""
    plan = await get_plan(db, tenant_id, plan_id)
    state = await _plan_state(db, tenant_id, plan, None)
    defaults = {"priority": "2", "status": "pending", "progress": "0"}
    cleaned = clean_initiative({**defaults, **{k: v for k, v in values.items() if v not in (None, "")}}, state.tree)
    cleaned.depends_on = None  # dependencies are set once the initiative exists
    last = await db.scalar(
        select(Initiative.position)
        .where(Initiative.tenant_id == tenant_id, Initiative.plan_id == plan.id)
        .order_by(Initiative.position.desc())
        .limit(1)
    )
    initiative = Initiative(tenant_id=tenant_id, plan_id=plan.id, position=(last or 0) + 1, question_keys=[])
    with db.no_autoflush:
        await _apply(db, tenant_id, state, initiative, cleaned)
    db.add(initiative)
    await db.flush()
    AuditTrail(db, tenant_id, actor)("create", "initiative", initiative.id, after=_picture(initiative))
    if mailer is not None:
        await mail_new_owner(db, mailer, actor, plan, initiative, (None, None))
    return initiative


async def set_status(
    db: AsyncSession, tenant_id: UUID, actor: Actor, initiative_id: UUID, status: str, *, reason: str = ""
) -> Initiative:
    """Move an initiative to a status (blocked needs a reason; done sets progress to 100)."""
    values: dict[str, Any] = {"status": status}
    if status == "blocked":
        values["blocked_reason"] = reason
    return await update_initiative(db, tenant_id, actor, initiative_id, values, partial=True)


async def set_progress(
    db: AsyncSession, tenant_id: UUID, actor: Actor, initiative_id: UUID, progress: int | str
) -> Initiative:
    """Record how far along an initiative is (0–100; a done initiative stays at 100)."""
    return await update_initiative(db, tenant_id, actor, initiative_id, {"progress": progress}, partial=True)


async def add_comment(
    db: AsyncSession,
    tenant_id: UUID,
    actor: Actor,
    initiative_id: UUID,
    body: str,
    *,
    author_contact_id: UUID | None = None,
) -> InitiativeComment:
    """A comment on the initiative's thread, by a member (``actor``) or a client contact."""
    initiative = await get_initiative(db, tenant_id, initiative_id)
    text = (body or "").strip()
    if not text:
        raise _invalid("body", _("Escribe el comentario."))
    if len(text) > 5000:
        raise _invalid("body", _("El comentario admite hasta 5000 caracteres."))
    comment = InitiativeComment(
        tenant_id=tenant_id,
        initiative_id=initiative.id,
        author_user_id=None if author_contact_id else actor.id,
        author_contact_id=author_contact_id,
        author_label=actor.label[:320],
        body=text,
    )
    db.add(comment)
    await db.flush()
    AuditTrail(db, tenant_id, actor)(
        "create", "initiative_comment", comment.id, after={"initiative_id": str(initiative.id), "body": text}
    )
    return comment


async def move_initiative(
    db: AsyncSession, tenant_id: UUID, actor: Actor, initiative_id: UUID, direction: str
) -> Initiative:
    """Swap an initiative with its neighbour of the same priority (``up`` or ``down``).

    The list is sorted by priority first; the plan's own order decides within a priority, so a
    move never crosses into another priority (change the priority for that)."""
    if direction not in ("up", "down"):
        raise _invalid("direction", _("Elige subir o bajar."))
    initiative = await get_initiative(db, tenant_id, initiative_id, for_update=True)
    same = [i for i in await list_initiatives(db, tenant_id, initiative.plan_id) if i.priority == initiative.priority]
    index = next(n for n, i in enumerate(same) if i.id == initiative.id)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(same):
        return initiative  # already first (or last) of its priority: nothing to do
    # Rewrite the group's positions as a clean sequence so that equal positions cannot stick.
    order = list(same)
    order[index], order[other_index] = order[other_index], order[index]
    base = min(i.position for i in same)
    before = [str(i.id) for i in same]
    for offset, item in enumerate(order):
        item.position = base + offset
    await db.flush()
    AuditTrail(db, tenant_id, actor)(
        "reorder",
        "initiative",
        initiative.id,
        before={"order": before},
        after={"order": [str(i.id) for i in order], "direction": direction},
    )
    return initiative


async def remove_initiative(db: AsyncSession, tenant_id: UUID, actor: Actor, initiative_id: UUID) -> Plan:
    """Delete an initiative (its comments and dependencies go with it)."""
    initiative = await get_initiative(db, tenant_id, initiative_id, for_update=True)
    plan = await get_plan(db, tenant_id, initiative.plan_id)
    before = {**_picture(initiative), "plan_id": str(plan.id), "template_key": initiative.template_key}
    await db.delete(initiative)
    await db.flush()
    AuditTrail(db, tenant_id, actor)("delete", "initiative", initiative_id, before=before)
    return plan
