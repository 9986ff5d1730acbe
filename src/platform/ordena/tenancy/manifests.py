"""Declarative firms and networks (TOML files under ``tenants/``), applied idempotently.

A file holds either a ``[firm]`` table (slug, name, locale, brand_color, ``[[firm.members]]``
with email, name, role and, for demo data only, password) or a ``[network]`` table (slug, name,
firms = [slugs], ``[[network.admins]]``). ``sync_path`` creates what is missing, updates what
differs, and reports each change; running it twice changes nothing the second time.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts import services as accounts
from ordena.accounts.models import User
from ordena.accounts.passwords import verify_password
from ordena.audit.services import Actor, AuditTrail
from ordena.db.engine import Database
from ordena.networks import services as networks
from ordena.settings import Settings
from ordena.tenancy import memberships
from ordena.tenancy.models import Role, Tenant
from ordena.tenancy.services import SLUG_RE, enter_firm, tenant_by_slug

OPERATOR = Actor(None, "operator:tenants-sync")


class ManifestError(ValueError):
    pass


@dataclass
class SyncReport:
    changes: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.changes.append(line)

    def lines(self) -> list[str]:
        return self.changes or ["nothing to change"]


def load_manifests(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    files = sorted(path.rglob("*.toml")) if path.is_dir() else [path]
    firms, networks = [], []
    for file in files:
        with file.open("rb") as f:
            doc = tomllib.load(f)
        if "firm" in doc:
            firms.append(_check_firm(doc["firm"], file))
        if "network" in doc:
            networks.append(_check_network(doc["network"], file))
    return firms, networks


def _check_firm(firm: dict[str, Any], file: Path) -> dict[str, Any]:
    slug = str(firm.get("slug", ""))
    if not SLUG_RE.match(slug) or not firm.get("name"):
        raise ManifestError(f"{file}: a firm needs a valid slug and a name")
    for m in firm.get("members", []):
        if not m.get("email") or m.get("role") not in {r.value for r in Role}:
            raise ManifestError(f"{file}: every member needs an email and a role (owner, partner, consultant, viewer)")
    return firm


def _check_network(net: dict[str, Any], file: Path) -> dict[str, Any]:
    if not SLUG_RE.match(str(net.get("slug", ""))) or not net.get("name"):
        raise ManifestError(f"{file}: a network needs a valid slug and a name")
    return net


async def _user(db: AsyncSession, report: SyncReport, spec: dict[str, Any], locale: str) -> User:
    email = str(spec["email"]).lower()
    user = await accounts.user_by_email(db, email)
    if user is None:
        name = spec.get("name") or email.split("@")[0]
        user = await accounts.add_user(
            db, email=email, name=name, locale=spec.get("locale", locale), password=spec.get("password")
        )
        report.add(f"user {email}: created")
        return user
    if spec.get("name") and user.name != spec["name"]:
        await accounts.set_name(db, user, spec["name"])
        report.add(f"user {email}: name updated")
    if spec.get("password") and not verify_password(user.password_hash, spec["password"]):
        await accounts.set_password(db, user, spec["password"])
        report.add(f"user {email}: password reset from manifest")
    return user


async def _sync_firm_row(db: AsyncSession, firm: dict[str, Any], report: SyncReport) -> Tenant:
    tenant = await tenant_by_slug(db, firm["slug"])
    wanted: dict[str, Any] = {k: firm[k] for k in ("name", "locale", "brand_color") if k in firm}
    if tenant is None:
        tenant = Tenant(slug=firm["slug"], **wanted)
        db.add(tenant)
        await db.flush()
        report.add(f"firm {tenant.slug}: created")
        await enter_firm(db, tenant, None)
        AuditTrail(db, tenant.id, OPERATOR)("create", "firm", tenant.id, after=wanted)
        return tenant
    await enter_firm(db, tenant, None)
    changed: dict[str, Any] = {k: v for k, v in wanted.items() if getattr(tenant, k) != v}
    if changed:
        before: dict[str, Any] = {k: getattr(tenant, k) for k in changed}
        for k, v in changed.items():
            setattr(tenant, k, v)
        report.add(f"firm {tenant.slug}: updated {', '.join(sorted(changed))}")
        AuditTrail(db, tenant.id, OPERATOR)("update", "firm", tenant.id, before=before, after=changed)
    return tenant


async def sync_firm(db: AsyncSession, firm: dict[str, Any], report: SyncReport) -> Tenant:
    tenant = await _sync_firm_row(db, firm, report)
    for spec in firm.get("members", []):
        user = await _user(db, report, spec, tenant.locale)
        role = Role(spec["role"])
        granted = await memberships.grant(db, tenant=tenant, user=user, role=role, actor=OPERATOR)
        if granted.outcome is memberships.Granted.ADDED:
            report.add(f"firm {tenant.slug}: {user.email} added as {role.value}")
        elif granted.outcome is memberships.Granted.CHANGED:
            report.add(f"firm {tenant.slug}: {user.email} is now {role.value}")
    return tenant


async def sync_network(db: AsyncSession, net: dict[str, Any], report: SyncReport) -> None:
    network = await networks.network_by_slug(db, net["slug"])
    if network is None:
        try:
            network = await networks.create_network(
                db,
                slug=net["slug"],
                name=net["name"],
                min_companies=net.get("min_companies", 5),
                min_firms=net.get("min_firms", 3),
                epsilon=net.get("epsilon", "1.0"),
                actor=OPERATOR,
            )
        except networks.NetworkInvalid as exc:
            raise ManifestError(f"network {net['slug']}: {exc}") from None
        report.add(f"network {network.slug}: created")
    elif network.name != net["name"]:
        network.name = net["name"]
        report.add(f"network {network.slug}: renamed")
    for spec in net.get("admins", []):
        user = await _user(db, report, spec, "es")
        if await networks.add_admin(db, network.id, user.id, actor=OPERATOR):
            report.add(f"network {network.slug}: {user.email} is an admin")
    for entry in net.get("firms", []):
        slug = entry if isinstance(entry, str) else entry["slug"]
        consent = True if isinstance(entry, str) else bool(entry.get("consent", True))
        tenant = await tenant_by_slug(db, slug)
        if tenant is None:
            raise ManifestError(f"network {network.slug}: unknown firm {slug}")
        await enter_firm(db, tenant, None)
        if await networks.join(db, tenant.id, network.id, consent_by="manifest" if consent else None, actor=OPERATOR):
            report.add(f"network {network.slug}: firm {slug} joined" + (" (consent recorded)" if consent else ""))
            AuditTrail(db, tenant.id, OPERATOR)(
                "create", "network_membership", network.slug, after={"consent": consent}
            )


async def sync(database: Database, path: Path, *, dry_run: bool = False) -> SyncReport:
    firms, networks = load_manifests(path)
    report = SyncReport()
    async with database.session() as db:
        for firm in firms:
            await sync_firm(db, firm, report)
        for net in networks:
            await sync_network(db, net, report)
        if dry_run:
            await db.rollback()
            report.add("(dry run: nothing was saved)")
        else:
            await db.commit()
    return report


async def sync_path(settings: Settings, path: Path, *, dry_run: bool = False) -> SyncReport:
    database = Database.connect(settings)
    try:
        return await sync(database, path, dry_run=dry_run)
    finally:
        await database.dispose()
