"""A client contact without a session asks for a fresh sign-in link by email.

Every invited contact was once mailed a contact link, and ``link_token`` (a platform table)
keeps the address and the scope of each one: it is the index that finds, across firms, the
respondents an address may be. Each candidate is re-checked inside its firm (RLS) before anything
is sent: the contact must still be a respondent of the assessment, under the same address.
A contact who owns open initiatives gets a link to them too (``plans.owner_links``), under the
same limits and with the same answer on the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts import throttle
from ordena.accounts.models import LinkToken
from ordena.accounts.services import CONTACT_SIGN_IN
from ordena.assessments.invitations import invited_contact, mail_link
from ordena.assessments.lookups import get_assessment, get_respondent
from ordena.companies.services import get_company
from ordena.plans.owner_links import mail_owner_links
from ordena.tenancy.models import Tenant
from ordena.tenancy.services import enter_firm

# Per address and window, whoever asks: no mail bombing through this form.
LINKS_PER_ADDRESS = 3
# Per network address and window: no walking through a list of addresses.
REQUESTS_PER_IP = 20
WINDOW = dt.timedelta(minutes=15)
# One email per assessment the address answers, newest first, at most this many.
MAX_ASSESSMENTS = 5


class TooManyRequests(Exception):
    pass


async def _candidates(db: AsyncSession, email: str) -> list[dict[str, Any]]:
    """Scopes of the contact links ever issued to ``email``, one per respondent, newest first."""
    rows = await db.scalars(
        select(LinkToken.scope)
        .where(LinkToken.purpose == CONTACT_SIGN_IN, func.lower(LinkToken.email) == email.lower())
        .order_by(LinkToken.created_at.desc())
        .limit(200)
    )
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for scope in rows:
        key = str(scope.get("respondent_id"))
        if key not in seen:
            seen.add(key)
            out.append(dict(scope))
    return out


async def request_fresh_links(db: AsyncSession, settings: Any, email: str, ip: str) -> int:
    """Mail a fresh link for each assessment ``email`` is still invited to, and one to the
    initiatives of each contact with this address who owns open ones but got no assessment link
    here; returns how many were sent (the page never tells: the answer is the same either way).
    Raises ``TooManyRequests`` when one network address asks too often."""
    if await throttle.hit(db, throttle.key_for("contact-link", ip), window=WINDOW) > REQUESTS_PER_IP:
        raise TooManyRequests()
    if await throttle.hit(db, throttle.key_for("contact-link-email", email), window=WINDOW) > LINKS_PER_ADDRESS:
        return 0
    served: set[UUID] = set()
    sent = 0
    for scope in await _candidates(db, email):
        if sent >= MAX_ASSESSMENTS:
            break
        contact_id = await _mail_fresh_link(db, settings, scope, email)
        if contact_id is not None:
            served.add(contact_id)
            sent += 1
    return sent + await mail_owner_links(db, settings, email, served)


async def _mail_fresh_link(db: AsyncSession, settings: Any, scope: dict[str, Any], email: str) -> UUID | None:
    """The contact a fresh assessment link went to, if one went."""
    try:
        tenant_id, respondent_id, contact_id, assessment_id, company_id = (
            UUID(str(scope[k])) for k in ("tenant_id", "respondent_id", "contact_id", "assessment_id", "company_id")
        )
    except (KeyError, ValueError):
        return None
    tenant = await db.get(Tenant, tenant_id)
    if tenant is None:
        return None
    await enter_firm(db, tenant, None)
    contact = await invited_contact(db, tenant_id, respondent_id, contact_id, assessment_id, company_id)
    # The address must still be the contact's: a changed address no longer receives their links.
    if contact is None or contact.email.lower() != email.lower():
        return None
    assessment = await get_assessment(db, tenant_id, assessment_id)
    company = await get_company(db, tenant_id, company_id)
    respondent = await get_respondent(db, tenant_id, respondent_id)
    await mail_link(db, settings, tenant, assessment, company, contact, respondent, template="contact_link")
    return contact.id
