"""Billing's hand-written SQL: the webhook's one statement (benchmarked: `make bench ARGS="--only webhook"`)
and the billing page's account and usage (benchmarked: ``billing``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

import asyncpg
from uuid_utils.compat import uuid7

from ordena.accounts.models import LinkToken
from ordena.accounts.services import INVITATION
from ordena.billing.models import BillingAccount, BillingEvent
from ordena.companies.models import Company
from ordena.db.detached import Detached
from ordena.jobs.models import OutboxMessage
from ordena.tenancy.models import Membership

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


_ACCOUNT = Detached(BillingAccount)

# One statement for the page: the firm's account (or none), its members, the invitations still
# open (the same conditions as ``accounts.services.open_links``: seats count them) and its active
# companies. ``link_token`` is a platform table: the firm in the link's scope is its filter.
_OVERVIEW = f"""
SELECT (SELECT count(*) FROM {Membership.__tablename__} WHERE tenant_id = $1) AS members,
       (SELECT count(*) FROM {LinkToken.__tablename__}
        WHERE purpose = $3 AND scope ->> 'tenant_id' = $2 AND used_at IS NULL AND expires_at > $4) AS invitations,
       (SELECT count(*) FROM {Company.__tablename__} WHERE tenant_id = $1 AND archived_at IS NULL) AS companies,
       {", ".join(f"a.{c}" for c in _ACCOUNT.columns)}
FROM (SELECT 1) AS one LEFT JOIN {BillingAccount.__tablename__} a ON a.firm_id = $1
"""


@dataclass(frozen=True, slots=True)
class AccountUsage:
    account: BillingAccount | None  # detached: read it, merge it into a session to change it
    companies: int  # active client companies
    seats: int  # members plus open invitations


async def account_usage(con: asyncpg.Connection, firm_id: UUID, at: dt.datetime) -> AccountUsage:
    """The firm's billing account and what its plan counts, as of ``at`` (invitations expire)."""
    row = await con.fetchrow(_OVERVIEW, firm_id, str(firm_id), INVITATION, at)
    assert row is not None  # (SELECT 1) always answers one row
    values = list(row.values())[3:]
    account = _ACCOUNT.from_row(values) if row["id"] is not None else None
    return AccountUsage(account, int(row["companies"]), int(row["members"]) + int(row["invitations"]))
