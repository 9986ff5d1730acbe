"""The worker's side: bring a firm's billing state in line with what Stripe holds now.

Every event only says *which customer* to look at. The worker takes the firm's advisory lock
(events of one firm are applied one at a time, whatever the number of workers), re-reads the
customer's subscriptions from Stripe and writes what it finds; so duplicates, out-of-order and
late events all end in Stripe's state. An event for a customer no firm has, or a subscription on
a price that is none of the configured plans, is logged and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from ordena.audit.services import Actor, AuditTrail
from ordena.billing import stripe_api
from ordena.billing.models import BillingAccount, BillingEvent
from ordena.billing.state import UnknownPrice, apply_target, current_subscription, target_of
from ordena.billing.stripe_api import SubscriptionReader, SubscriptionView
from ordena.db.engine import Database, apply_context_now, set_context
from ordena.lib.clock import now
from ordena.settings import Settings
from ordena.tenancy.firms import set_subscription_status

log = logging.getLogger(__name__)
STRIPE = Actor(None, "stripe")
LOCK_SQL = text("SELECT pg_advisory_xact_lock(hashtext('ordena.billing'), hashtext(:firm))")


async def lock_firm(db: AsyncSession, firm_id: UUID) -> None:
    """Serialize billing work of one firm until the transaction ends."""
    await db.execute(LOCK_SQL, {"firm": str(firm_id)})


async def _mark(db: AsyncSession, event_id: str | None, outcome: str) -> None:
    if event_id is not None:
        await db.execute(
            update(BillingEvent)
            .where(BillingEvent.stripe_event_id == event_id)
            .values(processed_at=func.now(), outcome=outcome)
        )


async def apply_subscriptions(
    db: AsyncSession, settings: Settings, account: BillingAccount, subs: list[SubscriptionView]
) -> str:
    """Write the firm's current subscription into its account (in the caller's transaction,
    under the firm's lock). Returns the outcome: applied, unchanged or unknown_price."""
    sub = current_subscription(subs)
    if sub is None:
        return "unchanged"  # no subscription yet (a Checkout not paid): the trial goes on
    try:
        target = target_of(settings, sub)
    except UnknownPrice as exc:
        log.warning(
            "billing: firm %s subscription %s is on unknown price %s: nothing changed",
            account.firm_id,
            sub.id,
            exc.price,
        )
        return "unknown_price"
    before = apply_target(account, target, now())
    account.synced_at = now()
    if before is None:
        return "unchanged"
    after = {k: getattr(account, k) for k in before}
    if account.status in {"active", "past_due", "trialing"}:
        # A Checkout link still open must never charge a firm that is subscribed already.
        account.checkout_session_id = account.checkout_url = account.checkout_key = None
    await set_subscription_status(db, account.firm_id, account.status)
    AuditTrail(db, account.firm_id, STRIPE)(
        "update", "billing", account.firm_id, before=_plain(before), after=_plain(after)
    )
    return "applied"


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.datetime) else v for k, v in values.items()}


async def _sync_in(
    db: AsyncSession,
    settings: Settings,
    customer: str | None,
    reader: SubscriptionReader,
    event_id: str | None,
) -> str:
    """In the caller's open transaction: find the customer's firm, enter it, take its lock,
    re-read Stripe and apply; the event is marked processed in the same transaction."""
    firm_id: UUID | None = None
    if customer:
        firm_id = await db.scalar(select(BillingAccount.firm_id).where(BillingAccount.stripe_customer_id == customer))
    if firm_id is None or customer is None:
        log.warning("billing: event %s for unknown customer %s: nothing changed", event_id, customer)
        await _mark(db, event_id, "unknown_customer")
        return "unknown_customer"
    set_context(db, tenant_id=firm_id)
    await apply_context_now(db)  # the audit line is the firm's (row-level security)
    await lock_firm(db, firm_id)
    account = await db.scalar(select(BillingAccount).where(BillingAccount.firm_id == firm_id))
    assert account is not None  # found above; accounts are never deleted but with their firm
    outcome = await apply_subscriptions(db, settings, account, await reader.customer_subscriptions(customer))
    await _mark(db, event_id, outcome)
    return outcome


async def sync_customer(
    database: Database,
    settings: Settings,
    customer: str | None,
    reader: SubscriptionReader,
    *,
    event_id: str | None = None,
) -> str:
    """Re-read one customer's subscriptions and apply them, in one transaction. Returns the outcome."""
    async with database.session() as db:
        outcome = await _sync_in(db, settings, customer, reader, event_id)
        await db.commit()
    return outcome


async def process_event(database: Database, settings: Settings, event_id: str, reader: SubscriptionReader) -> str:
    """The job of one stored event (idempotent: a processed event is not applied again)."""
    async with database.session() as db:
        row = (
            await db.execute(
                select(BillingEvent.customer_id, BillingEvent.processed_at).where(
                    BillingEvent.stripe_event_id == event_id
                )
            )
        ).first()
        if row is None:
            log.warning("billing: event %s is not stored", event_id)
            return "missing"
        if row.processed_at is not None:
            return "done"
        outcome = await _sync_in(db, settings, row.customer_id, reader, event_id)
        await db.commit()
    return outcome


@dataclass
class Reconciliation:
    firms_checked: int = 0
    repaired: int = 0
    events_recovered: int = 0


async def reconcile(database: Database, settings: Settings, reader: SubscriptionReader | None = None) -> Reconciliation:
    """The daily pass: list Stripe's events of the last three days and record those no webhook
    brought (operators see the loss), then re-read every known customer's subscriptions from
    Stripe and repair what a lost event left wrong (one list call per customer)."""
    reader = reader or stripe_api.StripeReader(settings)
    report = Reconciliation()
    since = now() - dt.timedelta(days=3)
    events = await stripe_api.recent_events(settings, since)
    async with database.session() as db:
        known = set(
            await db.scalars(
                select(BillingEvent.stripe_event_id).where(
                    BillingEvent.stripe_event_id.in_([str(e["id"]) for e in events])
                )
            )
        )
        for event in events:
            if str(event["id"]) not in known:
                db.add(
                    BillingEvent(
                        stripe_event_id=str(event["id"]),
                        type=str(event.get("type", "")),
                        customer_id=customer_of(event),
                        processed_at=now(),
                        outcome="reconciled",
                    )
                )
                report.events_recovered += 1
        customers = list(
            await db.scalars(
                select(BillingAccount.stripe_customer_id).where(BillingAccount.stripe_customer_id.is_not(None))
            )
        )
        await db.commit()
    for customer in customers:
        report.firms_checked += 1
        if await sync_customer(database, settings, customer, reader) == "applied":
            report.repaired += 1
    if report.repaired or report.events_recovered:
        log.warning("billing reconciliation: %s", report)
    return report


def customer_of(event: dict[str, Any]) -> str | None:
    """The Stripe customer an event concerns (the object itself for customer events)."""
    obj = (event.get("data") or {}).get("object") or {}
    if obj.get("object") == "customer":
        return str(obj.get("id")) if obj.get("id") else None
    customer = obj.get("customer")
    if isinstance(customer, dict):
        customer = customer.get("id")
    return str(customer) if customer else None
