"""A domain is declared once, in ordena/domains.py, and everything that needs it reads it there."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import ordena
from ordena import domains
from ordena.db.base import metadata
from ordena.jobs.registry import JOBS

PACKAGE = Path(ordena.__file__).parent
# Not a domain: what every domain stands on (and, for its progress route, the web edge).
INFRASTRUCTURE = ("ordena.jobs", "ordena.db", "ordena.lib", "ordena.settings", "ordena.web")


def test_every_declared_module_exists_and_has_what_it_is_declared_for() -> None:
    for domain in domains.DOMAINS:
        for name in domain.routes:
            assert importlib.import_module(name).ROUTES, f"{name} declares no ROUTES"
        if domain.jobs:
            module = importlib.import_module(domain.jobs)
            assert any(spec.fn.__module__ == module.__name__ for spec in JOBS.values()), f"{domain.jobs} has no @job"
        if domain.platform_content:
            assert domain.platform_content in {"ordena.frameworks.loader:ensure_default_framework"}
    assert len(domains.platform_content()) == 1


def test_every_table_comes_from_a_declared_models_module() -> None:
    domains.load_models()
    declared = {d.models for d in domains.DOMAINS if d.models}
    owners = set()
    for mapper in ordena.db.base.Base.registry.mappers:
        owners.add(mapper.class_.__module__)
    assert owners <= declared
    assert {"company", "assessment", "audit_event", "tenant", "network"} <= set(metadata.tables)


def test_the_app_serves_every_declared_route_module() -> None:
    handlers = domains.route_handlers()
    paths = {p for h in handlers for p in getattr(h, "paths", set())}
    assert "/health/live" in paths
    assert any(p.startswith("/w/{slug:str}/companies") for p in paths)


def test_the_firm_menu_keeps_its_order_and_roles() -> None:
    entries = domains.firm_nav()
    assert [e.path for e in entries] == [
        "",
        "/companies",
        "/assessments",
        "/frameworks",
        "/members",
        "/settings",
        "/billing",
        "/audit",
    ]
    assert {e.path for e in entries if e.min_role == "owner"} == {"/settings", "/billing", "/audit"}


def test_the_jobs_package_imports_no_domain() -> None:
    offenders = []
    for path in sorted((PACKAGE / "jobs").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module and module.startswith("ordena") and not module.startswith(INFRASTRUCTURE):
                offenders.append(f"{path.name}: {module}")
    assert offenders == []
