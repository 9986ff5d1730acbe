"""Data of the benchmark's network pages: a network on the platform framework with a few
consenting firms (``ordena.demo.network_scale``, bulk SQL), the main firm consenting too, the
benchmark's consultant as one of the network's admins, and one release published by the real
engine (``networks.refresh.refresh_network``, as the refresh role).

The ``benchmark`` scenario (the results page's peer comparison, the htmx fragment a consultant
gets when picking a cohort) and ``network_admin`` (``GET /n/{network}``) read it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from ordena.demo.network_scale import generate_network
from ordena.demo.scale import uuid7
from ordena.networks.refresh import refresh_network
from ordena.settings import Settings

FIRMS = 12  # enough firms for most cohorts to pass min_firms = 3
ASSESSMENTS = 2_400  # two per company: ~100 companies per firm


@dataclass(frozen=True)
class NetworkMade:
    network_id: uuid.UUID
    slug: str
    release_lines: list[str]


async def make_network(
    conn: asyncpg.Connection, settings: Settings, tenant_id: uuid.UUID, admin_email: str, tag: str
) -> NetworkMade:
    """``conn`` is the owner connection (RLS bypassed). The main firm consents and the user
    behind ``admin_email`` administers the network; then one release is published."""
    made = await generate_network(
        conn, firms=FIRMS, assessments=ASSESSMENTS, prefix=f"net-{tag}", network_slug=f"bench-net-{tag}"
    )
    await conn.execute(
        "INSERT INTO network_membership (tenant_id, id, network_id, consent_at, consent_by, terms_version,"
        " show_to_clients, created_at, updated_at) VALUES ($1, $2, $3, now() - interval '30 days', $4, '2026-11',"
        " true, now(), now())",
        tenant_id,
        uuid7(),
        made.network_id,
        admin_email,
    )
    user_id = await conn.fetchval("SELECT id FROM user_account WHERE email = $1", admin_email)
    await conn.execute(
        "INSERT INTO network_admin (id, network_id, user_id, created_at, updated_at) VALUES ($1, $2, $3, now(), now())",
        uuid7(),
        made.network_id,
        user_id,
    )
    await conn.execute("ANALYZE")
    outcome = await refresh_network(settings, made.network_id, trigger="bench")
    return NetworkMade(made.network_id, made.slug, outcome.lines())
