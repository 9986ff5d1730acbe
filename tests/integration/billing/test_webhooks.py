"""The webhook endpoint: only genuine, fresh events are kept; what they say is never trusted."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from sqlalchemy import func, select

from ordena.billing.models import BillingAccount, BillingEvent
from ordena.db.engine import Database
from ordena.jobs.models import OutboxMessage
from ordena.tenancy.models import Role
from tests.factories import make_firm
from tests.integration.billing.conftest import eventually
from tests.integration.billing.helpers import StripeSide, account, all_processed, deliver, outcomes
from tests.integration.billing.scenarios import link_firm
from tests.stripe.fake import SECRET_KEY, Delivery, StripeStack, sign


def _event(customer: str, *, type: str = "customer.subscription.updated", obj: dict[str, Any] | None = None) -> bytes:
    body = {
        "id": f"evt_test_{time.time_ns()}",
        "object": "event",
        "type": type,
        "created": int(time.time()),
        "data": {"object": obj or {"object": "subscription", "id": "sub_x", "customer": customer, "status": "active"}},
    }
    return json.dumps(body).encode()


async def _counts(database: Database) -> tuple[int, int]:
    async with database.session() as db:
        events = await db.scalar(select(func.count()).select_from(BillingEvent))
        jobs = await db.scalar(select(func.count()).select_from(OutboxMessage))
    return int(events or 0), int(jobs or 0)


async def test_a_bad_signature_an_old_timestamp_or_a_changed_body_get_400_and_nothing_is_recorded(
    billing_client: Any, billing_db: Database
) -> None:
    body = _event("cus_anyone")
    before = await _counts(billing_db)
    forged = await deliver(billing_client, Delivery(body, sign(body, secret="whsec_someone_else")))
    stale = await deliver(billing_client, Delivery(body, sign(body, timestamp=int(time.time()) - 301)))
    changed = await deliver(billing_client, Delivery(body.replace(b"active", b"past_due"), sign(body)))
    unsigned = await deliver(billing_client, Delivery(body, ""))
    assert [r.status_code for r in (forged, stale, changed, unsigned)] == [400, 400, 400, 400]
    assert await _counts(billing_db) == before
    fresh = await deliver(billing_client, Delivery(body, sign(body, timestamp=int(time.time()) - 250)))
    assert fresh.status_code == 200  # within the 5 minutes


async def test_a_redelivered_event_is_stored_and_enqueued_once(billing_client: Any, billing_db: Database) -> None:
    body = _event("cus_nobody_here")
    before = await _counts(billing_db)
    answers = [await deliver(billing_client, Delivery(body, sign(body))) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["duplicate"] for a in answers] == [False, True, True]
    events, jobs = await _counts(billing_db)
    assert events == before[0] + 1
    assert jobs == before[1] + 1


async def test_an_unknown_customer_is_logged_answered_and_changes_nothing(
    billing_client: Any, billing_db: Database, caplog: Any
) -> None:
    body = _event("cus_no_firm_has_this")
    event_id = json.loads(body)["id"]
    assert (await deliver(billing_client, Delivery(body, sign(body)))).status_code == 200

    async def processed() -> bool:
        return await all_processed(billing_db, [event_id])

    await eventually(processed)
    assert (await outcomes(billing_db, [event_id]))[event_id] == "unknown_customer"
    assert "unknown customer cus_no_firm_has_this" in caplog.text
    async with billing_db.session() as db:
        assert (
            await db.scalar(select(BillingAccount).where(BillingAccount.stripe_customer_id == "cus_no_firm_has_this"))
            is None
        )


async def test_an_unknown_plan_is_logged_answered_and_changes_nothing(
    billing_client: Any, billing_db: Database, stripe_env: StripeStack
) -> None:
    side = StripeSide(stripe_env)
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {SECRET_KEY}"}) as http:
        if (await http.get(f"{stripe_env.localstripe}/v1/plans/price_not_ours")).status_code != 200:
            (
                await http.post(
                    f"{stripe_env.localstripe}/v1/plans",
                    data={
                        "id": "price_not_ours",
                        "amount": 100,
                        "currency": "usd",
                        "interval": "month",
                        "product[name]": "Not ours",
                    },
                )
            ).raise_for_status()
    firm = await make_firm(billing_db, roles=(Role.OWNER,))
    customer = await side.customer(firm.id)
    await link_firm(billing_db, firm.id, customer)
    await side.subscribe(customer, "price_not_ours")
    created = stripe_env.inbox.wait(customer, types={"customer.subscription.created"})
    for d in created:
        assert (await deliver(billing_client, d)).status_code == 200

    async def processed() -> bool:
        return await all_processed(billing_db, [d.id for d in created])

    await eventually(processed)
    assert "unknown_price" in (await outcomes(billing_db, [d.id for d in created])).values()
    acc = await account(billing_db, firm.id)
    assert acc is not None and (acc.status, acc.plan, acc.stripe_subscription_id) == ("trialing", None, None)
    await side.close()


async def test_a_signed_event_claiming_another_price_and_status_is_not_believed(
    billing_client: Any, billing_db: Database, stripe_env: StripeStack
) -> None:
    side = StripeSide(stripe_env)
    firm = await make_firm(billing_db, roles=(Role.OWNER,))
    customer = await side.customer(firm.id)
    await link_firm(billing_db, firm.id, customer)
    sub = await side.subscribe(customer, "price_starter_month")
    claim = {
        "object": "subscription",
        "id": sub,
        "customer": customer,
        "status": "active",
        "items": {"data": [{"price": {"id": "price_network_year"}, "plan": {"id": "price_network_year"}}]},
    }
    body = _event(customer, obj=claim)
    event_id = json.loads(body)["id"]
    assert (await deliver(billing_client, Delivery(body, sign(body)))).status_code == 200

    async def processed() -> bool:
        return await all_processed(billing_db, [event_id])

    await eventually(processed)
    acc = await account(billing_db, firm.id)
    assert acc is not None and (acc.status, acc.plan, acc.interval) == ("active", "starter", "month")
    await side.close()
