"""Template helpers shared by every page: the firm's navigation, role labels, query strings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from ordena.lib.i18n import _
from ordena.tenancy.models import Role
from ordena.tenancy.roles import role_label
from ordena.tenancy.services import FirmContext


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str
    prefix: bool = True


def role_options(firm: FirmContext) -> list[tuple[str, str]]:
    roles = [r for r in Role if firm.can(Role.OWNER) or r is not Role.OWNER]
    return [(r.value, role_label(r)) for r in roles]


# Domains append (min_role, path suffix, label msgid) here, in menu order.
FIRM_NAV: list[tuple[Role, str, str]] = [
    (Role.VIEWER, "/companies", "Empresas"),
    (Role.VIEWER, "/assessments", "Evaluaciones"),
    (Role.VIEWER, "/frameworks", "Modelos"),
]


def firm_nav_items(firm: FirmContext) -> list[NavItem]:
    base = f"/w/{firm.tenant.slug}"
    items = [NavItem(base, _("Inicio"), prefix=False)]
    for role, suffix, label in FIRM_NAV:
        if firm.can(role):
            items.append(NavItem(base + suffix, _(label)))
    items.append(NavItem(base + "/members", _("Miembros")))
    if firm.can(Role.OWNER):
        items.append(NavItem(base + "/settings", _("Configuración")))
        items.append(NavItem(base + "/audit", _("Auditoría")))
    return items


def query_with(params: Any, **changes: Any) -> str:
    merged = {k: v for k, v in dict(params).items() if k not in changes}
    merged.update({k: v for k, v in changes.items() if v not in (None, "")})
    return urlencode(merged)


def fw_label(doc: Any) -> str:
    """Framework content ({"es", "en"} documents) in the current language."""
    from ordena.frameworks.services import label

    return label(doc)


TEMPLATE_GLOBALS = {
    "fw_label": fw_label,
    "firm_nav_items": firm_nav_items,
    "role_label": role_label,
    "role_options": role_options,
    "query_with": query_with,
}
