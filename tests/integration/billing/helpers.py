"""Driving Stripe's side in the tests (localstripe's own API), and handing webhooks to the app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import select

from ordena.billing.models import BillingAccount, BillingEvent
from ordena.db.engine import Database
from tests.stripe.fake import SECRET_KEY, Delivery, StripeStack


class StripeSide:
    """What a customer or Stripe does: pay, fail, change plan, cancel (all in localstripe)."""

    def __init__(self, stack: StripeStack) -> None:
        self.stack = stack
        self.http = httpx.AsyncClient(base_url=stack.localstripe, headers={"Authorization": f"Bearer {SECRET_KEY}"})

    async def _post(self, path: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = await self.http.post(path, data=data or {})
        answer.raise_for_status()
        body: dict[str, Any] = answer.json()
        return body

    async def customer(self, firm_id: UUID | str = "none") -> str:
        return str((await self._post("/v1/customers", {"metadata[ordena_firm_id]": str(firm_id)}))["id"])

    async def card(self, customer: str, card: str = "pm_card_visa") -> None:
        """Set the customer's card (``pm_card_chargeCustomerFail``: attaches, then every charge fails)."""
        pm = await self._post(f"/v1/payment_methods/{card}/attach", {"customer": customer})
        await self._post(f"/v1/customers/{customer}", {"invoice_settings[default_payment_method]": pm["id"]})

    async def subscribe(self, customer: str, price: str) -> str:
        await self.card(customer)
        return str((await self._post("/v1/subscriptions", {"customer": customer, "items[0][plan]": price}))["id"])

    async def pay_checkout(self, checkout_url: str) -> str:
        """The customer pays on the (fake) hosted Checkout page; returns where Stripe sends them."""
        async with httpx.AsyncClient() as browser:
            answer = await browser.post(f"{checkout_url}/pay")
        assert answer.status_code == 303, answer.text
        return str(answer.headers["location"])

    async def change_price_with_failing_card(self, customer: str, subscription: str, price: str) -> None:
        """The card on file starts failing and the firm moves from monthly to yearly billing:
        the new period's invoice is not paid and Stripe puts the subscription past_due. (From
        yearly to monthly the unused year pays for the month and nothing is charged.)"""
        await self.card(customer, "pm_card_chargeCustomerFail")
        await self._post(f"/v1/subscriptions/{subscription}", {"items[0][plan]": price})

    async def pay_open_invoices(self, customer: str) -> None:
        await self.card(customer)
        invoices = (await self.http.get("/v1/invoices", params={"customer": customer})).json()["data"]
        for invoice in invoices:
            if invoice["status"] == "open":
                await self._post(f"/v1/invoices/{invoice['id']}/pay")

    async def cancel(self, subscription: str) -> None:
        (await self.http.delete(f"/v1/subscriptions/{subscription}")).raise_for_status()

    async def subscription(self, subscription: str) -> dict[str, Any]:
        body: dict[str, Any] = (await self.http.get(f"/v1/subscriptions/{subscription}")).json()
        return body

    async def close(self) -> None:
        await self.http.aclose()


async def deliver(client: Any, delivery: Delivery, *, body: bytes | None = None, signature: str | None = None) -> Any:
    """POST one webhook delivery to the app, as Stripe would (raw body, signature header)."""
    return await client.client.post(
        "/billing/stripe/webhook",
        content=delivery.body if body is None else body,
        headers={
            "stripe-signature": delivery.signature if signature is None else signature,
            "content-type": "application/json",
        },
    )


async def account(database: Database, firm_id: UUID) -> BillingAccount | None:
    async with database.session() as db:
        found: BillingAccount | None = await db.scalar(select(BillingAccount).where(BillingAccount.firm_id == firm_id))
        return found


async def all_processed(database: Database, ids: Iterable[str]) -> bool:
    wanted = set(ids)
    async with database.session() as db:
        done = set(
            await db.scalars(
                select(BillingEvent.stripe_event_id).where(
                    BillingEvent.stripe_event_id.in_(wanted), BillingEvent.processed_at.is_not(None)
                )
            )
        )
    return done == wanted


async def outcomes(database: Database, ids: Iterable[str]) -> dict[str, str | None]:
    async with database.session() as db:
        rows = await db.execute(
            select(BillingEvent.stripe_event_id, BillingEvent.outcome).where(
                BillingEvent.stripe_event_id.in_(list(ids))
            )
        )
        return {r[0]: r[1] for r in rows}
