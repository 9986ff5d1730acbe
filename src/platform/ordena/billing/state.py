"""A firm's billing standing: what it may do now, from the state last read from Stripe.

Pure functions: no database, no Stripe. ``current_subscription`` decides which of a customer's
subscriptions speaks for the firm, so that an old subscription's late event (a canceled one,
say, after the firm subscribed again) can never pull the firm back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from ordena.billing.models import BillingAccount
from ordena.billing.plans import TRIAL_PLAN, plan_of_price
from ordena.billing.stripe_api import SubscriptionView
from ordena.settings import Settings

# Stripe's statuses as Ordena's four (incomplete ones are a Checkout not yet paid: ignored).
STATUS = {
    "active": "active",
    "trialing": "trialing",
    "past_due": "past_due",
    "unpaid": "past_due",
    "canceled": "canceled",
}
LIVE = {"active", "trialing", "past_due", "unpaid"}
FIELDS = ("status", "plan", "interval", "stripe_subscription_id", "current_period_end", "cancel_at_period_end")


def current_subscription(subs: list[SubscriptionView]) -> SubscriptionView | None:
    """A live subscription before an ended one; among equals the newest (then the highest id,
    so that the choice never depends on the order Stripe lists them in)."""
    known = [s for s in subs if s.status in STATUS]
    if not known:
        return None
    return max(known, key=lambda s: (s.status in LIVE, s.created, s.id))


@dataclass(frozen=True)
class Target:
    """The account's fields as Stripe's current subscription says they should be."""

    values: dict[str, Any]


class UnknownPrice(Exception):
    def __init__(self, price: str | None) -> None:
        super().__init__(f"price {price!r} is not one of the configured plans")
        self.price = price


def target_of(settings: Settings, sub: SubscriptionView) -> Target:
    mapped = plan_of_price(settings, sub.price)
    if mapped is None:
        raise UnknownPrice(sub.price)
    plan, interval = mapped
    return Target(
        {
            "status": STATUS[sub.status],
            "plan": plan,
            "interval": interval,
            "stripe_subscription_id": sub.id,
            "current_period_end": sub.current_period_end,
            "cancel_at_period_end": sub.cancel_at_period_end,
        }
    )


def apply_target(account: BillingAccount, target: Target, now: dt.datetime) -> dict[str, Any] | None:
    """Write the target into the account; returns the fields that changed (None: nothing did)."""
    before = {f: getattr(account, f) for f in FIELDS}
    if before == target.values:
        return None
    for key, value in target.values.items():
        setattr(account, key, value)
    if account.status == "past_due":
        account.past_due_since = account.past_due_since or now
    else:
        account.past_due_since = None
    return {k: v for k, v in before.items() if target.values[k] != v}


@dataclass(frozen=True)
class Standing:
    status: str  # trialing | active | past_due | canceled | trial_ended
    read_only: bool
    plan: str | None  # whose limits apply (the trial's plan while on trial)
    trial_ends_at: dt.datetime | None = None
    grace_ends_at: dt.datetime | None = None


def trial_end(settings: Settings, account: BillingAccount | None, firm_created: dt.datetime) -> dt.datetime:
    if account is not None and account.trial_ends_at is not None:
        return account.trial_ends_at
    return firm_created + dt.timedelta(days=settings.billing_trial_days)


def standing(
    settings: Settings, account: BillingAccount | None, firm_created: dt.datetime, now: dt.datetime
) -> Standing:
    status = account.status if account is not None else "trialing"
    if account is None or (status == "trialing" and not account.stripe_subscription_id):
        ends = trial_end(settings, account, firm_created)
        if now >= ends:
            return Standing("trial_ended", True, None, trial_ends_at=ends)
        return Standing("trialing", False, TRIAL_PLAN, trial_ends_at=ends)
    if status == "past_due":
        grace = (account.past_due_since or now) + dt.timedelta(days=settings.billing_grace_days)
        return Standing("past_due", now >= grace, account.plan, grace_ends_at=grace)
    if status == "canceled":
        return Standing("canceled", True, None)
    return Standing(
        status, False, account.plan, trial_ends_at=account.current_period_end if status == "trialing" else None
    )
