"""The firm's home (dashboard), members and invitations, and branding settings."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template
from sqlalchemy import select

from ordena.accounts.services import actor_of
from ordena.audit.services import record, snapshot
from ordena.lib.errors import FormErrors
from ordena.lib.i18n import _
from ordena.tenancy import invitations
from ordena.tenancy.models import Membership, Role
from ordena.web.deps import DB, Firm, Form
from ordena.web.forms import FormError
from ordena.web.pages import redirect

HEX_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


@get("/w/{slug:str}", opt={"access": "viewer"}, name="dashboard")
async def dashboard(db: DB, firm: Firm) -> Template:
    from ordena.assessments.dashboard import load_dashboard

    board = await load_dashboard(db, firm.tenant_id)
    return Template("tenancy/dashboard.html", context={"board": board, "member_count": board.stats.members})


async def _members_context(db: DB, firm: Firm) -> dict[str, Any]:
    pending = await invitations.pending_invitations(db, firm) if firm.can(Role.PARTNER) else []
    return {"members": await invitations.members(db, firm), "roles": list(Role), "invitations": pending}


@get("/w/{slug:str}/members", opt={"access": "viewer"}, name="members")
async def members_page(db: DB, firm: Firm) -> Template:
    return Template(
        "tenancy/members.html", context={**await _members_context(db, firm), "values": {}, "errors": FormErrors()}
    )


@post("/w/{slug:str}/members/invite", opt={"access": "partner"})
async def invite_member(request: Request[Any, Any, Any], db: DB, firm: Firm, data: Form) -> Redirect:
    values = {"email": str(data.get("email", "")), "role": str(data.get("role", "consultant"))}
    try:
        await invitations.invite(db, request.app.state.settings, firm, values["email"], values["role"])
    except invitations.InvitationInvalid as exc:
        raise FormError(
            "tenancy/members.html", {**await _members_context(db, firm), "values": values}, exc.errors
        ) from exc
    return redirect(
        f"/w/{firm.tenant.slug}/members", flash=_("Invitación enviada a {email}.").format(email=values["email"])
    )


@post("/w/{slug:str}/members/invitations/{invitation_id:uuid}/revoke", opt={"access": "partner"})
async def revoke_invitation(db: DB, firm: Firm, invitation_id: FromPath[UUID]) -> Redirect:
    try:
        email = await invitations.revoke_invitation(db, firm, invitation_id)
    except LookupError as exc:
        raise NotFoundException() from exc
    return redirect(
        f"/w/{firm.tenant.slug}/members",
        flash=_("Invitación a {email} revocada: su enlace ya no sirve.").format(email=email),
    )


@post("/w/{slug:str}/members/{membership_id:uuid}/role", opt={"access": "owner"})
async def change_role(db: DB, firm: Firm, membership_id: FromPath[UUID], data: Form) -> Redirect:
    membership = await db.scalar(
        select(Membership).where(Membership.tenant_id == firm.tenant_id, Membership.id == membership_id)
    )
    if membership is None:
        raise NotFoundException()
    try:
        role = Role(str(data.get("role", "")))
    except ValueError:
        return redirect(f"/w/{firm.tenant.slug}/members", flash=_("Elige un rol."), kind="error")
    if membership.user_id == firm.user.id and role is not Role.OWNER:
        return redirect(
            f"/w/{firm.tenant.slug}/members",
            flash=_("No puedes quitarte a ti mismo el rol de propietario."),
            kind="error",
        )
    before = snapshot(membership, ["role"])
    membership.role = role
    await record(
        db,
        tenant_id=firm.tenant_id,
        actor=actor_of(firm.user),
        action="update",
        entity_type="membership",
        entity_id=membership.id,
        before=before,
        after=snapshot(membership, ["role"]),
    )
    return redirect(f"/w/{firm.tenant.slug}/members", flash=_("Rol actualizado."))


@post("/w/{slug:str}/members/{membership_id:uuid}/remove", opt={"access": "owner"})
async def remove_member(db: DB, firm: Firm, membership_id: FromPath[UUID]) -> Redirect:
    membership = await db.scalar(
        select(Membership).where(Membership.tenant_id == firm.tenant_id, Membership.id == membership_id)
    )
    if membership is None:
        raise NotFoundException()
    if membership.user_id == firm.user.id:
        return redirect(
            f"/w/{firm.tenant.slug}/members", flash=_("No puedes quitarte a ti mismo de la firma."), kind="error"
        )
    await record(
        db,
        tenant_id=firm.tenant_id,
        actor=actor_of(firm.user),
        action="delete",
        entity_type="membership",
        entity_id=membership.id,
        before={"user_id": str(membership.user_id), "role": membership.role.value},
    )
    await db.delete(membership)
    return redirect(f"/w/{firm.tenant.slug}/members", flash=_("Miembro retirado de la firma."))


@get("/w/{slug:str}/settings", opt={"access": "owner"}, name="firm_settings")
async def settings_page(firm: Firm) -> Template:
    t = firm.tenant
    return Template(
        "tenancy/settings.html",
        context={"values": {"name": t.name, "brand_color": t.brand_color, "locale": t.locale}, "errors": FormErrors()},
    )


@post("/w/{slug:str}/settings", opt={"access": "owner"})
async def save_settings(db: DB, firm: Firm, data: Form) -> Redirect:
    values = {k: str(data.get(k, "")).strip() for k in ("name", "brand_color", "locale")}
    errors = FormErrors()
    if not values["name"] or len(values["name"]) > 200:
        errors.add("name", _("Escribe el nombre de la firma (máximo 200 caracteres)."))
    if not HEX_COLOR.match(values["brand_color"]):
        errors.add("brand_color", _("Usa un color en formato #RRGGBB."))
    if values["locale"] not in {"es", "en"}:
        errors.add("locale", _("Elige un idioma."))
    if errors:
        raise FormError("tenancy/settings.html", {"values": values}, errors)
    tenant = firm.tenant
    before = snapshot(tenant, ["name", "brand_color", "locale"])
    if before == values:
        # Saving an untouched form changes nothing, so the trail records nothing.
        return redirect(f"/w/{tenant.slug}/settings", flash=_("No había cambios que guardar."))
    tenant.name, tenant.brand_color, tenant.locale = values["name"], values["brand_color"], values["locale"]
    await db.merge(tenant)
    await record(
        db,
        tenant_id=firm.tenant_id,
        actor=actor_of(firm.user),
        action="update",
        entity_type="firm",
        entity_id=tenant.id,
        before=before,
        after=snapshot(tenant, ["name", "brand_color", "locale"]),
    )
    return redirect(f"/w/{tenant.slug}/settings", flash=_("Cambios guardados."))


@get("/brand/{file:str}", opt={"access": "public"}, include_in_schema=False, media_type="text/css")
async def brand_css(db: DB, file: FromPath[str]) -> Response[str]:
    """The firm's colour as a CSS variable (pages allow no inline styles)."""
    from ordena.tenancy.services import tenant_by_slug

    tenant = await tenant_by_slug(db, file.removesuffix(".css"))
    if tenant is None or not HEX_COLOR.match(tenant.brand_color):
        raise NotFoundException()
    return Response(
        f":root{{--brand:{tenant.brand_color};}}\n",
        media_type="text/css",
        headers={"Cache-Control": "private, max-age=300"},
    )


ROUTES = [
    brand_css,
    dashboard,
    members_page,
    invite_member,
    revoke_invitation,
    change_role,
    remove_member,
    settings_page,
    save_settings,
]
