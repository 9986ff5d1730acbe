"""The assessment lifecycle: draft → in progress → submitted → validated → published."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from ordena.assessments.answers import parse_answer, save_answer
from ordena.assessments.lifecycle import transition
from ordena.assessments.models import Answer, ResultSnapshot
from ordena.audit.models import AuditEvent
from ordena.lib.errors import ServiceError
from tests.integration.assessments.helpers import make_world, new_assessment, reload, tree_of


async def test_a_new_assessment_is_a_draft_on_the_default_framework_with_the_companys_targets(database: Any) -> None:
    world = await make_world(database, target=4)
    a = await new_assessment(database, world)
    tree = await tree_of(database, world)
    assert a.status == "draft" and a.framework_version_id == tree.version_id
    assert a.targets == {d.key: 4 for d in tree.dimensions}
    assert world.company.name in a.title


async def test_the_first_answer_starts_the_assessment_and_a_submitted_one_refuses_answers(database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    q = (await tree_of(database, world)).questions[0]
    async with database.session(tenant_id=world.tenant_id) as db:
        await save_answer(db, world.tenant_id, a.id, q.id, parse_answer("3"), world.actor)
        await db.commit()
    assert (await reload(database, world, a.id)).status == "in_progress"
    async with database.session(tenant_id=world.tenant_id) as db:
        await transition(db, world.tenant_id, a.id, "submit", world.actor, confirm=True)
        await db.commit()
    async with database.session(tenant_id=world.tenant_id) as db:
        with pytest.raises(ServiceError) as refused:
            await save_answer(db, world.tenant_id, a.id, q.id, parse_answer("4"), world.actor)
    assert refused.value.status_code == 409 and "enviada" in refused.value.message


async def test_every_saved_answer_leaves_one_audit_row_first_and_later_alike(database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    q1, q2 = (await tree_of(database, world)).questions[:2]
    async with database.session(tenant_id=world.tenant_id) as db:
        first = await save_answer(db, world.tenant_id, a.id, q1.id, parse_answer("3"), world.actor)
        await db.commit()
    async with database.session(tenant_id=world.tenant_id) as db:
        later = await save_answer(db, world.tenant_id, a.id, q2.id, parse_answer("5", "x" * 300), world.actor)
        await db.commit()
    assert first.started and not later.started
    async with database.session(tenant_id=world.tenant_id) as db:
        rows = list(
            await db.scalars(
                select(AuditEvent)
                .where(AuditEvent.tenant_id == world.tenant_id, AuditEvent.action == "answer")
                .order_by(AuditEvent.created_at)
            )
        )
    assert [(r.actor_id, r.actor_label, r.entity_type, r.entity_id, r.before) for r in rows] == [
        (world.actor.id, world.actor.label, "assessment", str(a.id), None)
    ] * 2
    assert rows[0].after == {
        "question_id": str(q1.id),
        "respondent_id": str(first.respondent_id),
        "level": 3,
        "na": False,
        "comment": "",
        "status": "in_progress",
    }
    assert rows[1].after == {
        "question_id": str(q2.id),
        "respondent_id": str(later.respondent_id),
        "level": 5,
        "na": False,
        "comment": "x" * 200,
    }
    assert rows[0].created_at <= rows[1].created_at


async def test_submitting_with_unanswered_questions_needs_an_explicit_confirmation(database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    async with database.session(tenant_id=world.tenant_id) as db:
        await transition(db, world.tenant_id, a.id, "start", world.actor)
        with pytest.raises(ServiceError) as refused:
            await transition(db, world.tenant_id, a.id, "submit", world.actor)
    assert refused.value.status_code == 422 and "Faltan" in refused.value.message


async def test_an_assessment_cannot_be_published_before_it_is_validated(database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    async with database.session(tenant_id=world.tenant_id) as db:
        with pytest.raises(ServiceError) as refused:
            await transition(db, world.tenant_id, a.id, "publish", world.actor)
    assert refused.value.status_code == 409 and "validada" in refused.value.message


async def test_publishing_records_who_and_when_and_stores_a_result_snapshot(database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    tree = await tree_of(database, world)
    async with database.session(tenant_id=world.tenant_id) as db:
        for q in tree.questions[:5]:
            await save_answer(db, world.tenant_id, a.id, q.id, parse_answer("4"), world.actor)
        for action in ("submit", "validate", "publish"):
            await transition(
                db, world.tenant_id, a.id, action, world.actor, confirm=True, reason="Piloto con cinco preguntas."
            )
        await db.commit()
    done = await reload(database, world, a.id)
    assert done.status == "published" and done.published_by == world.actor.id and done.validated_at is not None
    async with database.session(tenant_id=world.tenant_id) as db:
        snap = await db.scalar(
            select(ResultSnapshot).where(
                ResultSnapshot.tenant_id == world.tenant_id, ResultSnapshot.assessment_id == a.id
            )
        )
        actions = list(
            await db.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.tenant_id == world.tenant_id, AuditEvent.entity_id == str(a.id)
                )
            )
        )
    assert snap is not None and float(snap.overall) == 4.0 and snap.data["pillars"]
    assert {"create", "answer", "submit", "validate", "publish"} <= set(actions)


async def test_reassessing_from_a_baseline_copies_the_previous_answers_by_question_key(database: Any) -> None:
    world = await make_world(database)
    first = await new_assessment(database, world)
    tree = await tree_of(database, world)
    na_question = next(q for q in tree.questions if q.allows_na)
    async with database.session(tenant_id=world.tenant_id) as db:
        await save_answer(
            db, world.tenant_id, first.id, tree.questions[0].id, parse_answer("2", "hay un Excel"), world.actor
        )
        await save_answer(db, world.tenant_id, first.id, na_question.id, parse_answer("na"), world.actor)
        await db.commit()
    second = await new_assessment(database, world, baseline_id=first.id)
    assert second.baseline_id == first.id and second.status == "draft"
    async with database.session(tenant_id=world.tenant_id) as db:
        copied = {
            a.question_id: a
            for a in await db.scalars(
                select(Answer).where(Answer.tenant_id == world.tenant_id, Answer.assessment_id == second.id)
            )
        }
    assert copied[tree.questions[0].id].level == 2 and copied[tree.questions[0].id].comment == "hay un Excel"
    assert copied[na_question.id].not_applicable


def test_answer_levels_are_1_to_5_or_no_aplica() -> None:
    assert parse_answer("5").level == 5
    assert parse_answer("na").not_applicable
    assert parse_answer("").level is None
    for bad in ("0", "6", "tres", "-1", "2.5"):
        with pytest.raises(ServiceError) as refused:
            parse_answer(bad)
        assert refused.value.status_code == 422
