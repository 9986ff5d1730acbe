"""Email: rendered from ``templates/emails/<name>.{subject,txt,html}`` in the recipient's
language, stored, and sent by the ``send_email`` job after the transaction commits."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID

from jinja2 import Environment
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.jobs.outbox import enqueue
from ordena.lib.errors import NotFound
from ordena.lib.i18n import use_locale
from ordena.lib.templates import make_environment
from ordena.mail.models import Email


@cache
def _env(templates_dir: Path) -> Environment:
    return make_environment(templates_dir)


def render_email(templates_dir: Path, name: str, context: dict[str, Any], locale: str) -> tuple[str, str, str]:
    env = _env(templates_dir)
    with use_locale(locale):
        subject = env.get_template(f"emails/{name}.subject.txt").render(**context).strip()
        text = env.get_template(f"emails/{name}.txt").render(**context)
        html = env.get_template(f"emails/{name}.html").render(**context)
    return subject, text, html


async def send_mail(
    db: AsyncSession,
    *,
    templates_dir: Path,
    to: str,
    template: str,
    context: dict[str, Any],
    locale: str = "es",
) -> Email:
    """Store the mail and queue its sending. The mail belongs to the firm the session is bound
    to (its row-level security context), so every caller inside a firm records it without
    passing it; account mail outside any firm has none."""
    subject, text, html = render_email(templates_dir, template, context, locale)
    firm_id: UUID | None = db.info.get("tenant_id")
    email = Email(to=to, subject=subject, text_body=text, html_body=html, template=template, firm_id=firm_id)
    db.add(email)
    await db.flush()
    enqueue(db, "send_email", email.id)
    return email


# --- the development outbox ---------------------------------------------------------------


def _visible_to(email: str, firm_ids: Sequence[UUID]) -> ColumnElement[bool]:
    """Mail of the reader's firms, and mail addressed to the reader; nothing else, even in
    development (the outbox holds other firms' sign-in links)."""
    mine = func.lower(Email.to) == email.lower()
    return or_(mine, Email.firm_id.in_(firm_ids)) if firm_ids else mine


async def outbox(
    db: AsyncSession, *, reader_email: str, firm_ids: Sequence[UUID], to: str | None = None, limit: int = 100
) -> list[Email]:
    stmt = select(Email).where(_visible_to(reader_email, firm_ids)).order_by(Email.created_at.desc()).limit(limit)
    if to:
        stmt = stmt.where(Email.to.icontains(to, autoescape=True))
    return list((await db.scalars(stmt)).all())


async def outbox_email(db: AsyncSession, email_id: UUID, *, reader_email: str, firm_ids: Sequence[UUID]) -> Email:
    found: Email | None = await db.scalar(
        select(Email).where(Email.id == email_id, _visible_to(reader_email, firm_ids))
    )
    if found is None:
        raise NotFound()
    return found
