"""What the pages call an initiative's status and priority (translated)."""

from __future__ import annotations

from typing import Any

from ordena.lib.i18n import _
from ordena.plans.models import PRIORITIES, STATUSES


def status_label(status: str) -> str:
    return {
        "pending": _("Pendiente"),
        "in_progress": _("En curso"),
        "done": _("Terminada"),
        "blocked": _("Bloqueada"),
    }.get(status, status)


def priority_label(priority: int) -> str:
    return {1: _("1 · Urgente"), 2: _("2 · Alta"), 3: _("3 · Media"), 4: _("4 · Baja")}.get(priority, str(priority))


def status_options() -> list[tuple[str, str]]:
    return [(s, status_label(s)) for s in STATUSES]


def priority_options() -> list[tuple[str, str]]:
    return [(str(p), priority_label(p)) for p in PRIORITIES]


def plan_labels() -> dict[str, Any]:
    """The labels every plan template calls, for its context."""
    return {
        "initiative_status": status_label,
        "priority_label": priority_label,
        "status_options": status_options(),
        "priority_options": priority_options(),
    }
