"""A partner invites a colleague by email; the link makes them a member with the invited role."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from ordena.accounts import services
from ordena.accounts.models import User
from ordena.audit.services import Actor
from ordena.tenancy import memberships
from ordena.tenancy.models import Membership, Role
from tests.conftest import BASE_URL
from tests.factories import PASSWORD, make_firm, unique
from tests.integration.accounts.helpers import count_users, follow_link, link_in_last_email

CHOSEN = "my-own-strong-pass-77"


async def _account(database: Any, firm: Any, role: Role) -> str:
    """A member of ``firm`` with an ordinary address (factory users are on example.test, a
    special-use domain that invitations refuse for new addresses)."""
    email = f"{unique('member')}@example.com"
    async with database.session() as db:
        user, _created = await services.ensure_user(db, email=email, name="Miembro", password=PASSWORD)
        await memberships.grant(db, tenant=firm.tenant, user=user, role=role, actor=Actor(None, "test"))
        await db.commit()
    return email


async def _role_of(database: Any, firm: Any, email: str) -> Role | None:
    async with database.session(tenant_id=firm.id) as db:
        user = await db.scalar(select(User).where(User.email == email))
        if user is None:
            return None
        return await db.scalar(
            select(Membership.role).where(Membership.tenant_id == firm.id, Membership.user_id == user.id)
        )


async def test_a_partner_invites_a_new_colleague_who_chooses_a_password_and_joins(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.PARTNER,))
    await client.login(firm.email(Role.PARTNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/members")
    newcomer = f"{unique('ana')}@example.com"
    response = await client.post(f"/w/{firm.slug}/members/invite", {"email": newcomer, "role": "consultant"})
    assert response.status_code == 303
    url = await link_in_last_email(database, newcomer)
    assert url.startswith(BASE_URL + "/links/")

    # The newcomer opens the link in their own browser.
    client.cookies.clear()
    client.csrf = None
    response = await follow_link(client, url.removeprefix(BASE_URL))
    assert response.status_code == 303
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["location"].startswith("/account/password")
    page = await client.get(response.headers["location"])
    assert 'name="current"' not in page.text
    response = await client.post("/account/password", {"name": "Ana Quispe", "password": CHOSEN, "confirm": CHOSEN})
    assert response.status_code == 303
    assert await _role_of(database, firm, newcomer) is Role.CONSULTANT

    client.cookies.clear()
    client.csrf = None
    await client.login(newcomer, CHOSEN)
    assert (await client.get(f"/w/{firm.slug}")).status_code == 200


async def test_an_existing_user_joins_another_firm_through_the_invitation(client: Any, database: Any) -> None:
    inviting = await make_firm(database, roles=(Role.OWNER,))
    other = await make_firm(database, roles=(Role.VIEWER,))
    await client.login(inviting.email(Role.OWNER), PASSWORD)
    await client.get(f"/w/{inviting.slug}/members")
    colleague = await _account(database, other, Role.VIEWER)
    assert (
        await client.post(f"/w/{inviting.slug}/members/invite", {"email": colleague, "role": "partner"})
    ).status_code == 303
    url = await link_in_last_email(database, colleague)
    client.cookies.clear()
    client.csrf = None
    response = await follow_link(client, url.removeprefix(BASE_URL))
    assert response.headers["location"] == f"/w/{inviting.slug}"
    assert await _role_of(database, inviting, colleague) is Role.PARTNER


async def test_a_reused_invitation_link_is_refused_with_a_friendly_page(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.PARTNER,))
    await client.login(firm.email(Role.PARTNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/members")
    newcomer = f"{unique('beto')}@example.com"
    await client.post(f"/w/{firm.slug}/members/invite", {"email": newcomer, "role": "viewer"})
    path = (await link_in_last_email(database, newcomer)).removeprefix(BASE_URL)
    client.cookies.clear()
    assert (await follow_link(client, path)).status_code == 303
    client.cookies.clear()
    again = await client.get(path, follow_redirects=False)
    assert again.status_code == 410
    assert "Este enlace ya no es válido" in again.text
    assert again.headers["referrer-policy"] == "no-referrer"


async def test_a_consultant_cannot_invite_colleagues(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.CONSULTANT,))
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    page = await client.get(f"/w/{firm.slug}/members")
    assert "/members/invite" not in page.text
    outsider = f"{unique('carla')}@example.com"
    response = await client.post(f"/w/{firm.slug}/members/invite", {"email": outsider, "role": "viewer"})
    assert response.status_code == 403
    assert await count_users(database, outsider) == 0


async def test_inviting_someone_who_is_already_a_member_shows_a_field_error(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.PARTNER,))
    member = await _account(database, firm, Role.VIEWER)
    await client.login(firm.email(Role.PARTNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/members")
    response = await client.post(f"/w/{firm.slug}/members/invite", {"email": member.upper(), "role": "consultant"})
    assert response.status_code == 422
    assert 'id="e-email"' in response.text
    assert "Esa persona ya es miembro de la firma." in response.text
    assert await _role_of(database, firm, member) is Role.VIEWER


async def test_a_partner_cannot_invite_an_owner(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.PARTNER,))
    await client.login(firm.email(Role.PARTNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/members")
    response = await client.post(
        f"/w/{firm.slug}/members/invite", {"email": f"{unique('dan')}@example.com", "role": "owner"}
    )
    assert response.status_code == 422
    assert 'id="e-role"' in response.text


async def _invite(
    client: Any, database: Any, firm: Any, inviter: Role, prefix: str, role: str = "consultant"
) -> tuple[str, str]:
    """``inviter`` logs in and invites a new address; returns the address and the link's path."""
    await client.login(firm.email(inviter), PASSWORD)
    await client.get(f"/w/{firm.slug}/members")
    email = f"{unique(prefix)}@example.com"
    assert (await client.post(f"/w/{firm.slug}/members/invite", {"email": email, "role": role})).status_code == 303
    return email, (await link_in_last_email(database, email)).removeprefix(BASE_URL)


async def test_a_new_colleague_tells_their_name_when_choosing_a_password(client: Any, database: Any) -> None:
    firm = await make_firm(database, roles=(Role.PARTNER,))
    newcomer, path = await _invite(client, database, firm, Role.PARTNER, "rosa.quispe")
    client.cookies.clear()
    client.csrf = None
    response = await follow_link(client, path)
    page = await client.get(response.headers["location"])
    # Asked, not guessed from the address: the field starts empty.
    assert 'name="name"' in page.text
    assert 'value="rosa' not in page.text
    missing = await client.post("/account/password", {"name": "  ", "password": CHOSEN, "confirm": CHOSEN})
    assert missing.status_code == 422
    assert 'id="e-name"' in missing.text
    assert (
        await client.post("/account/password", {"name": "Rosa  Quispe", "password": CHOSEN, "confirm": CHOSEN})
    ).status_code == 303
    async with database.session() as db:
        assert await db.scalar(select(User.name).where(User.email == newcomer)) == "Rosa Quispe"
    # Once they have a password, changing it does not ask for the name again.
    assert 'name="name"' not in (await client.get("/account/password")).text


async def test_a_partner_sees_pending_invitations_and_revokes_one_so_its_link_no_longer_works(
    client: Any, database: Any
) -> None:
    from ordena.audit.models import AuditEvent

    firm = await make_firm(database, roles=(Role.PARTNER,))
    newcomer, path = await _invite(client, database, firm, Role.PARTNER, "hugo", role="viewer")
    page = await client.get(f"/w/{firm.slug}/members")
    assert "Invitaciones pendientes" in page.text
    assert newcomer in page.text
    match = re.search(
        r'action="(/w/[^"]+/members/invitations/[0-9a-f-]+/revoke)"[^>]*data-confirm="([^"]+)"', page.text
    )
    assert match is not None, "a revoke form with a confirmation"
    assert newcomer in match.group(2)
    assert (await client.post(match.group(1), {})).status_code == 303
    after = await client.get(f"/w/{firm.slug}/members")
    assert "revocada" in after.text
    assert newcomer not in after.text.split("revocada", 1)[1]
    # Revoking twice finds nothing to revoke.
    assert (await client.post(match.group(1), {})).status_code == 404
    async with database.session(tenant_id=firm.id) as db:
        event = await db.scalar(
            select(AuditEvent).where(AuditEvent.tenant_id == firm.id, AuditEvent.action == "revoke")
        )
    assert event is not None and event.entity_id == newcomer and event.actor_label == firm.email(Role.PARTNER)

    client.cookies.clear()
    client.csrf = None
    refused = await client.get(path, follow_redirects=False)
    assert refused.status_code == 410
    assert await count_users(database, newcomer) == 0


async def test_another_firm_cannot_revoke_an_invitation_and_a_consultant_cannot_either(
    client: Any, database: Any
) -> None:
    firm = await make_firm(database, roles=(Role.PARTNER, Role.CONSULTANT))
    other = await make_firm(database, roles=(Role.OWNER,))
    newcomer, path = await _invite(client, database, firm, Role.PARTNER, "ines")
    page = await client.get(f"/w/{firm.slug}/members")
    match = re.search(r'action="/w/[^"]+(/members/invitations/[0-9a-f-]+/revoke)"', page.text)
    assert match is not None

    client.cookies.clear()
    client.csrf = None
    await client.login(other.email(Role.OWNER), PASSWORD)
    await client.get(f"/w/{other.slug}/members")
    assert newcomer not in (await client.get(f"/w/{other.slug}/members")).text
    assert (await client.post(f"/w/{other.slug}{match.group(1)}", {})).status_code == 404

    client.cookies.clear()
    client.csrf = None
    await client.login(firm.email(Role.CONSULTANT), PASSWORD)
    members = await client.get(f"/w/{firm.slug}/members")
    assert newcomer not in members.text
    assert (await client.post(f"/w/{firm.slug}{match.group(1)}", {})).status_code == 403

    # The invitation still works.
    client.cookies.clear()
    client.csrf = None
    assert (await follow_link(client, path)).status_code == 303


async def test_a_mail_scanner_opening_the_invitation_twice_uses_nothing_and_the_button_still_works(
    client: Any, database: Any
) -> None:
    """Mail scanners and link previews open links with GET: that must neither join nor use it up."""
    firm = await make_firm(database, roles=(Role.PARTNER,))
    await client.login(firm.email(Role.PARTNER), PASSWORD)
    await client.get(f"/w/{firm.slug}/members")
    newcomer = f"{unique('escaner')}@example.com"
    await client.post(f"/w/{firm.slug}/members/invite", {"email": newcomer, "role": "consultant"})
    path = (await link_in_last_email(database, newcomer)).removeprefix(BASE_URL)
    client.cookies.clear()
    client.csrf = None
    for _ in range(2):
        scanned = await client.get(path, follow_redirects=False)
        assert scanned.status_code == 200
        assert f'action="{path}"' in scanned.text
        assert scanned.headers["referrer-policy"] == "no-referrer"
        assert "ordena_session" not in client.cookies
    assert await count_users(database, newcomer) == 0
    response = await client.post(path, {}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/account/password")
    assert await _role_of(database, firm, newcomer) is Role.CONSULTANT

    client.cookies.clear()
    client.csrf = None
    again = await client.post(path, {}, follow_redirects=False)
    assert again.status_code == 410
    assert "Este enlace ya no es válido" in again.text
    assert "ordena_session" not in client.cookies
