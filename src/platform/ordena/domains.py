"""Every domain of Ordena, declared once: its tables, routes, jobs, menu entries, platform content.

A new domain is one ``Domain(...)`` line here. The web plugin reads the routes and the menu,
Alembic and ``ordena db upgrade`` read the models and the platform content, the worker and every
process that enqueues jobs read the job modules. Modules are named, not imported, so that each
reader imports only what it needs: a worker never loads the web layer, Alembic never loads a route.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncConnection

from ordena.lib.i18n import LazyString, lazy


@dataclass(frozen=True)
class NavEntry:
    """A firm menu entry: ``path`` under ``/w/{slug}``, shown from ``min_role`` up, at ``order``."""

    order: int
    path: str
    label: LazyString
    min_role: str = "viewer"
    exact: bool = False  # the home entry is current only on its own page, not below it
    setting: str | None = None  # shown only where this ``Settings`` property is true


@dataclass(frozen=True)
class Domain:
    name: str
    models: str | None = None  # module declaring the domain's tables
    routes: tuple[str, ...] = ()  # modules exporting ``ROUTES`` (pages, then API)
    jobs: str | None = None  # module declaring ``@job`` functions
    nav: tuple[NavEntry, ...] = ()
    # ``module:function`` taking an owner connection, run by every ``ordena db upgrade``
    # (idempotent): content every database needs, such as the default framework.
    platform_content: str | None = None


DOMAINS: tuple[Domain, ...] = (
    Domain("health", routes=("ordena.health.routes",)),
    Domain("accounts", models="ordena.accounts.models", routes=("ordena.accounts.routes",)),
    Domain(
        "tenancy",
        models="ordena.tenancy.models",
        routes=("ordena.tenancy.routes",),
        nav=(
            NavEntry(0, "", lazy("Inicio"), exact=True),
            NavEntry(80, "/members", lazy("Miembros")),
            NavEntry(90, "/settings", lazy("Configuración"), min_role="owner"),
        ),
    ),
    Domain(
        "audit",
        models="ordena.audit.models",
        routes=("ordena.audit.routes",),
        nav=(NavEntry(95, "/audit", lazy("Auditoría"), min_role="owner"),),
    ),
    Domain("mail", models="ordena.mail.models", routes=("ordena.mail.routes",), jobs="ordena.mail.jobs"),
    Domain("api", routes=("ordena.api.routes",)),
    Domain(
        "companies",
        models="ordena.companies.models",
        routes=("ordena.companies.routes", "ordena.companies.api"),
        jobs="ordena.companies.jobs",
        nav=(NavEntry(10, "/companies", lazy("Empresas")),),
    ),
    Domain("jobs", models="ordena.jobs.models", routes=("ordena.jobs.routes",)),
    Domain(
        "assessments",
        models="ordena.assessments.models",
        routes=("ordena.assessments.routes", "ordena.assessments.api"),
        jobs="ordena.assessments.jobs",
        nav=(NavEntry(20, "/assessments", lazy("Evaluaciones")),),
    ),
    Domain(
        "frameworks",
        models="ordena.frameworks.models",
        routes=("ordena.frameworks.routes",),
        nav=(NavEntry(30, "/frameworks", lazy("Modelos")),),
        platform_content="ordena.frameworks.loader:ensure_default_framework",
    ),
    Domain(
        "plans",
        models="ordena.plans.models",
        routes=(
            "ordena.plans.routes",
            "ordena.plans.api",
            "ordena.plans.views.routes",
            "ordena.plans.client.routes",
        ),
        jobs="ordena.plans.jobs",
    ),
    Domain(
        "reports",
        models="ordena.reports.models",
        routes=("ordena.reports.routes", "ordena.reports.api"),
        jobs="ordena.reports.jobs",
    ),
    Domain(
        "networks",
        models="ordena.networks.models",
        routes=(
            "ordena.networks.routes",
            "ordena.networks.admin.routes",
            "ordena.networks.api",
            "ordena.networks.benchmark.api",
        ),
        jobs="ordena.networks.jobs",
    ),
    Domain(
        "billing",
        models="ordena.billing.models",
        routes=("ordena.billing.routes",),
        jobs="ordena.billing.jobs",
        nav=(NavEntry(92, "/billing", lazy("Facturación"), min_role="owner", setting="billing_enabled"),),
    ),
)


def _modules(names: Iterator[str | None]) -> list[ModuleType]:
    return [importlib.import_module(name) for name in names if name]


@cache
def load_models() -> list[ModuleType]:
    """Import every domain's tables into the shared metadata (Alembic, RLS checks, tests)."""
    return _modules(d.models for d in DOMAINS)


@cache
def load_jobs() -> list[ModuleType]:
    """Import every module that declares jobs, so that the job registry is complete."""
    return _modules(d.jobs for d in DOMAINS)


def route_handlers() -> list[Any]:
    handlers: list[Any] = []
    for module in _modules(name for d in DOMAINS for name in d.routes):
        handlers.extend(module.ROUTES)
    return handlers


@cache
@cache
def firm_nav() -> tuple[NavEntry, ...]:
    return tuple(sorted((entry for d in DOMAINS for entry in d.nav), key=lambda e: e.order))


def platform_content() -> list[Callable[[AsyncConnection], Awaitable[Any]]]:
    loaders = []
    for d in DOMAINS:
        if d.platform_content:
            module, _, function = d.platform_content.partition(":")
            loaders.append(
                cast(Callable[[AsyncConnection], Awaitable[Any]], getattr(importlib.import_module(module), function))
            )
    return loaders
