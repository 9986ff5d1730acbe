"""Data of the benchmark's client-side and closed-loop pages, written on the owner connection
like ``ordena.demo.scale``: a client contact invited to one of the main firm's open assessments
(``contact_questionnaire``, signed in with a session of the magic link's scope) and a published
re-assessment of the plan board's baseline (``progress``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass

import asyncpg

from ordena.assessments import latest
from ordena.demo.scale import uuid7


@dataclass(frozen=True)
class ContactSession:
    assessment_id: uuid.UUID
    cookie: str


async def make_contact_session(
    conn: asyncpg.Connection, tenant_id: uuid.UUID, assessment_id: uuid.UUID
) -> ContactSession:
    """A contact of the assessment's company, their respondent (kind ``self``; the assessment
    becomes ``both``) and a contact session, as following the invitation's link makes."""
    now = dt.datetime.now(dt.UTC)
    company_id = await conn.fetchval(
        "UPDATE assessment SET kind = 'both' WHERE tenant_id = $1 AND id = $2 RETURNING company_id",
        tenant_id,
        assessment_id,
    )
    contact_id, respondent_id = uuid7(), uuid7()
    await conn.execute(
        "INSERT INTO contact (tenant_id, id, company_id, name, email, position, created_at, updated_at) "
        "VALUES ($1, $2, $3, 'Lucía Cliente', $4, 'Gerente', $5, $5)",
        tenant_id,
        contact_id,
        company_id,
        f"lucia.{contact_id.hex[:8]}@bench.example",
        now,
    )
    await conn.execute(
        "INSERT INTO respondent (tenant_id, id, assessment_id, kind, contact_id, invited_at, created_at, updated_at) "
        "VALUES ($1, $2, $3, 'self', $4, $5, $5, $5)",
        tenant_id,
        respondent_id,
        assessment_id,
        contact_id,
        now,
    )
    scope = {
        "kind": "contact",
        "tenant_id": str(tenant_id),
        "company_id": str(company_id),
        "contact_id": str(contact_id),
        "assessment_id": str(assessment_id),
        "respondent_id": str(respondent_id),
        "landing": f"/c/assessments/{assessment_id}",
    }
    token = secrets.token_urlsafe(32)
    await conn.execute(
        "INSERT INTO user_session (id, token_hash, user_id, scope, csrf_token, expires_at, user_agent, created_at, updated_at) "
        "VALUES ($1, $2, NULL, $3, $4, $5, 'bench', $6, $6)",
        uuid7(),
        hashlib.sha256(token.encode()).digest(),
        json.dumps(scope),
        secrets.token_urlsafe(24),
        now + dt.timedelta(days=7),
        now,
    )
    return ContactSession(assessment_id, f"ordena_session={token}")


async def make_reassessment(conn: asyncpg.Connection, tenant_id: uuid.UUID, baseline_id: uuid.UUID) -> uuid.UUID:
    """A published re-assessment of ``baseline_id`` (whose plan the board shows): its snapshot and
    flat dimension scores half a level above the baseline's, so the progress page has moves to show."""
    base = await conn.fetchrow(
        "SELECT company_id, title FROM assessment WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        baseline_id,
    )
    now = dt.datetime.now(dt.UTC)
    new_id = uuid7()
    await conn.execute(
        "INSERT INTO assessment (tenant_id, id, company_id, framework_version_id, baseline_id, title, kind, status, "
        "targets, reminder_days, submitted_at, validated_at, published_at, created_at, updated_at) "
        "SELECT tenant_id, $3, company_id, framework_version_id, id, $4, kind, 'published', targets, reminder_days, "
        "$5, $5, $5, $5, $5 FROM assessment WHERE tenant_id = $1 AND id = $2",
        tenant_id,
        baseline_id,
        new_id,
        f"{base['title']} (reevaluación)",
        now,
    )
    snap = await conn.fetchrow(
        "SELECT overall, data FROM result_snapshot WHERE tenant_id = $1 AND assessment_id = $2", tenant_id, baseline_id
    )
    data = json.loads(snap["data"]) if isinstance(snap["data"], str) else snap["data"]
    dims = {k: min(5.0, round(float(v) + 0.5, 2)) for k, v in (data.get("dimensions") or {}).items()}
    overall = round(sum(dims.values()) / len(dims), 2) if dims else None
    await conn.execute(
        "INSERT INTO result_snapshot (tenant_id, id, assessment_id, overall, data, created_at, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $6)",
        tenant_id,
        uuid7(),
        new_id,
        overall,
        json.dumps({"dimensions": dims}),
        now,
    )
    await conn.executemany(
        "INSERT INTO result_dimension_score (tenant_id, id, assessment_id, company_id, dimension_key, score, "
        "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        [(tenant_id, uuid7(), new_id, base["company_id"], k, v, now) for k, v in dims.items()],
    )
    # Published behind the services' back: the dashboard's maintained rows kept as publishing keeps them.
    await latest.published(conn, tenant_id, base["company_id"], new_id)
    return new_id
