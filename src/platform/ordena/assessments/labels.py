"""What the pages call an assessment's status, kind and lifecycle actions (translated)."""

from __future__ import annotations

from typing import Any

from ordena.lib.i18n import _


def status_label(status: str) -> str:
    return {
        "draft": _("Borrador"),
        "in_progress": _("En curso"),
        "submitted": _("Enviada"),
        "validated": _("Validada"),
        "published": _("Publicada"),
    }.get(status, status)


def kind_label(kind: str) -> str:
    return {
        "consultant": _("Evaluación del consultor"),
        "self": _("Autoevaluación del cliente"),
        "both": _("Consultor y autoevaluación"),
    }.get(kind, kind)


def transition_label(action: str) -> str:
    return {
        "start": _("Iniciar"),
        "submit": _("Enviar a validación"),
        "validate": _("Validar"),
        "publish": _("Publicar resultados"),
        "reopen": _("Reabrir"),
    }.get(action, action)


def transition_confirm(action: str) -> str:
    return {
        "start": _("¿Iniciar la evaluación?"),
        "submit": _("¿Enviar la evaluación? Ya no se podrán cambiar las respuestas."),
        "validate": _("¿Validar las respuestas de esta evaluación?"),
        "publish": _("¿Publicar los resultados? El cliente podrá verlos."),
        "reopen": _("¿Reabrir la evaluación para cambiar respuestas?"),
    }.get(action, "")


def label_functions() -> dict[str, Any]:
    """The labels every assessment template calls, for its context."""
    return {
        "status_label": status_label,
        "kind_label": kind_label,
        "transition_label": transition_label,
        "transition_confirm": transition_confirm,
    }
