"""What each firm role is called, in the current language (pages and emails)."""

from __future__ import annotations

from ordena.lib.i18n import _
from ordena.tenancy.models import Role


def role_label(role: Role | str) -> str:
    value = role.value if isinstance(role, Role) else role
    return {
        "owner": _("Propietario"),
        "partner": _("Socio"),
        "consultant": _("Consultor"),
        "viewer": _("Lector"),
    }.get(value, value)
