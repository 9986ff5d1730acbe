"""The few Stripe calls Ordena makes, as plain values (no Stripe objects leave this module).

Every call goes through the official SDK's async methods, to ``ORDENA_STRIPE_API_BASE`` when set
(tests: a localstripe server behind the tests' fake for Checkout, the portal and prices).

The SDK (with httpx, requests and their dependencies, about 12 MiB resident) is imported by the
calls themselves, not by this module: the web process reads ``SubscriptionView`` on every firm
page through ``billing.state`` and verifies webhooks by hand (``billing.webhooks``), so it loads
the SDK only once an owner's billing page or a checkout actually calls Stripe.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ordena.settings import Settings

if TYPE_CHECKING:
    import stripe


class StripeUnavailable(Exception):
    """Stripe could not be reached or refused the call; the caller retries or shows a message."""


@dataclass(frozen=True)
class SubscriptionView:
    id: str
    customer: str
    status: str
    price: str | None
    created: int
    current_period_end: dt.datetime | None
    cancel_at_period_end: bool


@dataclass(frozen=True)
class InvoiceView:
    date: dt.datetime
    amount: int  # cents
    currency: str
    status: str
    url: str | None


class SubscriptionReader(Protocol):
    async def customer_subscriptions(self, customer: str) -> list[SubscriptionView]: ...


def client(settings: Settings) -> stripe.StripeClient:
    import stripe

    base = {"api": settings.stripe_api_base} if settings.stripe_api_base else {}
    return stripe.StripeClient(
        settings.stripe_secret_key,
        base_addresses=base,  # type: ignore[arg-type]
        http_client=stripe.HTTPXClient(),
        max_network_retries=2,
    )


def _ts(value: Any) -> dt.datetime | None:
    return dt.datetime.fromtimestamp(int(value), dt.UTC) if value else None


def subscription_view(sub: Any) -> SubscriptionView:
    items = sub["items"]["data"] if sub.get("items") else []
    price: str | None = None
    period_end = sub.get("current_period_end")
    if items:
        item = items[0]
        # Stripe's prices; localstripe (and older API versions) name the plan instead.
        price = (item.get("price") or {}).get("id") or (item.get("plan") or {}).get("id")
        period_end = period_end or item.get("current_period_end")
    return SubscriptionView(
        id=str(sub["id"]),
        customer=str(sub["customer"]),
        status=str(sub["status"]),
        price=price,
        created=int(sub.get("created") or 0),
        current_period_end=_ts(period_end),
        cancel_at_period_end=bool(sub.get("cancel_at_period_end")),
    )


class StripeReader:
    """Reads subscriptions from Stripe itself (the worker's source of truth)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def customer_subscriptions(self, customer: str) -> list[SubscriptionView]:
        import stripe

        try:
            page = await client(self.settings).v1.subscriptions.list_async(
                params={"customer": customer, "status": "all", "limit": 100}
            )
        except stripe.StripeError as exc:
            raise StripeUnavailable(str(exc)) from exc
        return [subscription_view(s.to_dict()) for s in page.data]


async def recent_events(settings: Settings, since: dt.datetime) -> list[dict[str, Any]]:
    """Events created since ``since`` (Stripe keeps 30 days), as plain dicts."""
    import stripe

    found: list[dict[str, Any]] = []
    params: dict[str, Any] = {"created": {"gte": int(since.timestamp())}, "limit": 100}
    try:
        while True:
            page = await client(settings).v1.events.list_async(params=params)  # type: ignore[arg-type]
            found.extend(e.to_dict() for e in page.data)
            if not page.has_more or not page.data:
                return found
            params["starting_after"] = page.data[-1].id
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc


async def create_customer(settings: Settings, *, firm_id: str, name: str, email: str) -> str:
    import stripe

    try:
        customer = await client(settings).v1.customers.create_async(
            params={"name": name, "email": email, "metadata": {"ordena_firm_id": firm_id}},
            options={"idempotency_key": f"ordena-customer-{firm_id}"},
        )
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc
    return str(customer.id)


@dataclass(frozen=True)
class CheckoutView:
    id: str
    url: str
    status: str
    expires_at: dt.datetime | None


async def create_checkout(
    settings: Settings, *, customer: str, price: str, firm_id: str, locale: str, key: str, success: str, cancel: str
) -> CheckoutView:
    import stripe

    try:
        session = await client(settings).v1.checkout.sessions.create_async(
            params={
                "mode": "subscription",
                "customer": customer,
                "client_reference_id": firm_id,
                "line_items": [{"price": price, "quantity": 1}],
                "subscription_data": {"metadata": {"ordena_firm_id": firm_id}},
                "locale": "es" if locale == "es" else "en",
                "success_url": success,
                "cancel_url": cancel,
            },
            options={"idempotency_key": key},
        )
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc
    return CheckoutView(
        str(session.id), str(session.url), str(session.status), _ts(getattr(session, "expires_at", None))
    )


async def expire_checkout(settings: Settings, session_id: str) -> None:
    """Close a Checkout link that must not charge any more (the firm subscribed meanwhile)."""
    import stripe

    try:
        await client(settings).v1.checkout.sessions.expire_async(session_id)
    except stripe.StripeError:
        return  # already complete or expired: nothing left to close


async def portal_url(settings: Settings, *, customer: str, return_url: str, locale: str) -> str:
    import stripe

    try:
        session = await client(settings).v1.billing_portal.sessions.create_async(
            params={"customer": customer, "return_url": return_url, "locale": "es" if locale == "es" else "en"}
        )
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc
    return str(session.url)


def _invoice_view(inv: Any) -> InvoiceView:
    return InvoiceView(
        date=_ts(inv.get("created") or inv.get("date")) or dt.datetime.now(dt.UTC),
        amount=int(inv.get("total") or inv.get("amount_due") or 0),
        currency=str(inv.get("currency") or "usd").upper(),
        status=str(inv.get("status") or ""),
        url=inv.get("hosted_invoice_url"),
    )


async def invoices(settings: Settings, customer: str, limit: int = 12) -> list[InvoiceView]:
    import stripe

    try:
        page = await client(settings).v1.invoices.list_async(params={"customer": customer, "limit": limit})
    except stripe.StripeError as exc:
        raise StripeUnavailable(str(exc)) from exc
    return [_invoice_view(i.to_dict()) for i in page.data]


async def next_invoice(settings: Settings, customer: str, subscription: str) -> InvoiceView | None:
    import stripe

    try:
        preview = await client(settings).v1.invoices.create_preview_async(
            params={"customer": customer, "subscription": subscription}
        )
    except stripe.StripeError:
        return None  # no upcoming invoice (canceled, or nothing due)
    raw = preview.to_dict()
    view = _invoice_view(raw)
    period_end = raw.get("period_end") or raw.get("next_payment_attempt")
    return InvoiceView(_ts(period_end) or view.date, view.amount, view.currency, view.status, None)
