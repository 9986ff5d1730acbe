"""The audit log as a person reads it: who (names, not addresses or ids), what (the entity's name
and a link to it), and what changed (field: before → after, in the reader's language).

Names come from each owning domain's ``*_by_ids`` functions, one batched query per kind of thing
for a whole page (or export batch), never one per line.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.assessments import names as assessment_names
from ordena.assessments.labels import status_label
from ordena.audit.models import AuditEvent
from ordena.audit.services import AuditEntry
from ordena.companies import names as company_names
from ordena.frameworks import names as framework_names
from ordena.frameworks.services import label
from ordena.lib.i18n import _, format_date, get_locale, ngettext
from ordena.tenancy import names as member_names
from ordena.tenancy.roles import role_label

CONTACT_ACTOR = "contact:"


@cache
def action_labels(locale: str) -> dict[str, str]:
    return {
        "create": _("Creación"),
        "update": _("Cambio"),
        "delete": _("Eliminación"),
        "invite": _("Invitación"),
        "revoke": _("Revocación"),
        "answer": _("Respuesta"),
        "submit": _("Envío"),
        "upload": _("Subida de archivo"),
        "link": _("Enlace"),
        "remind": _("Recordatorio"),
        "archive": _("Archivado"),
        "restore": _("Restauración"),
        "start": _("Comienzo"),
        "validate": _("Validación"),
        "publish": _("Publicación"),
        "reopen": _("Reapertura"),
    }


@cache
def entity_labels(locale: str) -> dict[str, str]:
    return {
        "firm": _("Firma"),
        "membership": _("Miembro"),
        "company": _("Empresa"),
        "contact": _("Contacto"),
        "assessment": _("Evaluación"),
        "respondent": _("Respondente"),
        "evidence": _("Evidencia"),
        "dimension_override": _("Ajuste de dimensión"),
        "framework": _("Modelo"),
        "framework_version": _("Versión de modelo"),
        "framework_dimension": _("Dimensión del modelo"),
        "framework_question": _("Pregunta del modelo"),
        "network_membership": _("Membresía en red"),
    }


@cache
def field_labels(locale: str) -> dict[str, str]:
    return {
        "name": _("Nombre"),
        "ruc": _("RUC"),
        "country": _("País"),
        "industry_section": _("Sector"),
        "industry_division": _("División"),
        "size_band": _("Tamaño"),
        "employees": _("Trabajadores"),
        "archived_at": _("Archivada el"),
        "email": _("Correo"),
        "position": _("Cargo"),
        "user": _("Usuario"),
        "user_id": _("Usuario"),
        "role": _("Rol"),
        "brand_color": _("Color de marca"),
        "locale": _("Idioma"),
        "slug": _("Dirección"),
        "company_id": _("Empresa"),
        "assessment_id": _("Evaluación"),
        "respondent_id": _("Respondente"),
        "question_id": _("Pregunta"),
        "dimension_id": _("Dimensión"),
        "framework_id": _("Modelo"),
        "framework_version_id": _("Versión del modelo"),
        "version_id": _("Versión del modelo"),
        "cloned_from_version": _("Copiado de"),
        "copied_from": _("Copiado de"),
        "baseline_id": _("Evaluación base"),
        "title": _("Título"),
        "kind": _("Modalidad"),
        "status": _("Estado"),
        "targets": _("Metas"),
        "copied_answers": _("Respuestas copiadas"),
        "submitted_at": _("Enviada el"),
        "validated_at": _("Validada el"),
        "published_at": _("Publicada el"),
        "level": _("Nivel"),
        "na": _("No aplica"),
        "comment": _("Comentario"),
        "contact": _("Contacto"),
        "answered": _("Respondidas"),
        "questions": _("Preguntas"),
        "revision": _("Revisión"),
        "filename": _("Archivo"),
        "size": _("Tamaño (bytes)"),
        "sha256": _("Huella SHA-256"),
        "url": _("Enlace"),
        "score": _("Puntaje"),
        "computed_score": _("Puntaje calculado"),
        "reason": _("Motivo"),
        "by_label": _("Ajustado por"),
        "weight": _("Peso"),
        "version": _("Versión"),
        "key": _("Clave"),
        "text": _("Texto"),
        "help": _("Ayuda"),
        "levels": _("Niveles"),
        "allows_na": _("Admite «no aplica»"),
        "position_in_dimension": _("Posición"),
        "consent": _("Consentimiento"),
        "firm_copies": _("Copias de la firma"),
    }


@cache
def kind_labels(locale: str) -> dict[str, str]:
    return {"consultant": _("Consultor"), "self": _("Autoevaluación"), "both": _("Consultor y autoevaluación")}


# Fields whose values are ids of another thing, and which kind of thing.
ID_FIELDS = {
    "company_id": "company",
    "assessment_id": "assessment",
    "baseline_id": "assessment",
    "respondent_id": "respondent",
    "question_id": "question",
    "dimension_id": "dimension",
    "framework_id": "framework",
    "framework_version_id": "version",
    "version_id": "version",
    "cloned_from_version": "version",
    "copied_from": "version",
    "user_id": "user",
}
# Entity types whose id is the id of a kind of thing the resolver knows.
ENTITY_KINDS = {
    "company": "company",
    "contact": "contact",
    "assessment": "assessment",
    "respondent": "respondent",
    "evidence": "evidence",
    "membership": "membership",
    "framework": "framework",
    "framework_version": "version",
    "framework_dimension": "dimension",
    "framework_question": "question",
}


def as_uuid(value: Any) -> UUID | None:
    if value is None:
        return None
    try:
        return UUID(str(value))
    except ValueError:
        return None


@dataclass
class Names:
    """Every name a page needs, by kind of thing and id (filled by :func:`resolve`)."""

    wanted: dict[str, set[UUID]] = field(default_factory=dict)
    found: dict[str, dict[UUID, Any]] = field(default_factory=dict)

    def want(self, kind: str, value: Any) -> None:
        found = as_uuid(value)
        if found is not None:
            self.wanted.setdefault(kind, set()).add(found)

    def get(self, kind: str, value: Any) -> Any:
        found = as_uuid(value)
        return None if found is None else self.found.get(kind, {}).get(found)

    def missing(self, kind: str, ids: Iterable[UUID | None]) -> set[UUID]:
        known = self.found.get(kind, {})
        return {i for i in ids if i is not None and i not in known}


def _collect(events: Sequence[AuditEvent], names: Names) -> None:
    for e in events:
        names.want("user", e.actor_id)
        if e.actor_label.startswith(CONTACT_ACTOR):
            names.want("contact", e.actor_label.removeprefix(CONTACT_ACTOR))
        kind = ENTITY_KINDS.get(e.entity_type)
        if kind:
            names.want(kind, e.entity_id)
        for values in (e.before or {}, e.after or {}):
            for key, value in values.items():
                if key in ID_FIELDS:
                    names.want(ID_FIELDS[key], value)


async def resolve(db: AsyncSession, tenant_id: UUID, events: Sequence[AuditEvent]) -> Names:
    """The names of everyone and everything ``events`` mention, in a few batched queries."""
    names = Names()
    _collect(events, names)
    w = names.wanted
    f = names.found
    f["user"] = await member_names.user_names_by_ids(db, tenant_id, w.get("user", set()))
    f["membership"] = await member_names.names_by_ids(db, tenant_id, w.get("membership", set()))
    f["respondent"] = await assessment_names.respondents_by_ids(db, tenant_id, w.get("respondent", set()))
    f["evidence"] = await assessment_names.evidence_names_by_ids(db, tenant_id, w.get("evidence", set()))
    # What respondents and evidence point at joins the second round of lookups.
    for ref in f["respondent"].values():
        names.want("assessment", ref.assessment_id)
        names.want("contact", ref.contact_id)
        names.want("user", ref.user_id)
    for ev in f["evidence"].values():
        names.want("assessment", ev.assessment_id)
    f["contact"] = await company_names.contact_names_by_ids(db, tenant_id, w.get("contact", set()))
    f["user"] |= await member_names.user_names_by_ids(db, tenant_id, names.missing("user", w.get("user", set())))
    f["assessment"] = await assessment_names.names_by_ids(db, tenant_id, w.get("assessment", set()))
    f["company"] = await company_names.names_by_ids(db, tenant_id, w.get("company", set()))
    f["framework"] = await framework_names.names_by_ids(db, tenant_id, w.get("framework", set()))
    f["version"] = await framework_names.version_names_by_ids(db, tenant_id, w.get("version", set()))
    f["question"] = await framework_names.question_names_by_ids(db, tenant_id, w.get("question", set()))
    for q in f["question"].values():
        names.want("dimension", q.dimension_id)
    f["dimension"] = await framework_names.dimension_names_by_ids(db, tenant_id, w.get("dimension", set()))
    return names


# --- one line -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the field had no value before (a creation)
    after: str | None  # None: the field has no value after (a deletion)


@dataclass(frozen=True)
class ReadableEntry:
    at: dt.datetime
    since: dt.datetime | None
    count: int
    actor: str
    actor_detail: str  # the recorded label (an address), shown beside the name
    action: str
    kind: str
    name: str
    link: str | None
    changes: list[Change]
    event: AuditEvent


def actor_name(event: AuditEvent, names: Names) -> str:
    label_ = event.actor_label
    if event.actor_id is not None:
        return str(names.get("user", event.actor_id) or label_)
    if label_.startswith(CONTACT_ACTOR):
        contact = names.get("contact", label_.removeprefix(CONTACT_ACTOR))
        return _("{name} (contacto)").format(name=contact.name) if contact else _("Contacto eliminado")
    if label_.startswith("operator:"):
        return _("Operador de la plataforma")
    if label_ == "ordena":
        return _("Ordena (automático)")
    return label_


def _respondent_name(value: Any, names: Names) -> str | None:
    ref = names.get("respondent", value)
    if ref is None:
        return None
    if ref.contact_id is not None:
        contact = names.get("contact", ref.contact_id)
        return contact.name if contact else _("Contacto eliminado")
    # The consultant's respondent answers for the firm (any of its consultants saves into it;
    # the line's actor says who did): named by its role, not by the user who created it.
    return _("La firma (consultor)")


def _name_of(kind: str, value: Any, names: Names) -> str | None:
    """The readable name of one id of ``kind``, or None when it is not (or no longer) known."""
    if kind == "respondent":
        return _respondent_name(value, names)
    found = names.get(kind, value)
    if found is None or isinstance(found, str):
        return found
    for attribute in ("name", "title"):
        if hasattr(found, attribute):
            return str(getattr(found, attribute))
    return str(found)


def _plain_value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Sí") if value else _("No")
    if isinstance(value, dict) and value and set(value) <= {"es", "en"}:
        return label(value)
    if isinstance(value, dict) and value and all(isinstance(v, int) for v in value.values()):
        levels = set(value.values())
        if len(levels) == 1:  # targets: one level for every dimension, as most assessments set them
            return ngettext("{level} en {n} dimensión", "{level} en las {n} dimensiones", len(value)).format(
                level=levels.pop(), n=len(value)
            )
        return ", ".join(f"{k}: {v}" for k, v in sorted(value.items()))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return format_date(dt.datetime.fromisoformat(value), "short")
        except ValueError:
            return value
    return str(value)


def value_text(key: str, value: Any, names: Names) -> str:
    """One recorded value as a person reads it: names for ids, words for codes."""
    if key in ID_FIELDS and value:
        return _name_of(ID_FIELDS[key], value, names) or _("(ya no existe)")
    if key == "status" and isinstance(value, str):
        return status_label(value)
    if key == "role" and isinstance(value, str):
        return role_label(value)
    if key == "kind" and isinstance(value, str):
        return kind_labels(get_locale()).get(value, value)
    return _plain_value(value)


def changes_of(event: AuditEvent, names: Names) -> list[Change]:
    before, after = event.before or {}, event.after or {}
    labels = field_labels(get_locale())
    out: list[Change] = []
    for key in list(dict.fromkeys([*before, *after])):
        out.append(
            Change(
                labels.get(key, key),
                value_text(key, before[key], names) if key in before else None,
                value_text(key, after[key], names) if key in after else None,
            )
        )
    return out


def _recorded(event: AuditEvent, key: str) -> Any:
    """A value the event itself recorded (after, else before): the name of a thing since deleted."""
    return (event.after or {}).get(key, (event.before or {}).get(key))


def _assessment_link(base: str, assessment_id: Any) -> str | None:
    found = as_uuid(assessment_id)
    return f"{base}/assessments/{found}" if found else None


def entity_of(event: AuditEvent, names: Names, base: str, firm_name: str) -> tuple[str, str | None]:
    """The entity's name and the page that shows it (None: nothing to link to)."""
    kind, eid = event.entity_type, event.entity_id
    if kind == "firm":
        return firm_name, f"{base}/settings"
    if kind == "company":
        return _name_of("company", eid, names) or str(_recorded(event, "name") or eid), f"{base}/companies/{eid}"
    if kind == "contact":
        contact = names.get("contact", eid)
        company = contact.company_id if contact else as_uuid(_recorded(event, "company_id"))
        name = contact.name if contact else str(_recorded(event, "name") or eid)
        return name, f"{base}/companies/{company}" if company else None
    if kind == "assessment":
        return _name_of("assessment", eid, names) or eid, _assessment_link(base, eid)
    if kind == "respondent":
        ref = names.get("respondent", eid)
        name = _respondent_name(eid, names) or str(_recorded(event, "contact") or eid)
        return name, _assessment_link(base, ref.assessment_id if ref else _recorded(event, "assessment_id"))
    if kind == "evidence":
        ev = names.get("evidence", eid)
        return (ev.title if ev else eid), _assessment_link(base, ev.assessment_id if ev else None)
    if kind == "dimension_override":
        dimension = _name_of("dimension", _recorded(event, "dimension_id"), names)
        return dimension or eid, _assessment_link(base, _recorded(event, "assessment_id"))
    if kind == "membership":
        name = _name_of("membership", eid, names) or str(_recorded(event, "email") or _recorded(event, "user") or eid)
        return name, f"{base}/members"
    if kind in ("framework_version", "framework_dimension", "framework_question"):
        part = names.get(ENTITY_KINDS[kind], eid)
        return (part.name if part else eid), f"{base}/frameworks/versions/{part.version_id}" if part else None
    if kind == "framework":
        version = as_uuid(_recorded(event, "version_id"))
        link = f"{base}/frameworks/versions/{version}" if version else f"{base}/frameworks"
        return _name_of("framework", eid, names) or eid, link
    return eid, None


def _answers_summary(entry: AuditEntry, names: Names) -> list[Change]:
    """What a fold of autosaves says: whose answers, in which dimension, how many."""
    after = entry.event.after or {}
    question = names.get("question", after.get("question_id"))
    dimension = _name_of("dimension", question.dimension_id, names) if question else None
    labels = field_labels(get_locale())
    who = _respondent_name(after.get("respondent_id"), names) or _("(ya no existe)")
    return [
        Change(labels["respondent_id"], None, who),
        Change(_("Dimensión"), None, dimension or _("(ya no existe)")),
        Change(
            _("Respuestas"),
            None,
            ngettext("{n} guardado", "{n} guardados", entry.count).format(n=entry.count)
            + " · "
            + ngettext("{n} pregunta", "{n} preguntas", entry.questions).format(n=entry.questions),
        ),
    ]


def readable(entries: Sequence[AuditEntry], names: Names, *, base: str, firm_name: str) -> list[ReadableEntry]:
    locale = get_locale()
    actions, kinds = action_labels(locale), entity_labels(locale)
    out: list[ReadableEntry] = []
    for entry in entries:
        e = entry.event
        name, link = entity_of(e, names, base, firm_name)
        out.append(
            ReadableEntry(
                at=e.created_at,
                since=entry.since if entry.folded else None,
                count=entry.count,
                actor=actor_name(e, names),
                actor_detail=e.actor_label,
                action=actions.get(e.action, e.action),
                kind=kinds.get(e.entity_type, e.entity_type),
                name=name,
                link=link,
                changes=_answers_summary(entry, names) if entry.folded else changes_of(e, names),
                event=e,
            )
        )
    return out
