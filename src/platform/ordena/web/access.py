"""Who may call each route, declared on the handler as ``opt={"access": ...}`` and enforced by
one app-wide guard. A route without a declaration is refused (and fails the route test).

Firm routes carry the firm slug in the path (``/w/{slug}/…``, ``/api/v1/w/{slug}/…``). The guard
resolves the firm once, checks the caller's membership and binds the request's database session
to that firm (RLS). A firm that does not exist and a firm the caller does not belong to look
the same: 404.
"""

from __future__ import annotations

import enum
from typing import Any
from uuid import UUID

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.sessions import Auth
from ordena.assessments import queries as assessment_queries
from ordena.billing.limits import refuse_if_read_only
from ordena.companies.models import Contact
from ordena.db.driver import driver
from ordena.db.request_db import RequestDB
from ordena.networks import queries as network_queries
from ordena.networks.models import Network
from ordena.plans.owner_links import is_owner_scope, owner_contact
from ordena.tenancy import services as tenancy
from ordena.tenancy.models import Role, Tenant
from ordena.tenancy.services import FirmContext
from ordena.web.db import request_db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class Access(enum.StrEnum):
    PUBLIC = "public"
    USER = "user"  # any signed-in user, no firm
    CONTACT = "contact"  # a client contact's magic-link session
    NETWORK = "network"  # an admin of the network named in the path (``/n/{network}/…``); no firm is entered
    VIEWER = "viewer"
    CONSULTANT = "consultant"
    PARTNER = "partner"
    OWNER = "owner"

    @property
    def firm_role(self) -> Role | None:
        try:
            return Role(self.value)
        except ValueError:
            return None


class LoginRequired(Exception):
    """Sends a browser to the login page (an API caller gets 401)."""


class ContactLinkRequired(Exception):
    """A contact page without a contact session: the browser goes to the page where a client
    contact asks for a fresh sign-in link (nothing of the page is shown)."""


def access_of(handler: BaseRouteHandler) -> Access | None:
    value = handler.opt.get("access")
    if value is not None:
        return Access(value)
    methods = set(getattr(handler, "http_methods", ()))
    if methods == {"OPTIONS"}:
        return Access.PUBLIC  # Litestar's automatic OPTIONS answers: no data, no side effects
    if getattr(handler.fn, "__module__", "").startswith(("litestar._openapi", "litestar.openapi")):
        return Access.PUBLIC  # the generated OpenAPI documentation
    return None


def auth_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Auth:
    auth: Auth = connection.scope.get("state", {}).get("auth") or Auth()
    return auth


async def access_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    access = access_of(handler)
    if access is None:
        raise PermissionDeniedException("route has no access declaration")
    if access is Access.PUBLIC:
        return
    auth = auth_of(connection)
    if access is Access.CONTACT:
        contact = auth.contact
        if contact is None:
            raise ContactLinkRequired()
        # A contact's magic-link session reaches one firm's rows only (RLS), and the handlers
        # check that what they show belongs to the contact's company.
        # The scope names the firm: its context goes with the transaction's BEGIN (no round trip
        # of its own; ordena.db.engine).
        rdb = request_db(connection)
        await rdb.enter(tenant_id=UUID(str(contact["tenant_id"])), user_id=None)
        db = await rdb.session()
        # The contact removed from the company (their respondent row went with them): an open
        # session or an unused link no longer reaches anything.
        found = await _contact_still_invited(db, UUID(str(contact["tenant_id"])), contact)
        if found is None:
            raise NotFoundException()
        firm_row, person = found
        connection.scope["state"]["contact_tenant"] = firm_row
        connection.scope["state"]["contact_person"] = person
        # A read-only firm's clients read what was published but change nothing either.
        await _refuse_writes_when_read_only(connection, handler, rdb, firm_row)
        return
    if auth.user is None:
        raise LoginRequired()
    if access is Access.NETWORK:
        await _network_guard(connection, auth)
        return
    role = access.firm_role
    if role is None:
        return
    slug = connection.path_params.get("slug")
    if not slug:
        raise PermissionDeniedException("firm route without a firm")
    rdb = request_db(connection)
    tenant = await tenancy.tenant_by_slug_cached(rdb, slug)
    if tenant is None:
        raise NotFoundException()
    member_role = await tenancy.role_in_firm(rdb, tenant, auth.user, known=connection.scope["state"].get("firm_role"))
    if member_role is None:
        raise NotFoundException()
    connection.scope["state"]["firm"] = FirmContext(tenant=tenant, user=auth.user, role=member_role)
    if not member_role.at_least(role):
        raise PermissionDeniedException()
    await _refuse_writes_when_read_only(connection, handler, rdb, tenant)


async def _refuse_writes_when_read_only(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler, rdb: RequestDB, tenant: Tenant
) -> None:
    settings = connection.app.state.settings
    if (
        settings.billing_enabled
        and tenant.subscription_status != "active"
        and connection.scope.get("method", "GET") not in SAFE_METHODS
        and not handler.opt.get("read_only_ok")
    ):
        # The one place that keeps a read-only firm (unpaid, canceled) from changing anything:
        # every unsafe firm or contact route passes here; billing's own routes and exports opt
        # out. Billing off or an active firm costs nothing (the status is on the cached firm row).
        await refuse_if_read_only(await rdb.session(), settings, tenant)


async def _network_guard(connection: ASGIConnection[Any, Any, Any, Any], auth: Auth) -> None:
    """The network of the path, for one of its admins; 404 for anyone else (an unknown network
    and another network's look the same). No firm is entered: with no tenant set, every tenant
    table reads as empty, so the network area can only reach platform and release tables."""
    slug = connection.path_params.get("network")
    if not slug or auth.user is None:
        raise NotFoundException()
    # On the session's own connection, as a plain statement (profiled: the ORM's query was a
    # tenth of the network admin's dashboard).
    con = await driver(await request_db(connection).session())
    network = await network_queries.administered_network(con, str(slug), auth.user.id)
    if network is None:
        raise NotFoundException()
    connection.scope["state"]["network"] = network


def network_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Network:
    """The network the guard let this request into (404 outside a network route)."""
    network: Network | None = connection.scope.get("state", {}).get("network")
    if network is None:
        raise NotFoundException()
    return network


async def _contact_still_invited(
    db: AsyncSession, tenant_id: UUID, contact: dict[str, Any]
) -> tuple[Tenant, Contact] | None:
    """The session's firm and contact, while the contact is still a respondent of the session's
    assessment and company (one statement on the driver: benchmarked, ``contact_questionnaire``).

    An initiative owner's session carries no assessment (``plans.owner_links``): it holds while the
    contact is still one of the company's. It reaches no assessment page, since those handlers
    require the scope's assessment (404 without one)."""
    if is_owner_scope(contact):
        tenant = await db.get(Tenant, tenant_id)
        person = await owner_contact(db, tenant_id, contact) if tenant is not None else None
        return (tenant, person) if tenant is not None and person is not None else None
    try:
        respondent_id = UUID(str(contact["respondent_id"]))
        contact_id = UUID(str(contact["contact_id"]))
        assessment_id = UUID(str(contact["assessment_id"]))
        company_id = UUID(str(contact["company_id"]))
    except (KeyError, ValueError):
        return None
    return await assessment_queries.invited_contact(
        await driver(db), tenant_id, respondent_id, contact_id, assessment_id, company_id
    )


# The three request dependencies form a chain, db → auth → firm, although firm and auth only
# read what the middleware and the guard left in the scope: Litestar resolves independent
# dependencies of one handler concurrently, in an anyio task group created per request
# (profiled: a tenth of an autosave); chained, they are resolved one after the other.


def provide_firm(request: Request[Any, Any, Any], auth: NamedDependency[Auth]) -> FirmContext:
    return firm_of(request)


def firm_of(connection: ASGIConnection[Any, Any, Any, Any]) -> FirmContext:
    """The firm the guard let this request into (404 outside a firm route)."""
    firm: FirmContext | None = connection.scope.get("state", {}).get("firm")
    if firm is None:
        raise NotFoundException()
    return firm


def provide_auth(request: Request[Any, Any, Any], db: NamedDependency[AsyncSession]) -> Auth:
    return auth_of(request)
