"""The firm's side of networks: the invitation link, the data-sharing terms, and the owner's
page of the firm's networks (consent, leaving, the client opt-in)."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response, Template

from ordena.lib.errors import FormErrors, NotFound
from ordena.lib.i18n import _
from ordena.networks import consent, invitations
from ordena.networks.models import Network
from ordena.tenancy.models import Role
from ordena.tenancy.services import FirmContext, firms_of_user
from ordena.web.deps import DB, CurrentAuth, Firm, Form
from ordena.web.forms import FormError
from ordena.web.pages import redirect

TERMS_VERSIONS = ("2026-11",)


def terms_template(network: Network) -> str:
    version = network.terms_version if network.terms_version in TERMS_VERSIONS else TERMS_VERSIONS[-1]
    return f"networks/terms/{version}.html"


def _no_referrer(response: Response[Any]) -> Response[Any]:
    # The page's address holds the secret: it must not leak to other sites or caches.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


async def _invitation_context(db: DB, auth: CurrentAuth, secret: str) -> dict[str, Any] | None:
    peeked = await invitations.peek(db, secret)
    if peeked is None or not peeked[2]:
        return None
    invitation, network, _usable = peeked
    owned = []
    if auth.user is not None:
        owned = [t for t, role in await firms_of_user(db, auth.user.id) if role is Role.OWNER]
    return {
        "network": network,
        "invitation": invitation,
        "terms": terms_template(network),
        "secret": secret,
        "owned": owned,
        "errors": FormErrors(),
    }


def _invalid_link() -> Response[Any]:
    return _no_referrer(Template("networks/invitation_invalid.html", context={}, status_code=410))


@get("/network-invitations/{secret:str}", opt={"access": "public"}, name="network_invitation")
async def invitation_page(db: DB, auth: CurrentAuth, secret: FromPath[str]) -> Response[Any]:
    """Opening the link changes nothing: the owner reads the terms and accepts with a POST."""
    context = await _invitation_context(db, auth, secret)
    if context is None:
        return _invalid_link()
    return _no_referrer(Template("networks/invitation.html", context=context))


@post("/w/{slug:str}/settings/networks/join", opt={"access": "owner"})
async def accept_invitation(db: DB, auth: CurrentAuth, firm: Firm, data: Form) -> Response[Any]:
    secret = str(data.get("secret", ""))
    if data.get("accept") != "on":
        context = await _invitation_context(db, auth, secret)
        if context is None:
            return _invalid_link()
        errors = FormErrors()
        errors.add("accept", _("Marca la casilla para aceptar los términos."))
        raise FormError("networks/invitation.html", context, errors)
    try:
        network = await consent.accept(db, firm, secret)
    except consent.ConsentRefused as refused:
        if refused.status_code == 410:
            return _invalid_link()
        return await _refused(db, firm, refused)
    return _no_referrer(
        redirect(
            f"/w/{firm.tenant.slug}/settings/networks",
            flash=_("{firm} ahora participa en {network}.").format(firm=firm.tenant.name, network=network.name),
        )
    )


async def _networks_context(db: DB, firm: FirmContext) -> dict[str, Any]:
    return {"memberships": await consent.firm_networks(db, firm.tenant_id), "errors": FormErrors()}


async def _refused(db: DB, firm: FirmContext, refused: consent.ConsentRefused) -> Response[Any]:
    errors = FormErrors()
    errors.add("__all__", refused.message)
    raise FormError("networks/firm_networks.html", await _networks_context(db, firm), errors, refused.status_code)


@get("/w/{slug:str}/settings/networks", opt={"access": "owner"}, name="firm_networks")
async def networks_page(db: DB, firm: Firm) -> Template:
    return Template("networks/firm_networks.html", context=await _networks_context(db, firm))


@get("/w/{slug:str}/settings/networks/{network:str}/leave", opt={"access": "owner"})
async def leave_page(db: DB, firm: Firm, network: FromPath[str]) -> Template:
    try:
        found = await consent.firm_network(db, firm, network)
    except NotFound as exc:
        raise NotFoundException() from exc
    return Template("networks/leave.html", context={"found": found})


@post("/w/{slug:str}/settings/networks/{network:str}/leave", opt={"access": "owner"})
async def leave(db: DB, firm: Firm, network: FromPath[str]) -> Response[Any]:
    try:
        left = await consent.leave(db, firm, network)
    except NotFound as exc:
        raise NotFoundException() from exc
    except consent.ConsentRefused as refused:
        return await _refused(db, firm, refused)
    return redirect(
        f"/w/{firm.tenant.slug}/settings/networks",
        flash=_("{firm} salió de {network}: sus datos no entran en la próxima publicación.").format(
            firm=firm.tenant.name, network=left.name
        ),
    )


@post("/w/{slug:str}/settings/networks/{network:str}/clients", opt={"access": "owner"})
async def show_to_clients(db: DB, firm: Firm, network: FromPath[str], data: Form) -> Response[Any]:
    try:
        changed = await consent.show_to_clients(db, firm, network, data.get("show") == "on")
    except NotFound as exc:
        raise NotFoundException() from exc
    except consent.ConsentRefused as refused:
        return await _refused(db, firm, refused)
    message = _("Preferencia guardada.") if changed else _("No había cambios que guardar.")
    return redirect(f"/w/{firm.tenant.slug}/settings/networks", flash=message)


@get("/w/{slug:str}/settings/networks/{network:str}/terms", opt={"access": "owner"}, name="network_terms")
async def terms_page(db: DB, firm: Firm, network: FromPath[str]) -> Template:
    """The terms of a network the firm belongs to (the version it accepted is on the list)."""
    try:
        found = await consent.firm_network(db, firm, network)
    except NotFound as exc:
        raise NotFoundException() from exc
    return Template("networks/terms.html", context={"network": found.network, "terms": terms_template(found.network)})


ROUTES = [
    invitation_page,
    accept_invitation,
    networks_page,
    leave_page,
    leave,
    show_to_clients,
    terms_page,
]
