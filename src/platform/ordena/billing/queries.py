"""Billing's hand-written SQL: the webhook's one statement (benchmarked: `make bench ARGS="--only webhook"`)."""

from __future__ import annotations

import asyncpg
from uuid_utils.compat import uuid7

from ordena.billing.models import BillingEvent
from ordena.jobs.models import OutboxMessage

PROCESS_JOB = "billing_process_event"

# One statement, so one transaction: the event id goes in once (a redelivery conflicts and
# inserts nothing) and the job to process it is written only with a new event. Nothing is sent
# to the broker until this commits (the outbox relay reads committed rows).
_STORE_EVENT = f"""
WITH ev AS (
    INSERT INTO {BillingEvent.__tablename__} (id, stripe_event_id, type, customer_id, created_at, updated_at)
    VALUES ($1, $2, $3, $4, now(), now())
    ON CONFLICT (stripe_event_id) DO NOTHING
    RETURNING stripe_event_id
)
INSERT INTO {OutboxMessage.__tablename__}
    (id, queue_name, actor_name, args, kwargs, attempts, created_at, updated_at)
SELECT $5, 'default', '{PROCESS_JOB}', jsonb_build_array(ev.stripe_event_id), '{{}}'::jsonb, 0, now(), now()
FROM ev
RETURNING id
"""


async def store_event(con: asyncpg.Connection, *, event_id: str, type: str, customer: str | None) -> bool:
    """Store a verified event and its job; False when the event was stored before."""
    row = await con.fetchrow(_STORE_EVENT, uuid7(), event_id, type[:100], customer, uuid7())
    return row is not None
