"""The owner's billing page, subscribing, the customer portal, and Stripe's webhook."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromQuery
from litestar.response import Redirect, Response, Template

from ordena.billing import queries, services
from ordena.billing.plans import PLANS
from ordena.billing.stripe_api import StripeReader, StripeUnavailable
from ordena.billing.webhooks import BadWebhook, verify
from ordena.lib.errors import ServiceError
from ordena.lib.i18n import _, get_locale
from ordena.settings import Settings
from ordena.web.access import firm_of
from ordena.web.db import request_db, wake_jobs
from ordena.web.deps import DB, Firm, Form
from ordena.web.pages import HTML
from ordena.web.security import CSP

# Billing's own pages answer a read-only firm too: paying is how it leaves that state.
OWNER = {"access": "owner", "read_only_ok": True}


def _page_csp(settings: Settings) -> str:
    """The page's policy, whose forms may also lead to Stripe: a form's redirect to Checkout
    or the portal is checked against ``form-action`` (Chromium blocks it otherwise). In tests,
    the fake in front of localstripe stands where Stripe's hosts are."""
    hosts = ["https://checkout.stripe.com", "https://billing.stripe.com"]
    if settings.stripe_api_base:
        parts = urlsplit(settings.stripe_api_base)
        hosts.append(f"{parts.scheme}://{parts.netloc}")
    return CSP.replace("form-action 'self'", "form-action 'self' " + " ".join(hosts))


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    if not settings.billing_enabled:
        raise NotFoundException()  # billing off: there is no billing page
    return settings


@get("/w/{slug:str}/billing", opt=OWNER, name="billing")
async def billing_page(request: Request[Any, Any, Any], checkout: FromQuery[str | None] = None) -> Template:
    """On the request's driver: the page opens no ORM session unless back from Checkout
    (benchmarked: ``billing``). The firm is read from the guard's scope rather than taken as
    the ``firm`` dependency, whose chain (db → auth → firm) opens the ORM session."""
    settings = _settings(request)
    firm = firm_of(request)
    rdb = request_db(request)
    if checkout == "done":
        # Back from Checkout: read the subscription from Stripe now rather than wait for the
        # webhook (the same re-read the worker does; nothing in the URL is trusted).
        await services.refresh(await rdb.session(), settings, firm, StripeReader(settings))
    page = await services.overview(await rdb.begin(), settings, firm, get_locale())
    await rdb.commit()
    return Template(
        "billing/page.html",
        context={"page": page, "plans": PLANS, "checkout": checkout},
        headers={"content-security-policy": _page_csp(settings)},
        media_type=HTML,
    )


@post("/w/{slug:str}/billing/subscribe", opt=OWNER)
async def subscribe(request: Request[Any, Any, Any], db: DB, firm: Firm, data: Form) -> Redirect:
    settings = _settings(request)
    plan, interval = str(data.get("plan", "")), str(data.get("interval", "month"))
    try:
        url = await services.start_checkout(db, settings, firm, plan, interval, base_url=settings.base_url)
    except StripeUnavailable as exc:
        raise ServiceError(
            _("No pudimos abrir el pago en este momento. Inténtalo de nuevo en unos minutos."), status_code=503
        ) from exc
    return Redirect(url, status_code=303)


@post("/w/{slug:str}/billing/portal", opt=OWNER)
async def open_portal(request: Request[Any, Any, Any], db: DB, firm: Firm) -> Redirect:
    settings = _settings(request)
    try:
        url = await services.portal(db, settings, firm, base_url=settings.base_url)
    except StripeUnavailable as exc:
        raise ServiceError(
            _("No pudimos abrir el portal de facturación. Inténtalo de nuevo en unos minutos."), status_code=503
        ) from exc
    return Redirect(url, status_code=303)


@post(
    "/billing/stripe/webhook",
    opt={"access": "public", "csrf_exempt": True},
    include_in_schema=False,
    media_type="application/json",
)
async def stripe_webhook(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """Signed by Stripe, not by a browser: no session, no CSRF token; the signature is the check."""
    settings: Settings = request.app.state.settings
    if not settings.billing_enabled:
        raise NotFoundException()
    payload = await request.body()
    try:
        event = verify(payload, request.headers.get("stripe-signature"), settings.stripe_webhook_secret)
    except BadWebhook:
        return Response({"received": False}, status_code=400)
    rdb = request_db(request)
    new = await queries.store_event(await rdb.con(), event_id=event.id, type=event.type, customer=event.customer)
    if new:
        wake_jobs(request)
    return Response({"received": True, "duplicate": not new}, status_code=200)


ROUTES = [billing_page, subscribe, open_portal, stripe_webhook]
