"""Events repeat, arrive in any order, or not at all: the firm still ends in Stripe's state.

The lifecycles are played once in localstripe (real signed webhooks, Stripe's state read once
per scenario); each ordering then goes through the real receiving check and the real worker
function against the database.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest
from sqlalchemy import delete, update

from ordena.billing.models import BillingAccount, BillingEvent
from ordena.billing.state import STATUS
from ordena.billing.stripe_api import StripeReader
from ordena.billing.sync import reconcile
from ordena.db.engine import Database
from ordena.settings import Settings
from ordena.tenancy.models import Role
from tests.factories import make_firm
from tests.integration.billing.helpers import StripeSide, account
from tests.integration.billing.scenarios import (
    Scenario,
    SnapshotReader,
    deliver_and_process,
    link_firm,
    play,
    shuffled_with_duplicates,
)
from tests.stripe.fake import Delivery, StripeStack

ORDERINGS = int(__import__("os").environ.get("BILLING_ORDERINGS", "200"))


@pytest.fixture
async def scenarios(stripe_env: StripeStack, billing_settings: Settings) -> list[Scenario]:
    return await play(stripe_env, billing_settings)


async def _reset(database: Database, firm_id: Any, deliveries: list[Delivery]) -> None:
    async with database.session() as db:
        await db.execute(
            update(BillingAccount)
            .where(BillingAccount.firm_id == firm_id)
            .values(status="trialing", plan=None, interval=None, stripe_subscription_id=None, past_due_since=None)
        )
        await db.execute(delete(BillingEvent).where(BillingEvent.stripe_event_id.in_([d.id for d in deliveries])))
        await db.commit()


def _naive(deliveries: list[Delivery]) -> str | None:
    """What a handler that trusts each event's payload would end with: the last subscription
    event's status (the mistake of several public billing kits)."""
    status = None
    for d in deliveries:
        obj = d.event["data"]["object"]
        if obj.get("object") == "subscription":
            status = STATUS.get(obj["status"], status)
    return status


async def test_200_orderings_with_duplicates_end_in_the_state_stripe_holds(
    quick_commit_db: Database, billing_settings: Settings, scenarios: list[Scenario]
) -> None:
    billing_db = quick_commit_db
    reader = SnapshotReader({s.customer: s.subs for s in scenarios})
    firms = {}
    for s in scenarios:
        firm = await make_firm(billing_db, roles=(Role.OWNER,))
        await link_firm(billing_db, firm.id, s.customer)
        firms[s.name] = firm.id
    rng = random.Random(20261127)
    naive_wrong = 0
    for i in range(ORDERINGS):
        s = scenarios[i % len(scenarios)]
        await _reset(billing_db, firms[s.name], s.deliveries)
        sent = shuffled_with_duplicates(s.deliveries, rng)
        await deliver_and_process(billing_db, billing_settings, sent, reader)
        acc = await account(billing_db, firms[s.name])
        assert acc is not None
        assert (acc.status, acc.plan, acc.stripe_subscription_id) == s.expected, (
            s.name,
            [d.event["type"] for d in sent],
        )
        naive_wrong += _naive(sent) != s.expected[0]
    # The orderings do exercise disorder: trusting the payloads would have ended wrong.
    assert naive_wrong > 0


async def test_with_a_fifth_of_deliveries_lost_the_daily_reconciliation_repairs_every_firm(
    billing_db: Database, billing_settings: Settings, stripe_env: StripeStack
) -> None:
    """Twelve firms subscribe, then six cancel and six stop paying. Each step's webhooks are
    handled as they arrive (the worker reads localstripe live) with 20 % of the deliveries
    dropped; the reconciliation then reads Stripe and repairs every firm left behind."""
    side = StripeSide(stripe_env)
    rng = random.Random(11)
    reader = StripeReader(billing_settings)
    firms: list[dict[str, Any]] = []
    for n in range(12):
        firm = await make_firm(billing_db, roles=(Role.OWNER,))
        customer = await side.customer(firm.id)
        await link_firm(billing_db, firm.id, customer)
        price = "price_starter_month" if n % 2 else "price_professional_month"
        firms.append(
            {"id": firm.id, "customer": customer, "price": price, "sub": await side.subscribe(customer, price)}
        )
    dropped = await _deliver_step(
        billing_db, billing_settings, stripe_env, firms, rng, reader, "customer.subscription.created"
    )
    for n, f in enumerate(firms):
        if n % 2:
            await side.cancel(f["sub"])
            f["expected"] = ("canceled", "starter", f["sub"])
        else:
            await side.change_price_with_failing_card(f["customer"], f["sub"], "price_professional_year")
            f["expected"] = ("past_due", "professional", f["sub"])
    last = {True: "customer.subscription.deleted", False: "invoice.created"}
    dropped += await _deliver_step(billing_db, billing_settings, stripe_env, firms, rng, reader, last)
    await side.close()
    assert dropped > 0
    before = [await _state(billing_db, f["id"]) == f["expected"] for f in firms]
    assert not all(before), "no firm was left wrong by the lost events: the test would prove nothing"

    report = await reconcile(billing_db, billing_settings)
    assert report.repaired == before.count(False)
    assert report.events_recovered >= dropped  # each lost event is on record now
    for f in firms:
        assert await _state(billing_db, f["id"]) == f["expected"]


async def _state(database: Database, firm_id: Any) -> tuple[str | None, str | None, str | None]:
    acc = await account(database, firm_id)
    assert acc is not None
    return acc.status, acc.plan, acc.stripe_subscription_id


async def _deliver_step(
    database: Database,
    settings: Settings,
    stack: StripeStack,
    firms: list[dict[str, Any]],
    rng: random.Random,
    reader: StripeReader,
    last_type: str | dict[bool, str],
) -> int:
    """Wait for every firm's webhooks of this step, deliver 80 % of them; returns how many were lost."""
    dropped = 0
    for n, f in enumerate(firms):
        wanted = last_type if isinstance(last_type, str) else last_type[bool(n % 2)]
        seen = f.get("seen", 0)
        fresh = await asyncio.to_thread(stack.inbox.wait, f["customer"], types={wanted}, seen=seen)
        f["seen"] = seen + len(fresh)
        kept = [d for d in fresh if rng.random() >= 0.2]
        dropped += len(fresh) - len(kept)
        await deliver_and_process(database, settings, kept, reader)
    return dropped
