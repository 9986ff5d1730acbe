"""The operator declares firms and networks in TOML manifests; syncing is idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from ordena.db.engine import Database
from ordena.networks.models import NetworkMembership
from ordena.settings import BASE_DIR
from ordena.tenancy.manifests import ManifestError, sync
from ordena.tenancy.models import Membership, Role, Tenant
from tests.factories import unique


def _write(tmp: Path, slug: str, net: str, extra_member: str = "") -> Path:
    (tmp / "firm.toml").write_text(
        f"""
[firm]
slug = "{slug}"
name = "Firma {slug}"
locale = "es"

[[firm.members]]
email = "owner@{slug}.test"
name = "Dueña"
role = "owner"
password = "manifest-password-1"
{extra_member}
""",
        encoding="utf-8",
    )
    (tmp / "network.toml").write_text(
        f"""
[network]
slug = "{net}"
name = "Red {net}"
firms = ["{slug}"]
""",
        encoding="utf-8",
    )
    return tmp


async def test_syncing_a_manifest_twice_changes_nothing_the_second_time(database: Database, tmp_path: Path) -> None:
    slug, net = unique("mf"), unique("net")
    path = _write(tmp_path, slug, net)
    first = await sync(database, path)
    assert f"firm {slug}: created" in first.changes
    assert any("joined" in line for line in first.changes)
    second = await sync(database, path)
    assert second.changes == []
    assert second.lines() == ["nothing to change"]


async def test_a_changed_role_in_the_manifest_is_applied_and_reported(database: Database, tmp_path: Path) -> None:
    slug, net = unique("mf"), unique("net")
    member = f'\n[[firm.members]]\nemail = "ana@{slug}.test"\nname = "Ana"\nrole = "viewer"\n'
    await sync(database, _write(tmp_path, slug, net, member))
    report = await sync(database, _write(tmp_path, slug, net, member.replace("viewer", "partner")))
    assert report.changes == [f"firm {slug}: ana@{slug}.test is now partner"]
    async with database.session() as db:
        tenant = await db.scalar(select(Tenant).where(Tenant.slug == slug))
        assert tenant is not None
    async with database.session(tenant_id=tenant.id) as db:
        roles = set((await db.scalars(select(Membership.role))).all())
        assert roles == {Role.OWNER, Role.PARTNER}
        consent = await db.scalar(select(NetworkMembership.consent_at))
        assert consent is not None


async def test_a_dry_run_saves_nothing(database: Database, tmp_path: Path) -> None:
    slug, net = unique("mf"), unique("net")
    report = await sync(database, _write(tmp_path, slug, net), dry_run=True)
    assert "(dry run: nothing was saved)" in report.changes
    async with database.session() as db:
        assert await db.scalar(select(Tenant).where(Tenant.slug == slug)) is None


async def test_a_manifest_with_an_unknown_role_is_refused(database: Database, tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(
        '[firm]\nslug = "abc-def"\nname = "X"\n[[firm.members]]\nemail = "a@b.c"\nrole = "king"\n'
    )
    with pytest.raises(ManifestError, match="role"):
        await sync(database, tmp_path)


async def test_the_demo_manifests_describe_seven_firms_and_one_network() -> None:
    from ordena.tenancy.manifests import load_manifests

    firms, networks = load_manifests(BASE_DIR / "tenants" / "demo")
    assert len(firms) == 7 and len(networks) == 1
    assert len(networks[0]["firms"]) == 7  # enough firms for the network pages to show real figures
    roles = {m["role"] for f in firms for m in f["members"]}
    assert roles == {"owner", "partner", "consultant", "viewer"}
