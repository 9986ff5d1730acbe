"""Telling a person that an initiative is now theirs (DESIGN: "when an initiative is assigned to them").

One email to the new owner when an initiative's owner is set or changed, in the same transaction
as the change (a refused change sends nothing). Not when the owner stayed the same or was
removed, nor when the person changing it made themselves the owner. Members get a link to the
plan; client contacts get ``/c/initiatives``, which sends them to the ask-for-a-link page when
they have no session (so the email holds no sign-in token).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.models import User
from ordena.audit.services import Actor
from ordena.companies.services import get_company, get_contact
from ordena.mail.models import Email
from ordena.mail.services import send_mail
from ordena.plans.models import Initiative, Plan

CONTACT_HOME = "/c/initiatives"

Owner = tuple[UUID | None, UUID | None]  # (owner_user_id, owner_contact_id)


@dataclass(frozen=True)
class Mailer:
    """What the email needs beyond the database: the settings (templates, base URL) and the firm
    (name, colour, language, slug)."""

    settings: Any
    tenant: Any


def owner_of(initiative: Initiative) -> Owner:
    return initiative.owner_user_id, initiative.owner_contact_id


def _assigned_themselves(actor: Actor, owner: Owner) -> bool:
    user_id, contact_id = owner
    if user_id is not None:
        return actor.id == user_id
    return actor.id is None and actor.label == f"contact:{contact_id}"


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    locale: str
    url: str


async def _recipient(db: AsyncSession, mailer: Mailer, plan: Plan, initiative: Initiative) -> Recipient | None:
    tenant, base = mailer.tenant, mailer.settings.base_url
    if initiative.owner_user_id is not None:
        # The owner was checked to be a member of the firm; read their address and language.
        user = await db.scalar(select(User).where(User.id == initiative.owner_user_id, User.is_active.is_(True)))
        if user is None:
            return None
        url = f"{base}/w/{tenant.slug}/plans/{plan.id}#i-{initiative.id}"
        return Recipient(user.email, user.name or user.email, user.locale or tenant.locale, url)
    assert initiative.owner_contact_id is not None
    contact = await get_contact(db, tenant.id, plan.company_id, initiative.owner_contact_id)
    return Recipient(
        contact.email, contact.name or contact.email, contact.locale or tenant.locale, f"{base}{CONTACT_HOME}"
    )


async def mail_new_owner(
    db: AsyncSession, mailer: Mailer, actor: Actor, plan: Plan, initiative: Initiative, before: Owner
) -> Email | None:
    """Email the initiative's owner if it is a new one; returns the email (None: nothing sent)."""
    after = owner_of(initiative)
    if after == before or after == (None, None) or _assigned_themselves(actor, after):
        return None
    recipient = await _recipient(db, mailer, plan, initiative)
    if recipient is None:
        return None
    tenant = mailer.tenant
    company = await get_company(db, tenant.id, plan.company_id)
    return await send_mail(
        db,
        templates_dir=mailer.settings.templates_dir,
        to=recipient.email,
        template="initiative_assigned",
        locale=recipient.locale,
        context={
            "name": recipient.name,
            "firm": tenant.name,
            "brand_name": tenant.name,
            "brand_color": tenant.brand_color,
            "title": initiative.title,
            "plan": plan.title,
            "company": company.name,
            "due_on": initiative.due_on,
            "url": recipient.url,
            "contact": initiative.owner_contact_id is not None,
        },
    )
