"""Generating a plan from a validated assessment's gaps (DESIGN §3), with known answers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ordena.audit.models import AuditEvent
from ordena.db.engine import Database
from ordena.lib.errors import ServiceError
from ordena.plans.editing import remove_initiative
from ordena.plans.generation import generate_plan
from ordena.plans.lookups import list_initiatives, plan_for_assessment
from ordena.plans.models import Initiative
from tests.integration.plans.helpers import generated, validated_assessment

EXPECTED = [
    # relacion_comercial: score 1, target 3, gap 2 × weight 1 = 2 → steps 1→2 and 2→3 (the library's order)
    ("relacion_comercial", "relacion_comercial.ficha_cliente", 1, 2, 1),
    ("relacion_comercial", "relacion_comercial.protocolo_retencion", 2, 3, 1),
    ("relacion_comercial", "relacion_comercial.segmentacion_abc", 2, 3, 1),
    # soporte_operativo: score 3, custom target 5, gap 2 × 1 = 2 (tie: the higher score goes second)
    ("soporte_operativo", "soporte_operativo.indicadores_soporte", 3, 4, 1),
    ("soporte_operativo", "soporte_operativo.integracion_automatizacion", 4, 5, 1),
    # atencion_cliente: score 2, gap 1 × weight 1.5 = 1.5
    ("atencion_cliente", "atencion_cliente.acuerdos_servicio", 2, 3, 1),
    ("atencion_cliente", "atencion_cliente.encuesta_satisfaccion", 2, 3, 1),
    # ventas and control_interno: score 2, gap 1 × 1 = 1 each: framework order decides
    ("ventas", "ventas.manual_comercial", 2, 3, 2),
    ("ventas", "ventas.metas_y_proyeccion", 2, 3, 2),
    ("control_interno", "control_interno.calendario_controles", 2, 3, 2),
]


async def test_plan_holds_the_library_initiatives_of_each_gap_in_priority_order(database: Database) -> None:
    world = await validated_assessment(database)
    async with database.session(tenant_id=world.tenant_id) as db:
        result = await generate_plan(db, world.tenant_id, world.actor, world.assessment_id)
        await db.commit()
    assert result.created
    gaps = result.proposal.gaps
    assert [g.key for g in gaps] == [
        "relacion_comercial",
        "soporte_operativo",
        "atencion_cliente",
        "ventas",
        "control_interno",
    ]
    # seguimiento_solicitudes (4 ≥ 3) is not a gap; N/A-only and unanswered dimensions have no data.
    assert "seguimiento_solicitudes" not in [g.key for g in gaps]
    assert "gestion_cuentas" in result.proposal.no_data and "administracion" in result.proposal.no_data
    async with database.session(tenant_id=world.tenant_id) as db:
        rows = await list_initiatives(db, world.tenant_id, result.plan.id)
    assert [(i.dimension_key, i.template_key, i.from_level, i.to_level, i.priority) for i in rows] == EXPECTED
    first = rows[0]
    assert first.question_keys and all(k.startswith("relacion_comercial.") for k in first.question_keys)
    assert first.title and first.status == "pending" and first.progress == 0
    assert not any(i.dimension_key in ("gestion_cuentas", "administracion") for i in rows)


async def test_generating_again_adds_only_what_is_missing(database: Database) -> None:
    world = await validated_assessment(database)
    plan_id = await generated(database, world)
    async with database.session(tenant_id=world.tenant_id) as db:
        again = await generate_plan(db, world.tenant_id, world.actor, world.assessment_id)
        await db.commit()
    assert again.plan.id == plan_id and not again.created and again.added == []
    async with database.session(tenant_id=world.tenant_id) as db:
        rows = await list_initiatives(db, world.tenant_id, plan_id)
        removed = rows[0]
        await remove_initiative(db, world.tenant_id, world.actor, removed.id)
        await db.commit()
    async with database.session(tenant_id=world.tenant_id) as db:
        third = await generate_plan(db, world.tenant_id, world.actor, world.assessment_id)
        await db.commit()
    assert [i.template_key for i in third.added] == [removed.template_key]
    async with database.session(tenant_id=world.tenant_id) as db:
        keys = list(await db.scalars(select(Initiative.template_key).where(Initiative.plan_id == plan_id)))
        events = list(
            await db.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.tenant_id == world.tenant_id, AuditEvent.entity_type == "plan"
                )
            )
        )
    assert sorted(keys) == sorted(e[1] for e in EXPECTED)  # no duplicates
    assert events.count("create") == 1 and events.count("generate") == 2


async def test_a_higher_target_adds_the_next_steps(database: Database) -> None:
    world = await validated_assessment(database, targets={"soporte_operativo": 5, "ventas": 4})
    plan_id = await generated(database, world)
    async with database.session(tenant_id=world.tenant_id) as db:
        ventas = [
            i.template_key for i in await list_initiatives(db, world.tenant_id, plan_id) if i.dimension_key == "ventas"
        ]
    assert ventas == ["ventas.manual_comercial", "ventas.metas_y_proyeccion", "ventas.tablero_comercial"]


async def test_weights_of_questions_make_the_score_and_a_score_at_target_level_has_no_steps(database: Database) -> None:
    # ventas: pipeline (weight 2) at 3, the other four at 2 → (6 + 8) / 6 = 2.33, level 2 → one step.
    # escalabilidad: 3, 3, 3, 2, 3 with capacidad_demanda weight 1.5 → 2.83, level 3 = target: a gap with no step.
    answers: dict[str, int | None] = {
        "ventas.pipeline": 3,
        "ventas.proceso_comercial": 2,
        "ventas.cotizaciones_precios": 2,
        "ventas.pronostico": 2,
        "ventas.traspaso_operacion": 2,
        "escalabilidad.capacidad_demanda": 3,
        "escalabilidad.replicabilidad": 3,
        "escalabilidad.preparacion_auditoria": 3,
        "escalabilidad.tecnologia_escalable": 2,
        "escalabilidad.planificacion_crecimiento": 3,
    }
    world = await validated_assessment(database, answers=answers, targets={})
    async with database.session(tenant_id=world.tenant_id) as db:
        result = await generate_plan(db, world.tenant_id, world.actor, world.assessment_id)
        await db.commit()
    gaps = {g.key: g for g in result.proposal.gaps}
    assert [g.key for g in result.proposal.gaps] == ["ventas", "escalabilidad"]
    assert str(gaps["ventas"].score) == "2.33" and gaps["ventas"].level == 2
    assert gaps["escalabilidad"].level == 3 and gaps["escalabilidad"].initiatives == ()
    assert {i.dimension_key for i in result.added} == {"ventas"}


@pytest.mark.parametrize("status", ["draft", "in_progress", "submitted"])
async def test_an_unvalidated_assessment_gets_no_plan(database: Database, status: str) -> None:
    world = await validated_assessment(database, status=status)
    async with database.session(tenant_id=world.tenant_id) as db:
        with pytest.raises(ServiceError) as refused:
            await generate_plan(db, world.tenant_id, world.actor, world.assessment_id)
        assert refused.value.status_code == 409
        assert "validada" in refused.value.message
        await db.rollback()
        assert await plan_for_assessment(db, world.tenant_id, world.assessment_id) is None


async def test_a_published_assessment_gets_a_plan(database: Database) -> None:
    world = await validated_assessment(database, status="published")
    plan_id = await generated(database, world)
    async with database.session(tenant_id=world.tenant_id) as db:
        assert (await plan_for_assessment(db, world.tenant_id, world.assessment_id)).id == plan_id  # type: ignore[union-attr]
