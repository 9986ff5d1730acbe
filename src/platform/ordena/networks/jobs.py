"""The benchmark refresh job and its schedule (see ``networks/schedule.py``).

The job runtime enqueues ``schedule_network_refreshes`` every
``ORDENA_NETWORK_REFRESH_CHECK_MINUTES`` (default hourly); it queues ``refresh_network_benchmark``
for the networks whose release is due (default monthly). A request from a network admin queues the
same job. Delivery is at least once: the job carries the release number it was queued after and
does nothing once a later release exists.
"""

from __future__ import annotations

import logging
from uuid import UUID

from ordena.jobs.registry import job
from ordena.jobs.runtime import worker_database, worker_settings
from ordena.networks.refresh import refresh_network
from ordena.networks.schedule import JOB, enqueue_due, latest_release

log = logging.getLogger(__name__)


@job("schedule_network_refreshes")
async def schedule_network_refreshes() -> None:
    async with worker_database().session() as db:
        await enqueue_due(db)
        await db.commit()


@job(JOB, max_retries=2)
async def refresh_network_benchmark(network_id: str, after: int, trigger: str, by_user: str | None = None) -> None:
    async with worker_database().session() as db:
        last = await latest_release(db, UUID(network_id))
    if last is not None and last.number > after:
        log.info("network %s already has release %s (queued after %s): nothing to do", network_id, last.number, after)
        return
    await refresh_network(worker_settings(), UUID(network_id), trigger=trigger)
