"""A firm's whole billing life against localstripe, every change arriving by signed webhook:
trial → active → payment fails → past_due → read-only → paid → active → canceled."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update

from ordena.billing.models import BillingAccount
from ordena.db.engine import Database
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm
from tests.integration.billing.conftest import eventually
from tests.integration.billing.helpers import StripeSide, account, all_processed, deliver
from tests.stripe.fake import Delivery, StripeStack


async def _deliver_all(client: Any, billing_db: Database, deliveries: list[Delivery]) -> None:
    for d in deliveries:
        answer = await deliver(client, d)
        assert answer.status_code == 200, answer.text

    async def processed() -> bool:
        return await all_processed(billing_db, [d.id for d in deliveries])

    await eventually(processed)


async def _status(billing_db: Database, firm_id: Any) -> str | None:
    found = await account(billing_db, firm_id)
    return found.status if found else None


async def _new_company(client: Any, slug: str, name: str) -> Any:
    return await client.post(
        f"/w/{slug}/companies", {"name": name, "country": "PE", "industry_section": "G", "size_band": "micro"}
    )


async def test_a_firm_lives_trial_active_past_due_read_only_paid_and_canceled_by_webhooks(
    billing_client: Any, billing_db: Database, stripe_env: StripeStack
) -> None:
    stripe = StripeSide(stripe_env)
    firm = await make_firm(billing_db, roles=(Role.OWNER,))
    await billing_client.login(firm.email(Role.OWNER), PASSWORD)
    base = f"/w/{firm.slug}/billing"

    page = await billing_client.get(base)
    assert page.status_code == 200
    assert "Periodo de prueba" in page.text and "Elige un plan" in page.text

    # Subscribe: Checkout (the local fake), the customer pays, Stripe's webhooks come in.
    chosen = await billing_client.post(f"{base}/subscribe", {"plan": "starter", "interval": "month"})
    assert chosen.status_code == 303
    checkout_url = chosen.headers["location"]
    assert checkout_url.startswith(stripe_env.front.url)
    customer = (await account(billing_db, firm.id)).stripe_customer_id  # type: ignore[union-attr]
    assert customer
    assert (await stripe.pay_checkout(checkout_url)).endswith(f"{base}?checkout=done")
    paid = stripe_env.inbox.wait(
        customer, types={"checkout.session.completed", "customer.subscription.created", "invoice.payment_succeeded"}
    )
    await _deliver_all(billing_client, billing_db, paid)
    acc = await account(billing_db, firm.id)
    assert acc is not None and (acc.status, acc.plan, acc.interval) == ("active", "starter", "month")
    subscription = acc.stripe_subscription_id
    assert subscription
    assert acc.checkout_session_id is None  # the paid link is forgotten: a second click opens no new one
    assert (await _new_company(billing_client, firm.slug, "Activa SAC")).status_code == 303

    # The card starts failing at the next invoice: past_due, still writable within the grace period.
    seen = len(stripe_env.inbox.of(customer))
    await stripe.change_price_with_failing_card(customer, subscription, "price_starter_year")
    failed = stripe_env.inbox.wait(customer, types={"invoice.created"}, seen=seen)
    assert (await stripe.subscription(subscription))["status"] == "past_due"
    await _deliver_all(billing_client, billing_db, failed)
    assert await _status(billing_db, firm.id) == "past_due"
    page = await billing_client.get(base)
    assert "No pudimos cobrar el último pago" in page.text
    assert (await _new_company(billing_client, firm.slug, "Gracia SAC")).status_code == 303

    # The grace period ends (the clock moved on): read-only; reading and exporting still work.
    async with billing_db.session() as db:
        await db.execute(
            update(BillingAccount)
            .where(BillingAccount.firm_id == firm.id)
            .values(past_due_since=dt.datetime.now(dt.UTC) - dt.timedelta(days=8))
        )
        await db.commit()
    refused = await _new_company(billing_client, firm.slug, "Tarde SAC")
    assert refused.status_code == 403
    assert "solo lectura" in refused.text and f"/w/{firm.slug}/billing" in refused.text
    assert (await billing_client.get(f"/w/{firm.slug}/companies")).status_code == 200
    export = await billing_client.get(f"/w/{firm.slug}/audit.csv")
    assert export.status_code == 200 and "Activa SAC" in export.text

    # Paid: active again, writable again.
    seen = len(stripe_env.inbox.of(customer))
    await stripe.pay_open_invoices(customer)
    repaid = stripe_env.inbox.wait(customer, types={"invoice.payment_succeeded"}, seen=seen)
    await _deliver_all(billing_client, billing_db, repaid)
    acc = await account(billing_db, firm.id)
    assert acc is not None and (acc.status, acc.interval, acc.past_due_since) == ("active", "year", None)
    assert (await _new_company(billing_client, firm.slug, "Pagada SAC")).status_code == 303

    # Canceled: read-only, nothing deleted.
    seen = len(stripe_env.inbox.of(customer))
    await stripe.cancel(subscription)
    ended = stripe_env.inbox.wait(customer, types={"customer.subscription.deleted"}, seen=seen)
    await _deliver_all(billing_client, billing_db, ended)
    assert await _status(billing_db, firm.id) == "canceled"
    assert (await _new_company(billing_client, firm.slug, "Cancelada SAC")).status_code == 403
    listing = await billing_client.get(f"/w/{firm.slug}/companies")
    assert all(name in listing.text for name in ("Activa SAC", "Gracia SAC", "Pagada SAC"))
    page = await billing_client.get(base)
    assert "Cancelada" in page.text and "Elige un plan" in page.text
    await stripe.close()
