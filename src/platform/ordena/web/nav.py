"""Template helpers shared by every page: the firm's navigation, role labels, query strings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

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
    return _firm_nav_items(firm.tenant.slug, firm.role, get_locale(), _shown(settings))


def _shown(settings: Any) -> tuple[bool, ...]:
    return tuple(entry.setting is None or bool(getattr(settings, entry.setting, False)) for entry in firm_nav())


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


def firm_menu(firm: FirmContext, settings: Any, path: str) -> Markup:
    """The firm's menu (``<li>`` lines), the page's own entry marked current."""
    return _firm_menu(firm.tenant.slug, firm.role, get_locale(), _shown(settings), path)


_CURRENT = ' aria-current="page"'


@lru_cache(maxsize=4096)
def _firm_menu(slug: str, role: Role, locale: str, shown: tuple[bool, ...], path: str) -> Markup:
    # Kept per menu and path, every input of the text in the key, as for the items (profiled:
    # the loop was a twentieth of the billing page).
    lines = []
    for item in _firm_nav_items(slug, role, locale, shown):
        current = _CURRENT if path == item.href or (item.prefix and path.startswith(item.href)) else ""
        lines.append(f'      <li><a href="{escape(item.href)}"{current}>{escape(item.label)}</a></li>\n')
    return Markup("".join(lines))  # noqa: S704 - every value is escaped


def query_with(params: Any, **changes: Any) -> str:
    merged = {k: v for k, v in dict(params).items() if k not in changes}
    merged.update({k: v for k, v in changes.items() if v not in (None, "")})
    return urlencode(merged)


TEMPLATE_GLOBALS = {
    "fw_label": label,
    "firm_nav_items": firm_nav_items,
    "firm_menu": firm_menu,
    "role_label": role_label,
    "role_options": role_options,
    "query_with": query_with,
}
