"""Template helpers shared by every page: the firm's navigation, role labels, query strings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from ordena.domains import firm_nav
from ordena.frameworks.services import label
from ordena.lib.i18n import get_locale, use_locale
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


def firm_nav_items(firm: FirmContext, settings: Any = None) -> tuple[NavItem, ...]:
    shown = tuple(entry.setting is None or bool(getattr(settings, entry.setting, False)) for entry in firm_nav())
    return _firm_nav_items(firm.tenant.slug, firm.role, get_locale(), shown)


@lru_cache(maxsize=4096)
def _firm_nav_items(slug: str, role: Role, locale: str, shown: tuple[bool, ...]) -> tuple[NavItem, ...]:
    # Every input of the menu is in the key (the entries are fixed at import), so a cached
    # menu is always the one these inputs would build.
    base = f"/w/{slug}"
    with use_locale(locale):
        return tuple(
            NavItem(base + entry.path, str(entry.label), prefix=not entry.exact)
            for entry, setting_on in zip(firm_nav(), shown, strict=True)
            if setting_on and role.at_least(Role(entry.min_role))
        )


def query_with(params: Any, **changes: Any) -> str:
    merged = {k: v for k, v in dict(params).items() if k not in changes}
    merged.update({k: v for k, v in changes.items() if v not in (None, "")})
    return urlencode(merged)


TEMPLATE_GLOBALS = {
    "fw_label": label,
    "firm_nav_items": firm_nav_items,
    "role_label": role_label,
    "role_options": role_options,
    "query_with": query_with,
}
