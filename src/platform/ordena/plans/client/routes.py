"""The client contact's initiatives, in their contact session (``/c/initiatives``).

A contact sees only the initiatives they own, of their own company, and may change their
status, progress and add comments — nothing else. Each change is audited and commented under
the contact's name, so the consultant sees who changed what. Any other id is a 404.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from ordena.audit.services import Actor
from ordena.companies.models import Contact
from ordena.companies.services import get_company, get_contact
from ordena.lib.errors import FormErrors
from ordena.lib.i18n import _
from ordena.plans import board as plans_board
from ordena.plans import lookups
from ordena.plans.board import contact_initiatives, parse_progress, status_labels
from ordena.plans.editing import InitiativeInvalid
from ordena.plans.models import STATUSES
from ordena.plans.reminders import read_unsubscribe_token, unsubscribe
from ordena.tenancy.models import Tenant
from ordena.tenancy.services import enter_firm
from ordena.web.deps import DB, CurrentAuth, Form
from ordena.web.forms import FormError
from ordena.web.pages import redirect

CONTACT = {"access": "contact"}
HOME = "/c/initiatives"


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "")


async def _me(db: DB, auth: CurrentAuth) -> tuple[UUID, UUID, Contact]:
    scope = auth.contact
    if scope is None:
        raise NotFoundException()
    tenant_id, company_id = UUID(str(scope["tenant_id"])), UUID(str(scope["company_id"]))
    contact = await get_contact(db, tenant_id, company_id, UUID(str(scope["contact_id"])))
    return tenant_id, company_id, contact


def _actor(contact: Contact) -> Actor:
    # The audit line carries the contact's name: the consultant reads who changed what.
    return Actor(None, f"{contact.name} <{contact.email}> (contacto)")


async def _context(db: DB, auth: CurrentAuth) -> dict[str, Any]:
    tenant_id, company_id, contact = await _me(db, auth)
    initiatives = await contact_initiatives(db, tenant_id, company_id, contact.id)
    scope = auth.contact or {}
    return {
        "contact": contact,
        "company": await get_company(db, tenant_id, company_id),
        "initiatives": initiatives,
        "comments": await plans_board.comments_of(db, tenant_id, [i.id for i in initiatives]),
        "statuses": STATUSES,
        "labels": status_labels(),
        "home": f"/c/assessments/{scope.get('assessment_id')}" if scope.get("assessment_id") else None,
        "errors": FormErrors(),
        "errored_id": None,
        "values": {},
    }


@get(HOME, opt=CONTACT, name="contact_initiatives")
async def my_initiatives(db: DB, auth: CurrentAuth) -> Template:
    return Template("plans/contact_initiatives.html", context=await _context(db, auth))


@post(HOME + "/{initiative_id:uuid}", opt=CONTACT)
async def update_my_initiative(db: DB, auth: CurrentAuth, initiative_id: FromPath[UUID], data: Form) -> Redirect:
    tenant_id, company_id, contact = await _me(db, auth)
    initiative = await lookups.get_initiative(
        db, tenant_id, initiative_id, owner_contact_id=contact.id, for_update=True
    )
    if (await lookups.get_plan(db, tenant_id, initiative.plan_id)).company_id != company_id:
        raise NotFoundException()
    actor = _actor(contact)
    status, reason = _first(data.get("status")), _first(data.get("blocked_reason"))
    raw_progress, comment = _first(data.get("progress")), _first(data.get("comment"))
    try:
        if status and (status != initiative.status or reason.strip() != initiative.blocked_reason):
            await plans_board.set_initiative_status(db, tenant_id, actor, initiative, status, reason)
        if raw_progress.strip() and initiative.status != "done":
            progress, errors = parse_progress(raw_progress)
            if errors or progress is None:
                raise InitiativeInvalid(errors)
            if progress != initiative.progress:
                await plans_board.set_initiative_progress(db, tenant_id, actor, initiative, progress)
        if comment.strip():
            await plans_board.add_initiative_comment(
                db, tenant_id, actor, initiative, comment, author_label=contact.name, author_contact_id=contact.id
            )
    except InitiativeInvalid as exc:
        ctx = await _context(db, auth)
        ctx.update(errored_id=initiative.id, values={k: _first(v) for k, v in data.items()})
        raise FormError("plans/contact_initiatives.html", ctx, exc.errors) from exc
    return redirect(HOME, flash=_("Guardamos los cambios de «{title}».").format(title=initiative.title))


@get("/plans/unsubscribe/{token:str}", opt={"access": "public"}, name="plan_digest_unsubscribe")
async def unsubscribe_page(request: Request[Any, Any, Any], db: DB, token: FromPath[str]) -> Template:
    """One click from the digest email unsubscribes its recipient; the page confirms it."""
    read = read_unsubscribe_token(request.app.state.settings.secret_key, token)
    tenant = await db.get(Tenant, read[0]) if read else None
    if read is None or tenant is None:
        raise NotFoundException()
    await enter_firm(db, tenant, None)
    await unsubscribe(db, tenant.id, read[1])
    return Template("plans/unsubscribed.html", context={"firm_name": tenant.name})


ROUTES = [my_initiatives, update_my_initiative, unsubscribe_page]
