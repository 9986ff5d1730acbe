"""The development outbox: mail kept when no SMTP server is configured (never in production)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template
from sqlalchemy import select

from ordena.mail.models import Email
from ordena.web.deps import DB

DEV_ENVIRONMENTS = ("development", "test")


def _enabled(request: Request[Any, Any, Any]) -> None:
    settings = request.app.state.settings
    # Only on a developer's machine or in tests: a staging or demo server without SMTP would
    # otherwise publish every password-reset and sign-in link to anyone.
    if settings.environment not in DEV_ENVIRONMENTS or settings.mail_enabled:
        raise NotFoundException()


@get("/dev/outbox", opt={"access": "public"}, name="dev_outbox")
async def outbox(request: Request[Any, Any, Any], db: DB, to: FromQuery[str | None] = None) -> Template:
    _enabled(request)
    stmt = select(Email).order_by(Email.created_at.desc()).limit(100)
    if to:
        stmt = stmt.where(Email.to.icontains(to, autoescape=True))
    emails = (await db.scalars(stmt)).all()
    return Template("mail/outbox.html", context={"emails": emails, "to": to or ""})


@get("/dev/outbox/{email_id:uuid}", opt={"access": "public"}, name="dev_outbox_email")
async def outbox_email(request: Request[Any, Any, Any], db: DB, email_id: FromPath[UUID]) -> Template:
    _enabled(request)
    email = await db.get(Email, email_id)
    if email is None:
        raise NotFoundException()
    return Template("mail/email.html", context={"email": email})


@get("/dev/outbox/{email_id:uuid}/html", opt={"access": "public"}, media_type="text/html")
async def outbox_email_html(request: Request[Any, Any, Any], db: DB, email_id: FromPath[UUID]) -> Response[str]:
    _enabled(request)
    email = await db.get(Email, email_id)
    if email is None:
        raise NotFoundException()
    # Rendered inside a sandboxed iframe; the mail's own styles are inline.
    return Response(
        email.html_body,
        media_type="text/html",
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
            "X-Frame-Options": "SAMEORIGIN",
        },
    )


ROUTES = [outbox, outbox_email, outbox_email_html]
