"""The daily digest of initiatives to each owner (firm member or client contact).

One email per owner per day listing their open initiatives that are overdue, due tomorrow or due
in 7 days; a client contact's carries a personal single-use sign-in link to ``/c/initiatives``. On by default; each email carries a one-click unsubscribe link signed with the
installation's secret (no account needed). A row per owner per day in ``plan_digest_sent`` is
claimed before sending (insert … on conflict do nothing), so running the job twice on one day,
or in two processes at once, sends nothing twice.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.accounts.models import User
from ordena.audit.services import Actor, AuditTrail
from ordena.companies.models import Company, Contact
from ordena.lib.clock import now
from ordena.mail.services import send_mail
from ordena.plans.models import Initiative, Plan, PlanDigestSent, PlanReminderOptOut
from ordena.plans.owner_links import issue_owner_link

SYSTEM = Actor(None, "ordena")
SOON_DAYS = 7


def owner_key(initiative: Initiative) -> str | None:
    if initiative.owner_user_id:
        return f"user:{initiative.owner_user_id}"
    if initiative.owner_contact_id:
        return f"contact:{initiative.owner_contact_id}"
    return None


# --- signed unsubscribe token ---------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), f"plan-digest|{payload}".encode(), hashlib.sha256).digest()[:18])


def unsubscribe_token(secret: str, tenant_id: UUID, key: str) -> str:
    payload = f"{tenant_id}|{key}"
    return f"{_b64(payload.encode())}.{_mac(secret, payload)}"


def read_unsubscribe_token(secret: str, token: str) -> tuple[UUID, str] | None:
    """(firm, owner key) of a genuine token, else None."""
    body, _dot, mac = token.partition(".")
    try:
        payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode()
        tenant, key = payload.split("|", 1)
        tenant_id = UUID(tenant)
    except (ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(mac, _mac(secret, payload)) or not key.startswith(("user:", "contact:")):
        return None
    return tenant_id, key


async def unsubscribe(db: AsyncSession, tenant_id: UUID, key: str) -> None:
    """Idempotent: a second click confirms again and changes nothing."""
    claimed = await db.scalar(
        insert(PlanReminderOptOut)
        .values(tenant_id=tenant_id, owner_key=key, created_at=now(), updated_at=now())
        .on_conflict_do_nothing()
        .returning(PlanReminderOptOut.id)
    )
    if claimed is not None:
        AuditTrail(db, tenant_id, Actor(None, key))("unsubscribe", "plan_digest", key)


# --- the digest -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestLine:
    title: str
    company: str
    due_on: dt.date
    bucket: str  # overdue | tomorrow | week


def _bucket(due_on: dt.date, on: dt.date) -> str | None:
    if due_on < on:
        return "overdue"
    if due_on == on + dt.timedelta(days=1):
        return "tomorrow"
    if due_on == on + dt.timedelta(days=SOON_DAYS):
        return "week"
    return None


async def due_by_owner(db: AsyncSession, tenant_id: UUID, on: dt.date) -> dict[str, list[DigestLine]]:
    rows = await db.execute(
        select(Initiative, Company.name)
        .join(Plan, (Plan.tenant_id == Initiative.tenant_id) & (Plan.id == Initiative.plan_id))
        .join(Company, (Company.tenant_id == Plan.tenant_id) & (Company.id == Plan.company_id))
        .where(
            Initiative.tenant_id == tenant_id,
            Initiative.status != "done",
            Initiative.due_on.is_not(None),
            Initiative.due_on <= on + dt.timedelta(days=SOON_DAYS),
            Company.archived_at.is_(None),
        )
        .order_by(Initiative.due_on, Initiative.priority)
    )
    out: dict[str, list[DigestLine]] = defaultdict(list)
    for initiative, company in rows.all():
        key = owner_key(initiative)
        assert initiative.due_on is not None
        bucket = _bucket(initiative.due_on, on)
        if key and bucket:
            out[key].append(DigestLine(initiative.title, company, initiative.due_on, bucket))
    return out


async def _recipient(db: AsyncSession, tenant_id: UUID, key: str) -> tuple[str, str, str | None] | None:
    """(email, name, locale) of an owner; a job's read of the people tables, read-only."""
    kind, _colon, raw = key.partition(":")
    if kind == "user":
        user = await db.scalar(select(User).where(User.id == UUID(raw), User.is_active.is_(True)))
        return (user.email, user.name or user.email, user.locale) if user else None
    contact = await db.scalar(select(Contact).where(Contact.tenant_id == tenant_id, Contact.id == UUID(raw)))
    return (contact.email, contact.name or contact.email, None) if contact else None


async def _sign_in_url(db: AsyncSession, settings: Any, tenant_id: UUID, key: str) -> str | None:
    """A contact owner's personal, single-use link to their initiatives (firm members sign in as usual)."""
    kind, _colon, raw = key.partition(":")
    if kind != "contact":
        return None
    contact = await db.scalar(select(Contact).where(Contact.tenant_id == tenant_id, Contact.id == UUID(raw)))
    return await issue_owner_link(db, settings, tenant_id, contact) if contact else None


async def _claim(db: AsyncSession, tenant_id: UUID, key: str, on: dt.date, email: str, count: int) -> bool:
    claimed = await db.scalar(
        insert(PlanDigestSent)
        .values(
            tenant_id=tenant_id,
            owner_key=key,
            sent_on=on,
            email=email,
            initiatives=count,
            created_at=now(),
            updated_at=now(),
        )
        .on_conflict_do_nothing()
        .returning(PlanDigestSent.id)
    )
    return claimed is not None


async def send_digests(db: AsyncSession, settings: Any, tenant: Any, on: dt.date | None = None) -> int:
    """Email each owner of ``tenant`` their digest for ``on`` (once a day); returns how many."""
    on = on or now().date()
    opted_out = set(
        await db.scalars(select(PlanReminderOptOut.owner_key).where(PlanReminderOptOut.tenant_id == tenant.id))
    )
    sent = 0
    for key, lines in (await due_by_owner(db, tenant.id, on)).items():
        if key in opted_out:
            continue
        recipient = await _recipient(db, tenant.id, key)
        if recipient is None:
            continue
        email, name, locale = recipient
        if not await _claim(db, tenant.id, key, on, email, len(lines)):
            continue
        sign_in_url = await _sign_in_url(db, settings, tenant.id, key)
        await send_mail(
            db,
            templates_dir=settings.templates_dir,
            to=email,
            template="plan_digest",
            locale=locale or tenant.locale,
            context={
                "name": name,
                "firm": tenant.name,
                "brand_name": tenant.name,
                "brand_color": tenant.brand_color,
                "overdue": [line for line in lines if line.bucket == "overdue"],
                "tomorrow": [line for line in lines if line.bucket == "tomorrow"],
                "week": [line for line in lines if line.bucket == "week"],
                "sign_in_url": sign_in_url,
                "hours": settings.link_ttl_hours,
                "unsubscribe_url": f"{settings.base_url}/plans/unsubscribe/{unsubscribe_token(settings.secret_key, tenant.id, key)}",
            },
        )
        AuditTrail(db, tenant.id, SYSTEM)("remind", "plan_digest", key, after={"to": email, "initiatives": len(lines)})
        sent += 1
    await db.flush()
    return sent
