"""The firm's home (dashboard), members and invitations, and branding settings."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Response, Template

from ordena.accounts.services import actor_of
from ordena.assessments.dashboard import TreeNotCached, cold_tree, dashboard_on, load_dashboard
from ordena.db.driver import driver
from ordena.db.request_db import RequestDB
from ordena.lib.errors import FormErrors
from ordena.lib.i18n import _
from ordena.networks.consent import firm_networks
from ordena.plans import queries as plan_queries
from ordena.plans.board import at_risk_on, today
from ordena.tenancy import firms, invitations, memberships
from ordena.tenancy import queries as tenancy_queries
from ordena.tenancy.models import Role
from ordena.tenancy.services import FirmContext, tenant_by_slug
from ordena.web.access import firm_of
from ordena.web.db import request_db
from ordena.web.deps import DB, Firm, Form
from ordena.web.forms import FormError
from ordena.web.pages import redirect


@get("/w/{slug:str}", opt={"access": "viewer"}, name="dashboard")
async def dashboard(request: Request[Any, Any, Any]) -> Template:
    """Read on the request's driver alone, no ORM session (profiled: the session's machinery
    was a tenth of the page); only a process's first dashboard after a new framework version,
    whose tree is not cached yet, reads through the ORM."""
    firm = firm_of(request)
    rdb = request_db(request)
    con = await rdb.begin()
    try:
        board = await dashboard_on(con, firm.tenant_id, cold_tree)
    except TreeNotCached:
        await rdb.rollback()  # it only read
        db = await rdb.session()
        board = await load_dashboard(db, firm.tenant_id)
        con = await driver(db)
    at_risk = await at_risk_on(con, firm.tenant_id)
    attainment = await plan_queries.portfolio_attainment(con, firm.tenant_id)
    await rdb.commit()
    return Template(
        "tenancy/dashboard.html",
        context={
            "board": board,
            "member_count": board.stats.members,
            "at_risk": at_risk,
            "attainment": attainment,
            "today": today(),
        },
    )


async def _members_context(rdb: RequestDB, firm: FirmContext) -> dict[str, Any]:
    """The members as plain rows on the request's driver: a viewer's or consultant's page opens no
    ORM session at all (profiled: the session's machinery was a fifth of the page); a partner's
    also lists the pending invitations (ORM), and the members then come in the same transaction."""
    pending = await invitations.pending_invitations(await rdb.session(), firm) if firm.can(Role.PARTNER) else []
    members = await tenancy_queries.firm_members(await rdb.begin(), tenant_id=firm.tenant_id)
    return {"members": members, "roles": list(Role), "invitations": pending}


@get("/w/{slug:str}/members", opt={"access": "viewer"}, name="members")
async def members_page(request: Request[Any, Any, Any]) -> Template:
    rdb = request_db(request)
    context = await _members_context(rdb, firm_of(request))
    await rdb.commit()
    return Template("tenancy/members.html", context={**context, "values": {}, "errors": FormErrors()})


@post("/w/{slug:str}/members/invite", opt={"access": "partner"})
async def invite_member(request: Request[Any, Any, Any], db: DB, firm: Firm, data: Form) -> Redirect:
    values = {"email": str(data.get("email", "")), "role": str(data.get("role", "consultant"))}
    try:
        await invitations.invite(db, request.app.state.settings, firm, values["email"], values["role"])
    except invitations.InvitationInvalid as exc:
        raise FormError(
            "tenancy/members.html", {**await _members_context(request_db(request), firm), "values": values}, exc.errors
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
    try:
        await memberships.set_role(db, firm, membership_id, str(data.get("role", "")), actor=actor_of(firm.user))
    except memberships.MembershipRefused as refused:
        return redirect(f"/w/{firm.tenant.slug}/members", flash=refused.message, kind="error")
    return redirect(f"/w/{firm.tenant.slug}/members", flash=_("Rol actualizado."))


@post("/w/{slug:str}/members/{membership_id:uuid}/remove", opt={"access": "owner"})
async def remove_member(db: DB, firm: Firm, membership_id: FromPath[UUID]) -> Redirect:
    try:
        await memberships.remove_member(db, firm, membership_id, actor=actor_of(firm.user))
    except memberships.MembershipRefused as refused:
        return redirect(f"/w/{firm.tenant.slug}/members", flash=refused.message, kind="error")
    return redirect(f"/w/{firm.tenant.slug}/members", flash=_("Miembro retirado de la firma."))


@get("/w/{slug:str}/settings", opt={"access": "owner"}, name="firm_settings")
async def settings_page(db: DB, firm: Firm) -> Template:
    return Template(
        "tenancy/settings.html",
        context={
            "values": firms.settings_values(firm.tenant),
            "errors": FormErrors(),
            "networks": await firm_networks(db, firm.tenant_id),
        },
    )


@post("/w/{slug:str}/settings", opt={"access": "owner"})
async def save_settings(db: DB, firm: Firm, data: Form) -> Redirect:
    # A form (or script) that predates the publishing threshold leaves it as it is.
    current = firms.settings_values(firm.tenant)["publish_threshold_pct"]
    values = {
        k: str(data.get(k, current if k == "publish_threshold_pct" else "")).strip() for k in firms.SETTINGS_FIELDS
    }
    try:
        changed = await firms.save_settings(db, firm, values, actor=actor_of(firm.user))
    except firms.FirmSettingsInvalid as exc:
        context = {"values": values, "networks": await firm_networks(db, firm.tenant_id)}
        raise FormError("tenancy/settings.html", context, exc.errors) from exc
    if not changed:
        return redirect(f"/w/{firm.tenant.slug}/settings", flash=_("No había cambios que guardar."))
    return redirect(f"/w/{firm.tenant.slug}/settings", flash=_("Cambios guardados."))


@get("/brand/{file:str}", opt={"access": "public"}, include_in_schema=False, media_type="text/css")
async def brand_css(db: DB, file: FromPath[str]) -> Response[str]:
    """The firm's colour as a CSS variable (pages allow no inline styles)."""
    tenant = await tenant_by_slug(db, file.removesuffix(".css"))
    if tenant is None or not firms.HEX_COLOR.match(tenant.brand_color):
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
