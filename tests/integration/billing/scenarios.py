"""Lifecycles played once in localstripe, their signed webhooks kept, and Stripe's final state
read once: the material of the ordering and lost-event tests."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert

from ordena.billing.models import BillingAccount, BillingEvent
from ordena.billing.stripe_api import StripeReader, SubscriptionView
from ordena.billing.sync import process_event
from ordena.billing.webhooks import verify
from ordena.db.engine import Database
from ordena.settings import Settings
from tests.integration.billing.helpers import StripeSide
from tests.stripe.fake import Delivery, StripeStack, sign


class SnapshotReader:
    """Stripe's subscriptions as read once from localstripe after the lifecycle (a real read,
    kept): the worker re-reads "Stripe" for every event without a round trip each time."""

    def __init__(self, subs: dict[str, list[SubscriptionView]]) -> None:
        self.subs = subs

    async def customer_subscriptions(self, customer: str) -> list[SubscriptionView]:
        return self.subs.get(customer, [])


@dataclass
class Scenario:
    name: str
    customer: str
    deliveries: list[Delivery]
    expected: tuple[str, str, str]  # status, plan, subscription id, as Stripe holds them
    subs: list[SubscriptionView] = field(default_factory=list)


async def play(stack: StripeStack, settings: Settings) -> list[Scenario]:
    """Three lifecycles, played side by side in localstripe."""
    side = StripeSide(stack)

    async def resubscribed() -> Scenario:
        cus = await side.customer()
        first = await side.subscribe(cus, "price_starter_month")
        await side.change_price_with_failing_card(cus, first, "price_starter_year")
        await side.pay_open_invoices(cus)
        await side.cancel(first)
        second = await side.subscribe(cus, "price_professional_month")
        return Scenario("canceled, then subscribed again", cus, [], ("active", "professional", second))

    async def unpaid() -> Scenario:
        cus = await side.customer()
        sub = await side.subscribe(cus, "price_network_month")
        await side.change_price_with_failing_card(cus, sub, "price_network_year")
        return Scenario("payment failed", cus, [], ("past_due", "network", sub))

    async def left() -> Scenario:
        cus = await side.customer()
        sub = await side.subscribe(cus, "price_starter_month")
        await side.cancel(sub)
        return Scenario("canceled", cus, [], ("canceled", "starter", sub))

    scenarios = list(await asyncio.gather(resubscribed(), unpaid(), left()))
    await side.close()
    reader = StripeReader(settings)
    last_types = {
        "canceled, then subscribed again": "customer.subscription.created",
        "payment failed": "invoice.created",
        "canceled": "customer.subscription.deleted",
    }
    for s in scenarios:
        await asyncio.to_thread(stack.inbox.wait, s.customer, types={last_types[s.name]})
        await asyncio.sleep(1.3)  # every event of the lifecycle, not just the last step's
        s.deliveries = stack.inbox.of(s.customer)
        s.subs = await reader.customer_subscriptions(s.customer)
    return scenarios


async def link_firm(database: Database, firm_id: UUID, customer: str) -> None:
    async with database.session() as db:
        db.add(BillingAccount(firm_id=firm_id, stripe_customer_id=customer, status="trialing"))
        await db.commit()


async def receive(database: Database, settings: Settings, delivery: Delivery) -> bool:
    """What the webhook endpoint does, minus HTTP: verify, then store the event id once. Each
    delivery is signed at delivery time, as Stripe signs each retry (the orderings outlast the
    5-minute tolerance of localstripe's original signatures)."""
    event = verify(delivery.body, sign(delivery.body), settings.stripe_webhook_secret)
    async with database.session() as db:
        stored = await db.execute(
            insert(BillingEvent)
            .values(stripe_event_id=event.id, type=event.type, customer_id=event.customer)
            .on_conflict_do_nothing(index_elements=["stripe_event_id"])
            .returning(BillingEvent.stripe_event_id)
        )
        new = stored.first() is not None
        await db.commit()
    return new


def shuffled_with_duplicates(deliveries: list[Delivery], rng: random.Random) -> list[Delivery]:
    sent = [d for d in deliveries for _ in range(1 + rng.randint(0, 3))]
    rng.shuffle(sent)
    return sent


async def deliver_and_process(
    database: Database, settings: Settings, deliveries: list[Delivery], reader: object
) -> None:
    """Each delivery received; a new event's job run, as the endpoint enqueues it."""
    for d in deliveries:
        if await receive(database, settings, d):
            await process_event(database, settings, d.id, reader)  # type: ignore[arg-type]
