"""Billing's background work: one job per stored Stripe event, and the daily reconciliation."""

from __future__ import annotations

from ordena.billing.queries import PROCESS_JOB
from ordena.billing.stripe_api import StripeReader
from ordena.billing.sync import process_event, reconcile
from ordena.jobs.registry import job
from ordena.jobs.runtime import worker_database, worker_settings


@job(PROCESS_JOB)
async def billing_process_event(event_id: str) -> None:
    """Apply one webhook's event (at least once; duplicates and any order end in Stripe's state).
    Stripe unreachable raises, and the job is retried with back-off."""
    settings = worker_settings()
    if not settings.billing_enabled:
        return  # relayed by an installation without Stripe keys: nothing can be re-read
    await process_event(worker_database(), settings, event_id, StripeReader(settings))


@job("billing_reconcile")
async def billing_reconcile() -> None:
    settings = worker_settings()
    if settings.billing_enabled:
        await reconcile(worker_database(), settings)
