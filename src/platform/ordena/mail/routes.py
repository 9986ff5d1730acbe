"""The development outbox: mail kept when no SMTP server is configured (never in production).

Served only with ``ORDENA_ENV=development`` (or the test suite's ``test``), no SMTP, and a
request straight from this machine (a loopback peer, no proxy's forwarding headers): a server
where ``ORDENA_ENV`` was forgotten would otherwise publish every reset link to the world.

Signed-in users only, and each sees only the mail of their own firms and the mail addressed to
themselves: even on a developer's machine the outbox holds other firms' sign-in links."""

from __future__ import annotations

import ipaddress
from typing import Any
from uuid import UUID

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from ordena.mail import services
from ordena.mail.models import Email
from ordena.tenancy.services import firms_of_user
from ordena.web.access import LoginRequired
from ordena.web.deps import DB, CurrentAuth

DEV_ENVIRONMENTS = ("development", "test")


FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


def _from_this_machine(request: Request[Any, Any, Any], environment: str) -> bool:
    """The peer is a loopback address and no proxy relayed the request (a proxy on the same
    machine connects from loopback too). The test suite's client calls itself "testclient"."""
    host = request.client.host if request.client else ""
    if any(name in request.headers for name in FORWARDING_HEADERS):
        return False
    if environment == "test" and host == "testclient":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _enabled(request: Request[Any, Any, Any]) -> None:
    settings = request.app.state.settings
    # Only on a developer's machine or in tests: a staging or demo server without SMTP would
    # otherwise publish every password-reset and sign-in link to anyone.
    if (
        settings.environment not in DEV_ENVIRONMENTS
        or settings.mail_enabled
        or not _from_this_machine(request, settings.environment)
    ):
        raise NotFoundException()


async def _reader(db: DB, auth: CurrentAuth) -> dict[str, Any]:
    """Who reads the outbox: their address and their firms. The routes are declared public so
    that outside development the answer is 404 for everyone (the guard would send an anonymous
    visitor to the login page first, telling that the page exists); here, after that check,
    only a signed-in user gets further."""
    if auth.user is None:
        raise LoginRequired()
    firms = await firms_of_user(db, auth.user.id)
    return {"reader_email": auth.user.email, "firm_ids": [tenant.id for tenant, _ in firms]}


async def _email(db: DB, auth: CurrentAuth, email_id: UUID) -> Email:
    return await services.outbox_email(db, email_id, **await _reader(db, auth))


@get("/dev/outbox", opt={"access": "public"}, name="dev_outbox")
async def outbox(
    request: Request[Any, Any, Any], db: DB, auth: CurrentAuth, to: FromQuery[str | None] = None
) -> Template:
    _enabled(request)
    emails = await services.outbox(db, to=to, **await _reader(db, auth))
    return Template("mail/outbox.html", context={"emails": emails, "to": to or ""})


@get("/dev/outbox/{email_id:uuid}", opt={"access": "public"}, name="dev_outbox_email")
async def outbox_email(
    request: Request[Any, Any, Any], db: DB, auth: CurrentAuth, email_id: FromPath[UUID]
) -> Template:
    _enabled(request)
    return Template("mail/email.html", context={"email": await _email(db, auth, email_id)})


@get("/dev/outbox/{email_id:uuid}/html", opt={"access": "public"}, media_type="text/html")
async def outbox_email_html(
    request: Request[Any, Any, Any], db: DB, auth: CurrentAuth, email_id: FromPath[UUID]
) -> Response[str]:
    _enabled(request)
    email = await _email(db, auth, email_id)
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
