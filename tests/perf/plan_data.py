"""Improvement-plan data for the benchmark (``plan_board``, ``plan_generate``), written with COPY
like ``ordena.demo.scale``: one plan of 60 initiatives (all four statuses, owners, due dates and
finish-to-start dependencies) on one published assessment of the main firm, and the published
assessment with the lowest overall score, on which the API generates a plan."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from dataclasses import dataclass

import asyncpg

from ordena.demo.scale import uuid7

BOARD_INITIATIVES = 60
PLAN_COLUMNS = ("tenant_id", "id", "assessment_id", "company_id", "title", "created_by", "created_at", "updated_at")
INITIATIVE_COLUMNS = (
    "tenant_id",
    "id",
    "plan_id",
    "template_key",
    "dimension_key",
    "from_level",
    "to_level",
    "question_keys",
    "title",
    "description",
    "owner_user_id",
    "start_on",
    "due_on",
    "priority",
    "status",
    "blocked_reason",
    "progress",
    "kpi_name",
    "position",
    "completed_at",
    "created_at",
    "updated_at",
)
DEPENDENCY_COLUMNS = ("tenant_id", "id", "initiative_id", "depends_on_id", "created_at", "updated_at")
STATUS_MIX = ("pending",) * 5 + ("in_progress",) * 3 + ("done",) * 2 + ("blocked",)


@dataclass(frozen=True)
class PlanData:
    board_plan: uuid.UUID
    generate_assessment: uuid.UUID
    dimensions: int


async def make_plan_data(conn: asyncpg.Connection, tenant_id: uuid.UUID, skip: uuid.UUID | None) -> PlanData:
    """``skip``: the published assessment the results scenario reads (left without a plan)."""
    published = await conn.fetch(
        "SELECT a.id, a.company_id, a.framework_version_id FROM assessment a "
        "JOIN result_snapshot s ON s.tenant_id = a.tenant_id AND s.assessment_id = a.id "
        "WHERE a.tenant_id = $1 AND a.status = 'published' AND a.id <> $2 ORDER BY s.overall, a.id LIMIT 2",
        tenant_id,
        skip or uuid.uuid4(),
    )
    generate_on, board_on = published[0], published[1]
    dims = [
        r["key"]
        for r in await conn.fetch(
            "SELECT key FROM fw_dimension WHERE version_id = $1 ORDER BY position", board_on["framework_version_id"]
        )
    ]
    users = [
        r["user_id"]
        for r in await conn.fetch("SELECT user_id FROM membership WHERE tenant_id = $1 ORDER BY user_id", tenant_id)
    ]
    rnd = random.Random(11)
    now = dt.datetime.now(dt.UTC)
    today = now.date()
    plan_id = uuid7()
    await conn.copy_records_to_table(
        "plan",
        records=[
            (tenant_id, plan_id, board_on["id"], board_on["company_id"], "Plan de mejora 2024", users[0], now, now)
        ],
        columns=PLAN_COLUMNS,
    )
    initiatives = []
    for n in range(BOARD_INITIATIVES):
        status = rnd.choice(STATUS_MIX)
        start = today + dt.timedelta(days=rnd.randint(-60, 30))
        level = rnd.randint(1, 3)
        initiatives.append(
            (
                tenant_id,
                uuid7(),
                plan_id,
                None,
                dims[n % len(dims)],
                level,
                level + 1,
                json.dumps([]),
                f"Iniciativa {n + 1}: ordenar el proceso de {dims[n % len(dims)]}",
                "Definir responsables, documentar el flujo y medir el avance cada mes.",
                rnd.choice(users) if rnd.random() < 0.7 else None,
                start,
                start + dt.timedelta(days=rnd.randint(14, 120)),
                rnd.randint(1, 4),
                status,
                "Falta presupuesto" if status == "blocked" else "",
                100 if status == "done" else rnd.choice((0, 10, 25, 50, 75)) if status != "pending" else 0,
                "Procesos documentados",
                n,
                now if status == "done" else None,
                now,
                now,
            )
        )
    await conn.copy_records_to_table("initiative", records=initiatives, columns=INITIATIVE_COLUMNS)
    # A chain every few cards: finish-to-start edges within the plan, always to an earlier card (no cycles).
    edges = [
        (tenant_id, uuid7(), initiatives[n][1], initiatives[n - 3][1], now, now) for n in range(3, BOARD_INITIATIVES, 3)
    ]
    await conn.copy_records_to_table("initiative_dependency", records=edges, columns=DEPENDENCY_COLUMNS)
    return PlanData(plan_id, generate_on["id"], len(dims))
