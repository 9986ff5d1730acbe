"""Editing a plan's initiatives: every rule refuses bad input with a message on its field and
changes nothing; every change writes an audit line."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from ordena.audit.models import AuditEvent
from ordena.companies.models import Company, Contact
from ordena.db.engine import Database
from ordena.plans.editing import (
    InitiativeInvalid,
    add_comment,
    add_initiative,
    move_initiative,
    set_progress,
    set_status,
    update_initiative,
)
from ordena.plans.lookups import InitiativeFilters, comments_of, dependencies_of, get_initiative, list_initiatives
from ordena.tenancy.models import Role
from tests.factories import make_firm
from tests.integration.plans.helpers import PlanWorld, generated, validated_assessment


async def _plan(database: Database) -> tuple[PlanWorld, uuid.UUID, list[uuid.UUID]]:
    world = await validated_assessment(database)
    plan_id = await generated(database, world)
    async with database.session(tenant_id=world.tenant_id) as db:
        ids = [i.id for i in await list_initiatives(db, world.tenant_id, plan_id)]
    return world, plan_id, ids


async def _refused(
    database: Database, world: PlanWorld, initiative_id: uuid.UUID, values: dict[str, Any]
) -> dict[str, str]:
    async with database.session(tenant_id=world.tenant_id) as db:
        with pytest.raises(InitiativeInvalid) as refused:
            await update_initiative(db, world.tenant_id, world.actor, initiative_id, values, partial=True)
        await db.rollback()
    return refused.value.errors.fields


async def _audit_count(database: Database, world: PlanWorld) -> int:
    async with database.session(tenant_id=world.tenant_id) as db:
        return int(
            await db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.tenant_id == world.tenant_id))
            or 0
        )


async def test_consultant_edits_an_initiative_and_the_change_is_audited(database: Database) -> None:
    world, _plan_id, ids = await _plan(database)
    consultant = world.firm.users[Role.CONSULTANT]
    async with database.session(tenant_id=world.tenant_id) as db:
        await update_initiative(
            db,
            world.tenant_id,
            world.actor,
            ids[0],
            {
                "title": "Ficha única de cliente",
                "owner": f"user:{consultant.id}",
                "start_on": "2026-01-05",
                "due_on": "2026-02-27",
                "priority": "3",
                "kpi_name": "Clientes con ficha completa",
                "kpi_baseline": "12,5",
                "kpi_goal": "90",
                "status": "in_progress",
                "progress": "40",
            },
            partial=True,
        )
        await db.commit()
    async with database.session(tenant_id=world.tenant_id) as db:
        i = await get_initiative(db, world.tenant_id, ids[0])
        event = await db.scalar(
            select(AuditEvent).where(AuditEvent.entity_type == "initiative", AuditEvent.entity_id == str(ids[0]))
        )
    assert (i.title, i.owner_user_id, str(i.due_on), i.priority, i.status, i.progress) == (
        "Ficha única de cliente",
        consultant.id,
        "2026-02-27",
        3,
        "in_progress",
        40,
    )
    assert str(i.kpi_baseline) == "12.5000"
    assert event is not None and event.before["status"] == "pending" and event.after["progress"] == 40


async def test_a_contact_of_the_company_may_own_an_initiative_but_not_one_of_another_company_or_firm(
    database: Database,
) -> None:
    world, _plan_id, ids = await _plan(database)
    async with database.session(tenant_id=world.tenant_id) as db:
        await update_initiative(
            db, world.tenant_id, world.actor, ids[0], {"owner": f"contact:{world.contact_id}"}, partial=True
        )
        await db.commit()
        other = Company(tenant_id=world.tenant_id, name="Otra S.A.C.", industry_section="G", size_band="micro")
        db.add(other)
        await db.flush()
        stranger = Contact(tenant_id=world.tenant_id, company_id=other.id, name="Ajeno", email="ajeno@example.com")
        db.add(stranger)
        await db.commit()
    other_firm = await make_firm(database, roles=(Role.CONSULTANT,))
    for owner in (f"contact:{stranger.id}", f"user:{other_firm.users[Role.CONSULTANT].id}", "user:nope"):
        errors = await _refused(database, world, ids[0], {"owner": owner})
        assert set(errors) == {"owner"}
    async with database.session(tenant_id=world.tenant_id) as db:
        assert (await get_initiative(db, world.tenant_id, ids[0])).owner_contact_id == world.contact_id


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"start_on": "2026-03-01", "due_on": "2026-02-01"}, "due_on"),
        ({"due_on": "31/02/2026"}, "due_on"),
        ({"priority": "5"}, "priority"),
        ({"progress": "101"}, "progress"),
        ({"status": "blocked"}, "blocked_reason"),
        ({"status": "cancelled"}, "status"),
        ({"title": "  "}, "title"),
        ({"kpi_goal": "mucho"}, "kpi_goal"),
        ({"dimension_key": "nada"}, "dimension_key"),
        ({"question_keys": ["ventas.pipeline"]}, "question_keys"),
    ],
)
async def test_bad_input_is_refused_on_its_field_and_nothing_changes(
    database: Database, values: dict[str, Any], field: str
) -> None:
    world, _plan_id, ids = await _plan(database)
    before = await _audit_count(database, world)
    errors = await _refused(database, world, ids[0], values)
    assert errors.get(field)
    async with database.session(tenant_id=world.tenant_id) as db:
        i = await get_initiative(db, world.tenant_id, ids[0])
    assert (i.status, i.priority, i.progress, i.due_on) == ("pending", 1, 0, None)
    assert await _audit_count(database, world) == before


async def test_blocked_needs_a_reason_done_means_complete(database: Database) -> None:
    world, _plan_id, ids = await _plan(database)
    async with database.session(tenant_id=world.tenant_id) as db:
        blocked = await set_status(db, world.tenant_id, world.actor, ids[0], "blocked", reason="Falta el presupuesto")
        assert blocked.blocked_reason == "Falta el presupuesto"
        done = await set_status(db, world.tenant_id, world.actor, ids[1], "done")
        assert (done.progress, done.blocked_reason) == (100, "") and done.completed_at is not None
        await db.commit()
    async with database.session(tenant_id=world.tenant_id) as db:
        with pytest.raises(InitiativeInvalid) as refused:
            await set_progress(db, world.tenant_id, world.actor, ids[1], 60)
        assert "progress" in refused.value.errors.fields
        await db.rollback()
        with pytest.raises(InitiativeInvalid):
            await set_status(db, world.tenant_id, world.actor, ids[2], "blocked", reason=" ")


async def test_dependencies_stay_in_the_plan_without_cycles_and_hold_back_the_start(database: Database) -> None:
    world, plan_id, ids = await _plan(database)
    a, b, c = ids[:3]
    async with database.session(tenant_id=world.tenant_id) as db:
        await update_initiative(db, world.tenant_id, world.actor, b, {"depends_on": [str(a)]}, partial=True)
        await update_initiative(db, world.tenant_id, world.actor, c, {"depends_on": [str(b)]}, partial=True)
        await db.commit()
    assert "depends_on" in await _refused(database, world, a, {"depends_on": [str(c)]})
    assert "depends_on" in await _refused(database, world, a, {"depends_on": [str(a)]})
    foreign = await validated_assessment(database, firm=world.firm)
    foreign_plan = await generated(database, foreign)
    async with database.session(tenant_id=world.tenant_id) as db:
        outsider = (await list_initiatives(db, world.tenant_id, foreign_plan))[0].id
    assert "depends_on" in await _refused(database, world, a, {"depends_on": [str(outsider)]})
    # b waits for a: it cannot start before a is done.
    errors = await _refused(database, world, b, {"status": "in_progress"})
    assert "status" in errors
    async with database.session(tenant_id=world.tenant_id) as db:
        await set_status(db, world.tenant_id, world.actor, a, "done")
        await set_status(db, world.tenant_id, world.actor, b, "in_progress")
        await db.commit()
        assert (await dependencies_of(db, world.tenant_id, plan_id)) == {b: [a], c: [b]}


async def test_add_move_comment_and_filter(database: Database) -> None:
    world, plan_id, ids = await _plan(database)
    async with database.session(tenant_id=world.tenant_id) as db:
        added = await add_initiative(
            db,
            world.tenant_id,
            world.actor,
            plan_id,
            {
                "title": "Capacitar al equipo",
                "dimension_key": "ventas",
                "priority": "1",
                "owner": f"contact:{world.contact_id}",
            },
        )
        await move_initiative(db, world.tenant_id, world.actor, ids[1], "up")
        await add_comment(db, world.tenant_id, world.actor, added.id, "Empieza en enero")
        await db.commit()
    async with database.session(tenant_id=world.tenant_id) as db:
        order = [i.id for i in await list_initiatives(db, world.tenant_id, plan_id)]
        mine = await list_initiatives(
            db, world.tenant_id, plan_id, InitiativeFilters(owner=f"contact:{world.contact_id}")
        )
        ventas = await list_initiatives(db, world.tenant_id, plan_id, InitiativeFilters(dimension_key="ventas"))
        comments = await comments_of(db, world.tenant_id, added.id)
    assert order[:2] == [ids[1], ids[0]]
    assert order.index(added.id) == 7  # last of priority 1
    assert [i.id for i in mine] == [added.id]
    assert {i.dimension_key for i in ventas} == {"ventas"} and len(ventas) == 3
    assert [c.body for c in comments] == ["Empieza en enero"]
    async with database.session(tenant_id=world.tenant_id) as db:
        with pytest.raises(InitiativeInvalid):
            await add_comment(db, world.tenant_id, world.actor, added.id, "   ")
