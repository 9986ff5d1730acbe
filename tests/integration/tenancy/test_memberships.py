"""Owners change roles and remove members; the members page, the account flows and the manifest
sync all go through one membership service, so the rules and the audit lines are the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from ordena.audit.models import AuditEvent
from ordena.audit.services import Actor
from ordena.db.engine import Database
from ordena.lib.errors import NotFound
from ordena.tenancy import memberships
from ordena.tenancy.manifests import sync
from ordena.tenancy.models import Membership, Role
from ordena.tenancy.services import FirmContext
from tests.factories import PASSWORD, FirmFixture, make_firm

OWNER_ACTOR = Actor(None, "test-owner")


def _as(firm: FirmFixture, role: Role) -> FirmContext:
    return FirmContext(firm.tenant, firm.users[role], role)


async def _membership_id(database: Database, firm: FirmFixture, role: Role) -> UUID:
    async with database.session(tenant_id=firm.id) as db:
        membership = await memberships.membership_of(db, firm.id, firm.users[role].id)
        assert membership is not None
        return membership.id


async def _membership_lines(database: Database, firm: FirmFixture) -> list[AuditEvent]:
    async with database.session(tenant_id=firm.id) as db:
        rows = await db.scalars(
            select(AuditEvent)
            .where(AuditEvent.tenant_id == firm.id, AuditEvent.entity_type == "membership")
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
        return list(rows.all())


async def test_the_last_owner_can_neither_remove_nor_demote_themselves(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    own = await _membership_id(database, firm, Role.OWNER)
    async with database.session(tenant_id=firm.id) as db:
        with pytest.raises(memberships.MembershipRefused) as removing:
            await memberships.remove_member(db, _as(firm, Role.OWNER), own, actor=OWNER_ACTOR)
        assert removing.value.message == "No puedes quitarte a ti mismo de la firma."
        with pytest.raises(memberships.MembershipRefused) as demoting:
            await memberships.set_role(db, _as(firm, Role.OWNER), own, "partner", actor=OWNER_ACTOR)
        assert demoting.value.message == "No puedes quitarte a ti mismo el rol de propietario."
        await db.commit()
    async with database.session(tenant_id=firm.id) as db:
        assert await db.scalar(select(Membership.role).where(Membership.id == own)) is Role.OWNER
    assert await _membership_lines(database, firm) == []


async def test_an_owner_cannot_touch_another_firms_membership(database: Database) -> None:
    ours = await make_firm(database, roles=(Role.OWNER,))
    theirs = await make_firm(database, roles=(Role.OWNER, Role.VIEWER))
    stranger = await _membership_id(database, theirs, Role.VIEWER)
    async with database.session(tenant_id=ours.id) as db:
        with pytest.raises(NotFound):
            await memberships.set_role(db, _as(ours, Role.OWNER), stranger, "partner", actor=OWNER_ACTOR)
        with pytest.raises(NotFound):
            await memberships.remove_member(db, _as(ours, Role.OWNER), stranger, actor=OWNER_ACTOR)


async def test_an_unknown_role_is_refused_without_a_change(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.OWNER, Role.VIEWER))
    viewer = await _membership_id(database, firm, Role.VIEWER)
    async with database.session(tenant_id=firm.id) as db:
        with pytest.raises(memberships.MembershipRefused) as refused:
            await memberships.set_role(db, _as(firm, Role.OWNER), viewer, "king", actor=OWNER_ACTOR)
        assert refused.value.message == "Elige un rol."


async def test_granting_the_same_role_again_changes_nothing_and_writes_no_line(database: Database) -> None:
    firm = await make_firm(database, roles=(Role.OWNER, Role.VIEWER))
    user = firm.users[Role.VIEWER]
    async with database.session() as db:
        same = await memberships.grant(db, tenant=firm.tenant, user=user, role=Role.VIEWER, actor=OWNER_ACTOR)
        changed = await memberships.grant(db, tenant=firm.tenant, user=user, role=Role.PARTNER, actor=OWNER_ACTOR)
        await db.commit()
    assert (same.outcome, changed.outcome) == (memberships.Granted.UNCHANGED, memberships.Granted.CHANGED)
    lines = await _membership_lines(database, firm)
    assert [(e.action, e.before, e.after) for e in lines] == [("update", {"role": "viewer"}, {"role": "partner"})]


async def test_an_owner_changes_a_role_and_removes_a_member_on_the_members_page(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.OWNER, Role.CONSULTANT, Role.VIEWER))
    consultant = await _membership_id(database, firm, Role.CONSULTANT)
    viewer = await _membership_id(database, firm, Role.VIEWER)
    await client.login(firm.email(Role.OWNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/members")
    response = await client.post(f"/w/{firm.slug}/members/{consultant}/role", {"role": "partner"})
    assert response.status_code == 303
    assert "Rol actualizado." in (await client.get(response.headers["location"])).text
    response = await client.post(f"/w/{firm.slug}/members/{viewer}/remove", {})
    assert response.status_code == 303
    assert "Miembro retirado de la firma." in (await client.get(response.headers["location"])).text
    lines = await _membership_lines(database, firm)
    assert [(e.action, e.entity_id, e.before, e.after, e.actor_label) for e in lines] == [
        ("update", str(consultant), {"role": "consultant"}, {"role": "partner"}, firm.email(Role.OWNER)),
        (
            "delete",
            str(viewer),
            {"user_id": str(firm.users[Role.VIEWER].id), "role": "viewer"},
            None,
            firm.email(Role.OWNER),
        ),
    ]
    async with database.session(tenant_id=firm.id) as db:
        roles = set((await db.scalars(select(Membership.role).where(Membership.tenant_id == firm.id))).all())
    assert roles == {Role.OWNER, Role.PARTNER}


async def test_an_owner_who_tries_to_step_down_on_the_page_is_told_why(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.OWNER,))
    own = await _membership_id(database, firm, Role.OWNER)
    await client.login(firm.email(Role.OWNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/members")
    response = await client.post(f"/w/{firm.slug}/members/{own}/role", {"role": "viewer"})
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "No puedes quitarte a ti mismo el rol de propietario." in page.text
    response = await client.post(f"/w/{firm.slug}/members/{own}/remove", {})
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "No puedes quitarte a ti mismo de la firma." in page.text
    assert await _membership_lines(database, firm) == []


async def test_the_page_and_the_manifest_sync_write_the_same_line_for_a_role_change(
    client: Any, database: Any, tmp_path: Path
) -> None:
    firm = await make_firm(database, roles=(Role.OWNER, Role.CONSULTANT, Role.VIEWER))
    viewer = await _membership_id(database, firm, Role.VIEWER)
    consultant = await _membership_id(database, firm, Role.CONSULTANT)
    await client.login(firm.email(Role.OWNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/members")
    assert (await client.post(f"/w/{firm.slug}/members/{viewer}/role", {"role": "partner"})).status_code == 303
    (tmp_path / "firm.toml").write_text(
        f'[firm]\nslug = "{firm.slug}"\nname = "{firm.tenant.name}"\n'
        f'[[firm.members]]\nemail = "{firm.email(Role.CONSULTANT)}"\nrole = "partner"\n',
        encoding="utf-8",
    )
    report = await sync(database, tmp_path)
    assert report.changes == [f"firm {firm.slug}: {firm.email(Role.CONSULTANT)} is now partner"]
    page_line, manifest_line = await _membership_lines(database, firm)
    assert (page_line.action, page_line.entity_id, page_line.before, page_line.after) == (
        "update",
        str(viewer),
        {"role": "viewer"},
        {"role": "partner"},
    )
    assert (manifest_line.action, manifest_line.entity_id, manifest_line.before, manifest_line.after) == (
        "update",
        str(consultant),
        {"role": "consultant"},
        {"role": "partner"},
    )
    assert (page_line.actor_label, manifest_line.actor_label) == (firm.email(Role.OWNER), "operator:tenants-sync")
