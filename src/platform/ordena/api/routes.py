"""First JSON API endpoints: who am I, and a firm I belong to."""

from __future__ import annotations

from litestar import Router, get

from ordena.api.schemas import FirmMembership, FirmSummary, Me
from ordena.tenancy.services import firms_of_user
from ordena.web.deps import DB, CurrentAuth, Firm


@get("/me", opt={"access": "user"}, operation_id="getMe", summary="The caller and their firms")
async def me(db: DB, auth: CurrentAuth) -> Me:
    """The authenticated user and every firm they belong to, with their role in each."""
    assert auth.user is not None  # the access guard let only signed-in users through
    firms = await firms_of_user(db, auth.user.id)
    return Me(
        id=auth.user.id,
        email=auth.user.email,
        name=auth.user.name,
        locale=auth.user.locale,
        firms=[FirmMembership(slug=t.slug, name=t.name, role=role.value) for t, role in firms],
    )


@get("/w/{slug:str}", opt={"access": "viewer"}, operation_id="getFirm", summary="A firm you belong to")
async def firm_detail(firm: Firm) -> FirmSummary:
    """The firm's name and slug and the caller's role there (404 if the caller is not a member)."""
    return FirmSummary(slug=firm.tenant.slug, name=firm.tenant.name, locale=firm.tenant.locale, role=firm.role.value)


api_v1 = Router(path="/api/v1", route_handlers=[me, firm_detail], tags=["v1"])

ROUTES = [api_v1]
