"""The daily digest of due initiatives (see ``plans/reminders.py``).

The job runtime enqueues ``send_plan_digests`` every ``ORDENA_PLAN_DIGEST_INTERVAL_MINUTES``
(default every hour, 0 turns it off); the digest is sent once per owner per day whatever the
number of runs, so an hourly pass only catches a day's first run early and retries failures.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ordena.jobs.registry import job
from ordena.jobs.runtime import worker_database, worker_settings
from ordena.plans.reminders import send_digests
from ordena.tenancy.models import Tenant


async def run_digests(database: Any, settings: Any) -> int:
    """One pass over every firm; returns how many digests were sent."""
    async with database.session() as db:
        tenants = list(await db.scalars(select(Tenant)))
    sent = 0
    for tenant in tenants:
        async with database.session(tenant_id=tenant.id) as db:
            sent += await send_digests(db, settings, tenant)
            await db.commit()
    return sent


@job("send_plan_digests")
async def send_plan_digests() -> None:
    await run_digests(worker_database(), worker_settings())
